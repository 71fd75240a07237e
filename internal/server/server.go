// Package server is Tributary's front door: one http.Handler that gives
// every request an id, classifies it into (service, operation), verifies
// its signature, dispatches it to the service, and renders errors exactly
// once in the request's protocol. It also serves the operations surface
// under /_tributary/ (health, metrics, reset).
package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/auth"
	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Authenticator verifies a request's signature and names its principal.
// internal/auth's verifier implements it. It must not read the body before
// deciding on the headers, so a refused request with Expect: 100-continue
// is answered without the client sending its body; it may replace r.Body
// (aws-chunked decoding, payload hash checks). The route is in r's context
// (awsproto.RouteFrom). Errors are *awsproto.Error values.
type Authenticator interface {
	Authenticate(r *http.Request) (auth.Principal, error)
}

// Options configures a Server.
type Options struct {
	Services      []Service
	Authenticator Authenticator
	// BaseHosts are the endpoint's host names besides localhost, 127.0.0.1
	// and ::1 (the listen host, configured extras).
	BaseHosts []string
	// AccessPoints lets the classifier tell access point hosts from buckets
	// named like them; nil until S3 access points exist.
	AccessPoints AccessPointLookup
	Logger       *slog.Logger
	Version      string
	// EnableReset turns on POST /_tributary/reset.
	EnableReset bool
	// EnablePprof serves Go's profiles under /_tributary/debug/pprof/.
	EnablePprof bool
	// Region is the region of requests whose signature names none;
	// AccountID is reported by the health endpoint.
	Region, AccountID string
}

// Server is the request pipeline.
type Server struct {
	classifier *Classifier
	services   map[string]Service
	order      []Service
	auth       Authenticator
	log        *slog.Logger
	metrics    *metrics
	opts       Options
}

// New builds a Server. It panics on a nil Authenticator or two services
// with one name, which are wiring mistakes.
func New(opts Options) *Server {
	if opts.Authenticator == nil {
		panic("server.New: Options.Authenticator is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{
		classifier: NewClassifier(ClassifierOptions{BaseHosts: opts.BaseHosts, AccessPoints: opts.AccessPoints}),
		services:   map[string]Service{},
		auth:       opts.Authenticator,
		log:        opts.Logger,
		metrics:    newMetrics(),
		opts:       opts,
	}
	for _, svc := range opts.Services {
		name := svc.Name()
		if _, dup := s.services[name]; dup {
			panic(fmt.Sprintf("server.New: two services named %q", name))
		}
		s.services[name] = svc
		s.order = append(s.order, svc)
	}
	return s
}

// Handler returns the server's http.Handler. It is not wrapped in an
// http.ServeMux, which would clean paths that are S3 keys ("a//b", "../x").
func (s *Server) Handler() http.Handler { return s }

// ServeHTTP runs the pipeline for one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID, hostID := newRequestIDs()
	rw := &responseWriter{ResponseWriter: w}
	// Work on a shallow copy: net/http inspects its own request's Body after
	// the handler (an unread Expect: 100-continue body must not be drained,
	// which would send the 100 and wait for a body the client holds back).
	r = r.WithContext(awsproto.WithRequestID(r.Context(), requestID))
	var bytesIn int64
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &countingBody{ReadCloser: r.Body, n: &bytesIn}
	}

	if s.isOperationsPath(r) {
		rw.Header().Set(awsproto.HeaderRequestID, requestID)
		s.serveOperations(rw, r)
		return
	}

	route, classifyErr := s.classifier.Classify(r)
	if route.Region == "" {
		route.Region = s.opts.Region
	}
	h := rw.Header()
	if route.Protocol.S3Headers() {
		h.Set(awsproto.HeaderS3RequestID, requestID)
		h.Set(awsproto.HeaderS3HostID, hostID)
	} else {
		h.Set(awsproto.HeaderRequestID, requestID)
	}

	err, abort := s.serveRoute(rw, r, route, classifyErr)
	s.observe(r, route, rw, bytesIn, time.Since(start), err)
	if abort {
		// The response is partly written and cannot be finished or
		// replaced: drop the connection so the client sees a failure
		// rather than a short body that looks complete.
		panic(http.ErrAbortHandler)
	}
}

