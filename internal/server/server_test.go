package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/auth"
	"github.com/tributary-dev/tributary/internal/awsproto"
)

var testPrincipal = auth.Principal{AccessKeyID: "test", AccountID: "000000000000",
	ARN: "arn:aws:iam::000000000000:root", UserID: "000000000000", Name: "root"}

// fakeAuth accepts every request as testPrincipal, except: header
// X-Test-Auth: deny → SignatureDoesNotMatch, anonymous → an anonymous
// principal. It records whether any body had been read when it decided.
type fakeAuth struct {
	mu        sync.Mutex
	calls     int
	bodyTaken bool
}

func (f *fakeAuth) Authenticate(r *http.Request) (auth.Principal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if cb, ok := r.Body.(*countingBody); ok && *cb.n > 0 {
		f.bodyTaken = true
	}
	switch r.Header.Get("X-Test-Auth") {
	case "deny":
		return auth.Principal{}, awsproto.NewError(http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	case "anonymous":
		return auth.Principal{Anonymous: true}, nil
	}
	return testPrincipal, nil
}

// fakeService behaves per operation: writes a body, returns errors, panics.
type fakeService struct {
	name   string
	mu     sync.Mutex
	routes []awsproto.Route
	resets int
}

func (f *fakeService) Name() string { return f.name }

func (f *fakeService) Reset(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resets++
	return nil
}

func (f *fakeService) lastRoute() awsproto.Route {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.routes) == 0 {
		return awsproto.Route{}
	}
	return f.routes[len(f.routes)-1]
}

func (f *fakeService) Handle(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	f.mu.Lock()
	f.routes = append(f.routes, rt)
	f.mu.Unlock()
	if p, ok := auth.PrincipalFrom(r.Context()); !ok || p != testPrincipal {
		return fmt.Errorf("principal missing from context: %+v", p)
	}
	if got, _ := awsproto.RouteFrom(r.Context()); got.Operation != rt.Operation {
		return fmt.Errorf("route missing from context")
	}
	switch rt.Key {
	case "no-such-key":
		return awsproto.NewError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").With("Key", rt.Key)
	case "plain-error":
		return fmt.Errorf("disk: %w", errors.New("bad sector"))
	case "panic":
		panic("handler bug")
	case "half-written":
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "partial")
		return errors.New("blob read failed")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "%s %s %s %s", rt.Operation, rt.Bucket, rt.Key, body)
	return nil
}

type testServer struct {
	*httptest.Server
	auth *fakeAuth
	s3   *fakeService
	logs *bytes.Buffer
	mu   *sync.Mutex
}

// lockedBuffer serialises log writes from concurrent requests.
type lockedBuffer struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (ts *testServer) logText() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.logs.String()
}

