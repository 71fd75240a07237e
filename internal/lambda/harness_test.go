package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/lambda/proc"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
	testRole    = "arn:aws:iam::123456789012:role/lambda-role"
)

// fakeExec stands in for *proc.Pool: behave decides each invocation's
// outcome; calls records them.
type fakeExec struct {
	mu      sync.Mutex
	calls   []fakeCall
	evicted []string
	behave  func(fn proc.Function, inv proc.Invocation) (proc.Result, error)
}

type fakeCall struct {
	fn  proc.Function
	inv proc.Invocation
}

func (f *fakeExec) Invoke(ctx context.Context, fn proc.Function, inv proc.Invocation) (proc.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{fn, inv})
	b := f.behave
	f.mu.Unlock()
	if b != nil {
		return b(fn, inv)
	}
	return proc.Result{Payload: inv.Payload}, nil
}

func (f *fakeExec) Evict(name string) {
	f.mu.Lock()
	f.evicted = append(f.evicted, name)
	f.mu.Unlock()
}

func (f *fakeExec) setBehave(b func(proc.Function, proc.Invocation) (proc.Result, error)) {
	f.mu.Lock()
	f.behave = b
	f.mu.Unlock()
}

func (f *fakeExec) numCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

type testEnv struct {
	t    *testing.T
	svc  *Service
	exec *fakeExec
	meta kv.Store
	dir  string
	cfg  Config
}

func newTestEnv(t *testing.T, opts ...func(*Config)) *testEnv {
	t.Helper()
	e := &testEnv{t: t, exec: &fakeExec{}, meta: kv.NewMemory(), dir: t.TempDir()}
	e.cfg = Config{Region: testRegion, AccountID: testAccount, CodeDir: e.dir, Exec: e.exec,
		Now:              func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 123e6, time.UTC) },
		AsyncRetryDelays: []time.Duration{5 * time.Millisecond, 5 * time.Millisecond},
		AsyncBackoffMin:  2 * time.Millisecond, AsyncBackoffMax: 10 * time.Millisecond}
	for _, o := range opts {
		o(&e.cfg)
	}
	e.start()
	return e
}

func (e *testEnv) start() {
	svc, err := New(e.meta, e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.svc = svc
	if err := svc.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { svc.Stop(context.Background()) })
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

// call runs one operation through Handle and renders errors as the
// server does.
func (e *testEnv) call(method, op string, params map[string]string, query url.Values, header http.Header, body []byte) resp {
	e.t.Helper()
	u := "/x"
	if query != nil {
		u += "?" + query.Encode()
	}
	r := httptest.NewRequest(method, u, bytes.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	rt := awsproto.Route{Service: "lambda", Operation: op, Protocol: awsproto.ProtocolRESTJSON, PathParams: params}
	w := httptest.NewRecorder()
	if err := e.svc.Handle(w, r, rt); err != nil {
		awsproto.WriteError(w, r, rt, err)
	}
	return resp{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
}

func fnParam(name string) map[string]string { return map[string]string{"FunctionName": name} }

// wantErr checks status, x-amzn-ErrorType and (a part of) the message.
func wantErr(t *testing.T, r resp, status int, code, msg string) {
	t.Helper()
	if r.status != status || r.header.Get("X-Amzn-Errortype") != code {
		t.Fatalf("got %d %s %s, want %d %s", r.status, r.header.Get("X-Amzn-Errortype"), r.body, status, code)
	}
	m := r.json(t)
	if got, _ := m["message"].(string); !strings.Contains(got, msg) {
		t.Fatalf("message %q does not contain %q", got, msg)
	}
	if m["Message"] != m["message"] || (m["Type"] != "User" && m["Type"] != "Service") {
		t.Fatalf("error body %s lacks Type/Message", r.body)
	}
}

// makeZip builds a zip of name → content; names ending in "*" are executable.
func makeZip(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		h := &zip.FileHeader{Name: strings.TrimSuffix(name, "*"), Method: zip.Deflate}
		if strings.HasSuffix(name, "*") {
			h.SetMode(0o755)
		} else {
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pyZip(t *testing.T) []byte {
	return makeZip(t, map[string]string{"app.py": "def handler(event, context):\n    return event\n"})
}

func createBody(t *testing.T, name string, extra map[string]any) []byte {
	t.Helper()
	m := map[string]any{"FunctionName": name, "Runtime": "python3.12", "Role": testRole,
		"Handler": "app.handler", "Code": map[string]any{"ZipFile": base64.StdEncoding.EncodeToString(pyZip(t))}}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

func (e *testEnv) create(name string, extra map[string]any) map[string]any {
	e.t.Helper()
	r := e.call("POST", "CreateFunction", nil, nil, nil, createBody(e.t, name, extra))
	if r.status != http.StatusCreated {
		e.t.Fatalf("create %s: %d %s", name, r.status, r.body)
	}
	return r.json(e.t)
}