// serveRoute authenticates and dispatches, rendering any error once. It
// returns the error that was rendered (for logging) and whether the
// connection must be aborted. Panics are recovered here.
func (s *Server) serveRoute(rw *responseWriter, r *http.Request, route awsproto.Route, classifyErr error) (err error, abort bool) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			err, abort = errors.New("handler aborted the response"), true
			return
		}
		err = awsproto.Internal(fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
		if rw.wroteHeader {
			abort = true
			return
		}
		awsproto.WriteError(rw, r, route, err)
	}()

	render := func(err error) (error, bool) {
		awsproto.WriteError(rw, r, route, err)
		return err, false
	}
	if classifyErr != nil {
		return render(classifyErr)
	}
	r = r.WithContext(awsproto.WithRoute(r.Context(), route))
	principal, err := s.auth.Authenticate(r)
	if err != nil {
		return render(err)
	}
	if principal.Anonymous {
		return render(accessDenied(route))
	}
	r = r.WithContext(auth.WithPrincipal(r.Context(), principal))
	svc := s.services[route.Service]
	if svc == nil {
		return render(awsproto.UnsupportedOperation(route))
	}
	if err := svc.Handle(rw, r, route); err != nil {
		if rw.wroteHeader {
			return fmt.Errorf("%s returned an error after writing its response: %w", route.Operation, err), true
		}
		return render(err)
	}
	return nil, false
}

// accessDenied answers an anonymous request (no policy allows anonymous
// access yet).
func accessDenied(route awsproto.Route) *awsproto.Error {
	switch route.Protocol {
	case awsproto.ProtocolJSON10, awsproto.ProtocolJSON11, awsproto.ProtocolRESTJSON:
		return awsproto.NewError(http.StatusForbidden, "AccessDeniedException", "Access Denied")
	}
	return awsproto.NewError(http.StatusForbidden, "AccessDenied", "Access Denied")
}

// observe records metrics and writes the request's log line. Only the
// method, route and sizes are logged: never headers, query strings
// (presigned signatures) or bodies.
func (s *Server) observe(r *http.Request, route awsproto.Route, rw *responseWriter, bytesIn int64, d time.Duration, err error) {
	status := rw.statusCode()
	s.metrics.observe(route.Service, route.Operation, status, d, bytesIn, rw.written)

	// Every request is logged at debug (one line per request would cost
	// more than a small GET does); unexpected failures at error.
	level := slog.LevelDebug
	var e *awsproto.Error
	if err != nil {
		e = awsproto.As(err)
		if e == nil || e.Status >= 500 || status >= 500 {
			level = slog.LevelError
		}
	}
	if !s.log.Enabled(r.Context(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("request_id", awsproto.RequestID(r.Context())),
		slog.String("method", r.Method),
		slog.String("service", route.Service),
		slog.String("operation", route.Operation),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.Int64("bytes_in", bytesIn),
		slog.Int64("bytes_out", rw.written),
	}
	if route.Bucket != "" {
		attrs = append(attrs, slog.String("bucket", route.Bucket))
	}
	if err != nil {
		if level == slog.LevelError {
			// Unexpected: log the whole chain, cause included.
			attrs = append(attrs, slog.String("error", err.Error()))
		} else {
			attrs = append(attrs, slog.String("error_code", e.Code))
		}
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
}

// newRequestIDs returns a request id in S3's form (16 uppercase hex digits)
// and an x-amz-id-2 host id.
func newRequestIDs() (requestID, hostID string) {
	var b [40]byte
	rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return strings.ToUpper(hex.EncodeToString(b[:8])), base64.StdEncoding.EncodeToString(b[8:])
}

// responseWriter records the status and bytes written, keeping the
// underlying writer's optional interfaces reachable (Flush, ReadFrom for
// sendfile, Unwrap for http.ResponseController).
type responseWriter struct {
	http.ResponseWriter
	status      int
	written     int64
	wroteHeader bool
}

func (w *responseWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.written += int64(n)
	return n, err
}

// ReadFrom lets io.Copy reach the connection's sendfile path.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
	}
	w.written += n
	return n, err
}

func (w *responseWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusCode is the status sent (200 when the handler wrote nothing).
func (w *responseWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// countingBody counts request body bytes read.
type countingBody struct {
	io.ReadCloser
	n *int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	*b.n += int64(n)
	return n, err
}
