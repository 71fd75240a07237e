package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tributary-dev/tributary/internal/auth"
	"github.com/tributary-dev/tributary/internal/awsproto"
)

type okAuth struct{}

func (okAuth) Authenticate(*http.Request) (auth.Principal, error) { return testPrincipal, nil }

type okService struct{}

func (okService) Name() string { return "s3" }
func (okService) Handle(w http.ResponseWriter, _ *http.Request, _ awsproto.Route) error {
	w.WriteHeader(http.StatusOK)
	return nil
}

// BenchmarkPipeline measures the server's own cost per request: id,
// classification, auth call, dispatch, metrics and the log line.
func BenchmarkPipeline(b *testing.B) {
	srv := New(Options{Services: []Service{okService{}}, Authenticator: okAuth{},
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	h := srv.Handler()
	for _, target := range []string{"/bucket/dir/key.txt?x-id=GetObject", "/bucket?list-type=2&prefix=dir%2F&encoding-type=url"} {
		b.Run(target, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, target, nil)
				r.Host = "localhost:4566"
				r.Header.Set("Authorization", sigV4("s3"))
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	}
}