func newTestServer(t *testing.T, enableReset bool) *testServer {
	t.Helper()
	ts := &testServer{auth: &fakeAuth{}, s3: &fakeService{name: "s3"}, logs: &bytes.Buffer{}, mu: &sync.Mutex{}}
	logger := slog.New(slog.NewJSONHandler(lockedBuffer{ts.mu, ts.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := New(Options{
		Services:      []Service{ts.s3},
		Authenticator: ts.auth,
		Logger:        logger,
		Version:       "1.2.3-test",
		EnableReset:   enableReset,
		Region:        "us-east-1",
		AccountID:     "000000000000",
	})
	ts.Server = httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) do(t *testing.T, method, path string, body io.Reader, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var requestIDPattern = regexp.MustCompile(`^[0-9A-F]{16}$`)

func TestServerDispatchAndErrors(t *testing.T) {
	ts := newTestServer(t, false)
	s3Sig := map[string]string{"Authorization": sigV4("s3")}
	tests := []struct {
		name       string
		method     string
		path       string
		headers    map[string]string
		body       string
		wantStatus int
		wantBody   []string // substrings
		s3Headers  bool     // x-amz-request-id + x-amz-id-2, else x-amzn-RequestId
	}{
		{"s3 success", "PUT", "/b/k", s3Sig, "hello", 200, []string{"PutObject b k hello"}, true},
		{"s3 error rendered", "GET", "/b/no-such-key", s3Sig, "", 404,
			[]string{"<Error><Code>NoSuchKey</Code>", "<Key>no-such-key</Key>", "<RequestId>"}, true},
		{"s3 head error has no body", "HEAD", "/b/no-such-key", s3Sig, "", 404, nil, true},
		{"unexpected error is InternalError", "GET", "/b/plain-error", s3Sig, "", 500, []string{"<Code>InternalError</Code>"}, true},
		{"panic is InternalError", "GET", "/b/panic", s3Sig, "", 500, []string{"<Code>InternalError</Code>"}, true},
		{"auth error in s3 shape", "GET", "/b/k", map[string]string{"X-Test-Auth": "deny"}, "", 403,
			[]string{"<Code>SignatureDoesNotMatch</Code>"}, true},
		{"anonymous is denied", "GET", "/b/k", map[string]string{"X-Test-Auth": "anonymous"}, "", 403,
			[]string{"<Code>AccessDenied</Code><Message>Access Denied</Message>"}, true},
		{"auth error in json shape", "POST", "/", map[string]string{"X-Test-Auth": "deny", "X-Amz-Target": "Kinesis_20131202.ListStreams",
			"Content-Type": "application/x-amz-json-1.1"}, "{}", 403, []string{`"__type":"SignatureDoesNotMatch"`}, false},
		{"unregistered json service", "POST", "/", map[string]string{"X-Amz-Target": "Kinesis_20131202.ListStreams",
			"Content-Type": "application/x-amz-json-1.1"}, "{}", 400, []string{`"__type":"UnknownOperationException"`, "ListStreams"}, false},
		{"unregistered rest-json service", "GET", "/2015-03-31/functions/", map[string]string{"Authorization": sigV4("lambda")}, "", 404,
			[]string{`"__type":"UnknownOperationException"`}, false},
		{"unregistered s3 control", "GET", "/v20180820/accesspoint/ap", map[string]string{"Authorization": sigV4("s3"),
			"x-amz-account-id": "123456789012"}, "", 501, []string{"<ErrorResponse><Error><Code>NotImplemented</Code>"}, true},
		{"s3 control classification error", "GET", "/v20180820/accesspoint/ap", s3Sig, "", 400,
			[]string{"<ErrorResponse><Error><Code>InvalidRequest</Code>", "x-amz-account-id"}, true},
		{"unregistered query service", "POST", "/", map[string]string{"Authorization": sigV4("sts"),
			"Content-Type": "application/x-www-form-urlencoded"}, "Action=GetCallerIdentity&Version=2011-06-15", 400,
			[]string{`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidAction</Code>`}, false},
		{"unknown json target", "POST", "/", map[string]string{"X-Amz-Target": "Kinesis_20131202.Nope"}, "{}", 400,
			[]string{`"__type":"UnknownOperationException"`}, false},
		{"s3 method not allowed", "PATCH", "/b/k", s3Sig, "", 405, []string{"<Code>MethodNotAllowed</Code>"}, true},
		{"key path is not cleaned", "PUT", "/b//x/../y", s3Sig, "z", 200, []string{"PutObject b /x/../y z"}, true},
		{"operations path on a virtual host is a key", "GET", "/_tributary/health",
			map[string]string{"Host": "b.localhost", "Authorization": sigV4("s3")}, "", 200, []string{"GetObject b _tributary/health"}, true},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			resp, got := ts.do(t, tt.method, tt.path, body, tt.headers)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.wantStatus, got)
			}
			for _, want := range tt.wantBody {
				if !strings.Contains(got, want) {
					t.Errorf("body %q lacks %q", got, want)
				}
			}
			if tt.method == "HEAD" && got != "" {
				t.Errorf("HEAD body %q", got)
			}
			var id string
			if tt.s3Headers {
				id = resp.Header.Get("x-amz-request-id")
				if resp.Header.Get("x-amz-id-2") == "" || resp.Header.Get("x-amzn-RequestId") != "" {
					t.Errorf("S3 request id headers wrong: %v", resp.Header)
				}
				if strings.Contains(got, "<RequestId>") && !strings.Contains(got, "<RequestId>"+id+"</RequestId>") {
					t.Errorf("body request id differs from header %s: %s", id, got)
				}
			} else {
				id = resp.Header.Get("x-amzn-RequestId")
				if resp.Header.Get("x-amz-request-id") != "" {
					t.Errorf("non-S3 response carries x-amz-request-id: %v", resp.Header)
				}
			}
			if !requestIDPattern.MatchString(id) {
				t.Errorf("request id %q is not 16 uppercase hex digits", id)
			}
			if seen[id] {
				t.Errorf("request id %s reused", id)
			}
			seen[id] = true
		})
	}

	logs := ts.logText()
	if !strings.Contains(logs, "bad sector") || !strings.Contains(logs, "handler bug") {
		t.Errorf("unexpected errors were not logged with their cause:\n%s", logs)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if id, _ := entry["request_id"].(string); !requestIDPattern.MatchString(id) {
			t.Errorf("log line without request id: %s", line)
		}
	}
}

