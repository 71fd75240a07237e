package s3

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// TODO(helper): implement.
func (s *Service) createMultipartUpload(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) uploadPart(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) uploadPartCopy(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) completeMultipartUpload(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) abortMultipartUpload(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) listParts(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) listMultipartUploads(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}
