package comprehend

import (
	"context"
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/pii"
)

// Service is Amazon Comprehend's PII detection. It holds no state beyond
// its detectors, which are immutable and safe for concurrent use.
type Service struct {
	ops map[string]opFunc
	// detectors by accepted LanguageCode; es shares the English one (the
	// language only breaks ties between national number formats).
	detectors map[string]*pii.Detector
}

// New builds the service.
func New() *Service {
	en := pii.NewDetector(pii.Options{Language: "en"})
	s := &Service{detectors: map[string]*pii.Detector{
		"en": en,
		"es": en,
		"ko": pii.NewDetector(pii.Options{Language: "ko"}),
	}}
	s.ops = s.operations()
	return s
}

// Name implements server.Service.
func (s *Service) Name() string { return "comprehend" }

// Handle implements server.Service.
func (s *Service) Handle(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	op, ok := s.ops[rt.Operation]
	if !ok {
		return awsproto.UnsupportedOperation(rt)
	}
	return op(w, r, rt)
}

// opFunc serves one operation: it writes the response and returns nil, or
// writes nothing and returns an error.
type opFunc func(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error

// op adapts a typed handler to an opFunc: decode, call, encode.
func op[In any, Out any](h func(ctx context.Context, in *In) (*Out, error)) opFunc {
	return func(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
		in := new(In)
		if err := awsproto.DecodeRequest(r, in); err != nil {
			return err
		}
		out, err := h(r.Context(), in)
		if err != nil {
			return err
		}
		return awsproto.WriteResponse(w, r, rt, out)
	}
}
