// Package sts implements the AWS Security Token Service's GetCallerIdentity
// over the Query protocol, answering for the principal that signed the
// request. Other STS operations answer InvalidAction until they are built.
package sts

import (
	"errors"
	"net/http"

	"github.com/tributary-dev/tributary/internal/auth"
	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Service is the STS service.
type Service struct{}

// New returns the STS service.
func New() *Service { return &Service{} }

// Name implements server.Service.
func (s *Service) Name() string { return "sts" }

// Handle implements server.Service.
func (s *Service) Handle(w http.ResponseWriter, r *http.Request, route awsproto.Route) error {
	switch route.Operation {
	case "GetCallerIdentity":
		return s.getCallerIdentity(w, r, route)
	}
	return awsproto.UnsupportedOperation(route)
}

// callerIdentity is GetCallerIdentityResult.
type callerIdentity struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

func (s *Service) getCallerIdentity(w http.ResponseWriter, r *http.Request, route awsproto.Route) error {
	// The operation has no parameters, but a malformed form is still the
	// caller's error, as STS reports it.
	if _, err := awsproto.ParseQuery(r); err != nil {
		return err
	}
	p, ok := auth.PrincipalFrom(r.Context())
	if !ok || p.Anonymous {
		return awsproto.Internal(errors.New("sts: no authenticated principal in the request context"))
	}
	return awsproto.WriteQueryResponse(w, route, callerIdentity{Arn: p.ARN, UserID: p.UserID, Account: p.AccountID},
		awsproto.RequestID(r.Context()))
}
