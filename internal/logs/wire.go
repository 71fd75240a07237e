package logs

import (
	"context"
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// opFunc serves one operation: it writes the response and returns nil, or
// writes nothing and returns an error.
type opFunc func(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error

// op adapts a typed handler to an opFunc: decode, call, encode. A nil
// output answers {}.
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
		if out == nil {
			return awsproto.WriteResponse(w, r, rt, struct{}{})
		}
		return awsproto.WriteResponse(w, r, rt, out)
	}
}

// none is the output of operations that answer an empty body.
type none struct{}
