package s3

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// TODO(helper): implement.
func (s *Service) getObjectTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) putObjectTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) deleteObjectTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) getBucketTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) putBucketTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) deleteBucketTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}
