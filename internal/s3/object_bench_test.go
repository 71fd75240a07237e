package s3

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// otBenchServer serves the S3 handlers over real HTTP (path-style, no auth)
// so benchmarks include net/http's cost.
func otBenchServer(b *testing.B) (*httptest.Server, *Service) {
	b.Helper()
	svc := New(kv.NewMemory(), blob.NewMemory(), Config{Region: "us-east-1", AccountID: "000000000000",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		op := map[string]string{"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject"}[r.Method]
		if key == "" {
			op = "CreateBucket"
		}
		rt := awsproto.Route{Service: "s3", Operation: op, Protocol: awsproto.ProtocolRESTXML, Bucket: bucket, Key: key}
		if err := svc.Handle(w, r, rt); err != nil {
			http.Error(w, err.Error(), awsproto.As(err).Status)
		}
	}))
	b.Cleanup(srv.Close)
	return srv, svc
}

func otBenchDo(b *testing.B, c *http.Client, method, url string, body []byte) {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}

func BenchmarkGetObject1MiB(b *testing.B) {
	srv, _ := otBenchServer(b)
	c := srv.Client()
	otBenchDo(b, c, "PUT", srv.URL+"/bench", nil)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	otBenchDo(b, c, "PUT", srv.URL+"/bench/obj", data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			otBenchDo(b, c, "GET", srv.URL+"/bench/obj", nil)
		}
	})
}

func BenchmarkPutObject1MiB(b *testing.B) {
	srv, _ := otBenchServer(b)
	c := srv.Client()
	otBenchDo(b, c, "PUT", srv.URL+"/bench", nil)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			otBenchDo(b, c, "PUT", srv.URL+"/bench/obj", data)
		}
	})
}

func BenchmarkGetObject4KiB(b *testing.B) {
	srv, _ := otBenchServer(b)
	c := srv.Client()
	otBenchDo(b, c, "PUT", srv.URL+"/bench", nil)
	data := bytes.Repeat([]byte("x"), 4096)
	otBenchDo(b, c, "PUT", srv.URL+"/bench/obj", data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			otBenchDo(b, c, "GET", srv.URL+"/bench/obj", nil)
		}
	})
}
