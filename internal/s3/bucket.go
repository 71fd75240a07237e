package s3

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// TODO(helper): implement.
func (s *Service) listBuckets(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) createBucket(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) deleteBucket(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) headBucket(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}

// TODO(helper): implement.
func (s *Service) getBucketLocation(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}
