package s3

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// TODO(helper): implement.
func (s *Service) putObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) getObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) headObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) deleteObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) deleteObjects(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}
