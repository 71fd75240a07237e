package bench

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lyingS3 is just enough of S3 (path-style CreateBucket, PutObject, GetObject) to store bodies and
// then return them altered in one chosen way.
type lyingS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
	lie     string // "", "flip", "swap", "truncate", "extend", "etag"
}

func (s *lyingS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/")
	if !strings.Contains(path, "/") { // CreateBucket
		return
	}
	switch r.Method {
	case http.MethodPut:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.objects[path] = body
		sum := md5.Sum(body)
		if s.lie == "etag" {
			sum[0] ^= 1
		}
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	case http.MethodGet:
		body, ok := s.objects[path]
		if !ok {
			http.Error(w, "no such key", http.StatusNotFound)
			return
		}
		body = append([]byte(nil), body...)
		switch s.lie {
		case "flip":
			body[len(body)-1] ^= 0x80
		case "swap": // another key's body: same bytes but for the stamp
			for k, other := range s.objects {
				if k != path && len(other) == len(body) {
					body = other
					break
				}
			}
		case "truncate":
			body = body[:len(body)-1]
		case "extend":
			body = append(body, 'x')
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}
}

func TestWrongDataAbortsTheBenchmark(t *testing.T) {
	tests := []struct {
		lie        string
		wantDetail string // "" means the benchmark succeeds
	}{
		{"", ""},
		{"flip", "body differs from offset 4095"},
		{"swap", "the body of another key"},
		{"truncate", "body is 4095 bytes, want 4096"},
		{"extend", "longer than the 4096 bytes"},
		{"etag", "PutObject returned ETag"},
	}
	for _, tt := range tests {
		t.Run("lie="+tt.lie, func(t *testing.T) {
			fake := &lyingS3{objects: map[string][]byte{}}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			cfg, err := ParseS3Flags([]string{"--endpoint", srv.URL, "--get-objects", "4", "--verify-every", "1"}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			tgt := newTarget(cfg, "fake", srv.URL, "test", nil, newHTTPClient(), newPayload(size4KiB))
			w := Workload{Name: "get-4KiB-c1", Op: OpGet, Size: size4KiB, Concurrency: 1}
			ctx := context.Background()
			// Objects are stored honestly; the lie starts when they are read (or at the first ETag).
			fake.lie, err = "", tgt.setup(ctx, []Workload{w}, func(string, ...any) {})
			if err != nil {
				t.Fatal(err)
			}
			fake.mu.Lock()
			fake.lie = tt.lie
			fake.mu.Unlock()
			op := tgt.getOp(w)
			if tt.lie == "etag" {
				op = tgt.putOp(Workload{Name: "put-4KiB-c2", Op: OpPut, Size: size4KiB, Concurrency: 2}, "run1")
			}
			s, err := measure(ctx, 2, time.Minute, 20, op)
			if tt.wantDetail == "" {
				if err != nil || s.Ops != 20 || s.Errors != 0 {
					t.Fatalf("honest server: ops %d errors %d err %v", s.Ops, s.Errors, err)
				}
				return
			}
			var de *DataError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DataError", err)
			}
			if !strings.Contains(de.Error(), tt.wantDetail) || !strings.Contains(de.Error(), "WRONG DATA from fake") {
				t.Errorf("error %q lacks %q", de.Error(), tt.wantDetail)
			}
		})
	}
}

func TestCheckAndDeletePutsNoticesLostObjects(t *testing.T) {
	// A server that acknowledges PUTs but lists fewer objects than it acknowledged.
	var mu sync.Mutex
	stored := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodPut:
			body, _ := io.ReadAll(r.Body)
			sum := md5.Sum(body)
			w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
			stored++
		case r.URL.Query().Get("list-type") == "2":
			w.Write([]byte(`<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>`))
		}
	}))
	defer srv.Close()
	cfg, err := ParseS3Flags([]string{"--endpoint", srv.URL}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tgt := newTarget(cfg, "fake", srv.URL, "test", nil, newHTTPClient(), newPayload(size4KiB))
	w := Workload{Name: "put-4KiB-c1", Op: OpPut, Size: size4KiB, Concurrency: 1}
	s, err := measure(context.Background(), 1, time.Minute, 5, tgt.putOp(w, "run1"))
	if err != nil || s.Ops != 5 {
		t.Fatalf("ops %d err %v", s.Ops, err)
	}
	err = tgt.checkAndDeletePuts(context.Background(), w, "run1", s.Ops, s.Ops)
	var de *DataError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "0 objects listed after 5 acknowledged") {
		t.Fatalf("err = %v, want a *DataError about lost objects", err)
	}
}

func TestLineWatcherFindsListeningLine(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"one write", []string{"tributary 0.1\nlistening on http://127.0.0.1:40123\n"}, "http://127.0.0.1:40123"},
		{"split across writes", []string{"listening on http://127.0", ".0.1:5", "5\nmore\n"}, "http://127.0.0.1:55"},
		{"with a trailing sentence", []string{"data in /x; listening on http://127.0.0.1:9, press Ctrl-C\n"}, "http://127.0.0.1:9"},
		{"never printed", []string{"starting\n", "listening on http://127.0.0.1:1"}, ""}, // no newline yet
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, err := os.Create(filepath.Join(t.TempDir(), "log"))
			if err != nil {
				t.Fatal(err)
			}
			defer log.Close()
			w := &lineWatcher{pattern: regexp.MustCompile(`listening on (https?://[^\s,;]+)`), found: make(chan string, 1), log: log}
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			var got string
			select {
			case got = <-w.found:
			default:
			}
			if got != tt.want {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
}
