package s3

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// TODO(helper): implement.
func (s *Service) copyObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return errUnsupportedOperation(rt.Operation)
}
