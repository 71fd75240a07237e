package server

import "github.com/tributary-dev/tributary/internal/awsproto"

//go:generate go run ./internal/gen -out .

// The routes_*_gen.go files hold one table per service, generated from the
// botocore models by internal/gen. These types are their rows.

// restOperation is one REST operation (S3, S3 Control, Lambda) as modelled.
type restOperation struct {
	Name   string
	Method string
	// Path is the request URI's path template: literal segments and
	// {Label} / {Label+} (greedy) placeholders.
	Path string
	// Query holds the request URI's literal query parameters, the
	// sub-resources that select the operation: "uploads", "list-type=2".
	Query []string
	// RequiredQuery and RequiredHeaders name required input members bound to
	// the query string and to headers (lowercase).
	RequiredQuery   []string
	RequiredHeaders []string
	Deprecated      bool
}

// jsonService is an awsjson service: operations are named by X-Amz-Target
// "{TargetPrefix}.{Operation}".
type jsonService struct {
	Service      string
	TargetPrefix string
	Protocol     awsproto.Protocol
	Operations   []string
}

// queryService is a Query protocol service: operations are named by Action=.
type queryService struct {
	Service        string
	Version        string
	SigningService string
	Operations     []string
}