func TestServerNeverLogsSecrets(t *testing.T) {
	ts := newTestServer(t, false)
	auth := "AWS4-HMAC-SHA256 Credential=AKIDSECRETKEYID/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=deadbeefdeadbeef"
	ts.do(t, "GET", "/b/k?X-Amz-Signature=cafebabecafebabe&X-Amz-Security-Token=tokentoken", nil,
		map[string]string{"Authorization": auth, "X-Amz-Security-Token": "headertoken"})
	ts.do(t, "GET", "/b/plain-error?X-Amz-Signature=cafebabecafebabe", nil, map[string]string{"Authorization": auth})
	logs := ts.logText()
	for _, secret := range []string{"deadbeef", "cafebabe", "tokentoken", "headertoken", "AKIDSECRETKEYID"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"operation":"GetObject"`) || !strings.Contains(logs, `"status":200`) {
		t.Errorf("request log line missing fields:\n%s", logs)
	}
}

func TestServerAbortsHalfWrittenResponse(t *testing.T) {
	ts := newTestServer(t, false)
	req, _ := http.NewRequest("GET", ts.URL+"/b/half-written", nil)
	req.Header.Set("Authorization", sigV4("s3"))
	// The client fails either on the headers (nothing was flushed) or on
	// the short body; it never sees a complete response.
	if resp, err := ts.Client().Do(req); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Fatal("reading a half-written response succeeded; the connection should have been dropped")
		}
	}
	// The server still serves.
	if resp, _ := ts.do(t, "GET", "/b/k", nil, map[string]string{"Authorization": sigV4("s3")}); resp.StatusCode != 200 {
		t.Errorf("after abort: status %d", resp.StatusCode)
	}
}

// rawExchange sends request headers on a fresh connection and returns a
// reader on the connection.
func rawExchange(t *testing.T, addr, head string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	return conn, bufio.NewReader(conn)
}

func TestExpectContinue(t *testing.T) {
	ts := newTestServer(t, false)
	addr := strings.TrimPrefix(ts.URL, "http://")

	t.Run("refused without reading the body", func(t *testing.T) {
		_, br := rawExchange(t, addr, "PUT /b/k HTTP/1.1\r\nHost: localhost\r\nX-Test-Auth: deny\r\n"+
			"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403 before any body was sent", resp.StatusCode)
		}
		ts.auth.mu.Lock()
		taken := ts.auth.bodyTaken
		ts.auth.mu.Unlock()
		if taken {
			t.Error("the body was read before authentication")
		}
	})
	t.Run("continue then body", func(t *testing.T) {
		conn, br := rawExchange(t, addr, "PUT /b/k HTTP/1.1\r\nHost: localhost\r\nAuthorization: "+sigV4("s3")+"\r\n"+
			"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n")
		line, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
			t.Fatalf("first line %q (%v), want 100 Continue", line, err)
		}
		br.ReadString('\n') // blank line after the 100 status
		io.WriteString(conn, "hello")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(b) != "PutObject b k hello" {
			t.Fatalf("got %d %q", resp.StatusCode, b)
		}
	})
}

func TestAbsoluteFormTarget(t *testing.T) {
	ts := newTestServer(t, false)
	addr := strings.TrimPrefix(ts.URL, "http://")
	_, br := rawExchange(t, addr, "GET http://probe.localhost:4599/dir/a%2Bb HTTP/1.1\r\nHost: probe.localhost:4599\r\n"+
		"Authorization: "+sigV4("s3")+"\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "GetObject probe dir/a+b " {
		t.Fatalf("got %d %q", resp.StatusCode, b)
	}
}

func TestOperationsSurface(t *testing.T) {
	ts := newTestServer(t, false)
	resp, body := ts.do(t, "GET", "/_tributary/health", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	var health struct {
		Version  string            `json:"version"`
		Services map[string]string `json:"services"`
	}
	if err := json.Unmarshal([]byte(body), &health); err != nil {
		t.Fatal(err)
	}
	if health.Version != "1.2.3-test" || health.Services["s3"] != StateRunning || health.Services["kinesis"] != StateUnavailable ||
		len(health.Services) != 10 {
		t.Errorf("health = %+v", health)
	}
	if ts.auth.calls != 0 {
		t.Errorf("health was authenticated (%d calls)", ts.auth.calls)
	}

	ts.do(t, "PUT", "/b/k", strings.NewReader("12345"), map[string]string{"Authorization": sigV4("s3")})
	ts.do(t, "GET", "/b/no-such-key", nil, map[string]string{"Authorization": sigV4("s3")})
	_, metricsText := ts.do(t, "GET", "/_tributary/metrics", nil, nil)
	for _, want := range []string{
		`tributary_requests_total{code="200",operation="PutObject",service="s3"} 1`,
		`tributary_requests_total{code="404",operation="GetObject",service="s3"} 1`,
		`tributary_request_duration_seconds_count{operation="PutObject",service="s3"} 1`,
		`tributary_request_bytes_total{service="s3"} 5`,
		`tributary_response_bytes_total{service="s3"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(metricsText, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	if resp, _ := ts.do(t, "POST", "/_tributary/reset", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("reset while disabled: %d, want 404", resp.StatusCode)
	}
	if ts.s3.resets != 0 {
		t.Error("disabled reset reset a service")
	}
	if resp, _ := ts.do(t, "GET", "/_tributary/nothing", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown operations path: %d", resp.StatusCode)
	}

	enabled := newTestServer(t, true)
	if resp, _ := enabled.do(t, "GET", "/_tributary/reset", nil, nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET reset: %d, want 405", resp.StatusCode)
	}
	resp, body = enabled.do(t, "POST", "/_tributary/reset", nil, nil)
	if resp.StatusCode != 200 || enabled.s3.resets != 1 || !strings.Contains(body, `"reset":["s3"]`) {
		t.Errorf("reset: %d %s (resets %d)", resp.StatusCode, body, enabled.s3.resets)
	}
}

func TestNewRejectsWiringMistakes(t *testing.T) {
	for name, opts := range map[string]Options{
		"no authenticator": {},
		"duplicate names":  {Authenticator: &fakeAuth{}, Services: []Service{&fakeService{name: "s3"}, &fakeService{name: "s3"}}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("New did not refuse")
				}
			}()
			New(opts)
		})
	}
}
