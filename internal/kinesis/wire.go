package kinesis

import (
	"context"
	"net/http"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// timestamp is a Kinesis timestamp member (JSON epoch seconds, CBOR epoch
// milliseconds).
type timestamp = awsproto.Timestamp

func ts(ms int64) timestamp { return timestamp{Time: time.UnixMilli(ms).UTC()} }

// decode reads the request body into v (JSON 1.1 or CBOR).
func decode(r *http.Request, v any) error { return awsproto.DecodeRequest(r, v) }

// respond writes v as the 200 response in the request's encoding.
func respond(w http.ResponseWriter, r *http.Request, rt awsproto.Route, v any) error {
	return awsproto.WriteResponse(w, r, rt, v)
}

// isCBOR reports whether the request (and so its answer) is CBOR.
func isCBOR(r *http.Request) bool { return awsproto.IsCBOR(r) }

// op adapts a typed handler to an opFunc: decode, call, encode. A nil
// output answers {}.
func op[In any, Out any](h func(ctx context.Context, in *In) (*Out, error)) opFunc {
	return func(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
		in := new(In)
		if err := decode(r, in); err != nil {
			return err
		}
		out, err := h(r.Context(), in)
		if err != nil {
			return err
		}
		if out == nil {
			return respond(w, r, rt, struct{}{})
		}
		return respond(w, r, rt, out)
	}
}

// none is the output of operations that answer an empty body.
type none struct{}
