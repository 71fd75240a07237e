// Package awsproto holds the wire-protocol layer shared by every service: the
// classifier's Route, the one Error type, and its rendering per protocol
// (awsjson 1.0/1.1, REST-JSON, REST-XML for S3, wrapped REST-XML for S3 Control,
// and Query), awsjson's CBOR variant (Kinesis' Java clients) and Timestamp.
// Subpackage eventstream frames streamed responses.
package awsproto

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS error: the code clients switch on, the HTTP status, and a
// message. Handlers and the auth layer return it; exactly one place (the
// server) renders it in the shape of the request's protocol.
type Error struct {
	Code    string
	Message string
	Status  int
	// Resource is echoed in S3's <Resource> element (for example "/bucket/key").
	Resource string
	// Extra holds additional elements some S3 errors carry
	// (BadDigest: ExpectedDigest/CalculatedDigest, RequestTimeTooSkewed:
	// RequestTime/ServerTime, ...). Rendered in insertion order of ExtraOrder.
	Extra map[string]string
	// ExtraOrder lists the keys of Extra in the order they are rendered.
	ExtraOrder []string
	// Header holds extra response headers (for example x-amz-checksum-* on
	// a 304, or Allow on 405).
	Header http.Header
	// Cause is the underlying error, logged but never sent to the client.
	Cause error
}

// NewError returns an Error with the given status, code and message.
func NewError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Errorf is NewError with a formatted message.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// With returns a copy of e carrying an extra element (rendered in S3 error XML).
func (e *Error) With(name, value string) *Error {
	c := *e
	c.Extra = make(map[string]string, len(e.Extra)+1)
	for k, v := range e.Extra {
		c.Extra[k] = v
	}
	if _, ok := c.Extra[name]; !ok {
		c.ExtraOrder = append(append([]string(nil), e.ExtraOrder...), name)
	}
	c.Extra[name] = value
	return &c
}

// WithResource returns a copy of e with Resource set.
func (e *Error) WithResource(resource string) *Error {
	c := *e
	c.Resource = resource
	return &c
}

// WithCause returns a copy of e wrapping cause (for logs only).
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

// As returns err as an *Error if it is one (or wraps one), else nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Internal wraps an unexpected error as the generic 500 InternalFailure / InternalError.
// The code is adjusted per protocol at render time (S3 says InternalError).
func Internal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "InternalFailure",
		Message: "We encountered an internal error. Please try again.", Cause: cause}
}

// WithMessage returns a copy of e with another message.
func (e *Error) WithMessage(msg string) *Error {
	c := *e
	c.Message = msg
	return &c
}
