package server

import (
	"context"
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Service is one AWS service behind the endpoint. The server classifies a
// request into a Route, authenticates it, and hands it to the service named by
// Route.Service.
type Service interface {
	// Name is the route's service name ("s3", "s3control", "sts", ...).
	Name() string
	// Handle serves one classified operation. It either writes the whole
	// response and returns nil, or writes nothing and returns the error, which
	// the server renders in the route's protocol. An operation the service
	// does not implement returns that protocol's unsupported-operation error.
	Handle(w http.ResponseWriter, r *http.Request, route awsproto.Route) error
}

// Lifecycle is implemented by services with background work.
type Lifecycle interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Resetter is implemented by services whose state POST /_tributary/reset wipes.
type Resetter interface {
	Reset(ctx context.Context) error
}
