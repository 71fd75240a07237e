package proc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// memSink is a LogSink keeping every event in memory.
type memSink struct {
	mu     sync.Mutex
	events map[string][]LogEvent // by group + "|" + stream
}

func (s *memSink) PutLogEvents(_ context.Context, group, stream string, events []LogEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.events == nil {
		s.events = map[string][]LogEvent{}
	}
	s.events[group+"|"+stream] = append(s.events[group+"|"+stream], events...)
	return nil
}

// messages returns the messages of every stream of a group, stream by stream.
func (s *memSink) messages(group string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k, evs := range s.events {
		if strings.HasPrefix(k, group+"|") {
			for _, e := range evs {
				out = append(out, e.Message)
			}
		}
	}
	return out
}

func (s *memSink) streams(group string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.events {
		if g, st, _ := strings.Cut(k, "|"); g == group {
			out = append(out, st)
		}
	}
	return out
}

func newTestPool(t testing.TB, cfg Config) *Pool {
	t.Helper()
	if cfg.WorkDir == "" {
		cfg.WorkDir = t.TempDir()
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// codeDir writes files into a fresh directory (the "unpacked zip").
func codeDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if name == "bootstrap" {
			mode = 0o755
		}
		if err := os.WriteFile(path, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func testFunction(name, runtime, handler, dir string) Function {
	return Function{
		Key:                 name + "#" + dir,
		Name:                name,
		Version:             "$LATEST",
		ARN:                 "arn:aws:lambda:us-east-1:000000000000:function:" + name,
		Runtime:             runtime,
		Handler:             handler,
		CodeDir:             dir,
		MemoryMB:            256,
		Timeout:             3 * time.Second,
		Env:                 map[string]string{"USER_VAR": "user-value"},
		Region:              "us-east-1",
		Credentials:         Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", SessionToken: "token"},
		Endpoint:            "http://127.0.0.1:4566",
		ReservedConcurrency: -1,
	}
}

func invoke(t testing.TB, p *Pool, fn Function, payload string) (Result, Invocation) {
	t.Helper()
	inv := Invocation{RequestID: newID(), Payload: []byte(payload), InvokedARN: fn.ARN, Tail: true}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := p.Invoke(ctx, fn, inv)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return res, inv
}

// jsonEqual compares two JSON documents semantically.
func jsonEqual(t testing.TB, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("payload %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Fatalf("payload\n got %s\nwant %s", got, want)
	}
}

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("payload %q: %v", b, err)
	}
	return m
}
