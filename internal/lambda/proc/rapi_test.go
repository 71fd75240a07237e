package proc

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// apiInstance is an instance without a process, its Runtime API on httptest.
func apiInstance(t *testing.T) (*instance, string) {
	t.Helper()
	p := newTestPool(t, Config{})
	inst := newInstance(p, testFunction("api", "provided.al2023", "h", t.TempDir()), "provided")
	r, w, err := newPipe()
	if err != nil {
		t.Fatal(err)
	}
	inst.out = newOutput(r, p.now, inst.emit)
	go inst.out.run()
	t.Cleanup(func() { w.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newRAPIServer(inst, ln)
	go srv.serve()
	t.Cleanup(srv.Close)
	return inst, "http://" + ln.Addr().String() + "/2018-06-01/runtime/"
}

func do(t *testing.T, method, url string, body io.Reader, hdr http.Header, trailer http.Header) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Trailer = trailer
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// onlyReader hides a reader's length, so the client sends it chunked.
type onlyReader struct{ io.Reader }

func TestRuntimeAPI(t *testing.T) {
	inst, base := apiInstance(t)
	newCall := func(id string) *call {
		c := &call{
			inv:        Invocation{RequestID: id, Payload: []byte(`{"k":1}`), InvokedARN: inst.fn.ARN + ":live", ClientContext: `{"custom":{}}`, CognitoIdentity: `{"cognitoIdentityId":"i"}`},
			trace:      newTraceID(time.Now()),
			timeout:    3 * time.Second,
			dispatched: make(chan struct{}),
			result:     make(chan answer, 1),
		}
		inst.dispatch(c)
		return c
	}

	// init/error is allowed before the first /next only.
	c1 := newCall("req-1")
	status, body, hdr := do(t, "GET", base+"invocation/next", nil, nil, nil)
	if status != 200 || body != `{"k":1}` {
		t.Fatalf("next: %d %s", status, body)
	}
	dl, _ := strconv.ParseInt(hdr.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if left := time.Until(time.UnixMilli(dl)); left < 2*time.Second || left > 3*time.Second {
		t.Fatalf("deadline %v away", left)
	}
	for k, want := range map[string]string{
		"Lambda-Runtime-Aws-Request-Id":       "req-1",
		"Lambda-Runtime-Invoked-Function-Arn": inst.fn.ARN + ":live",
		"Lambda-Runtime-Client-Context":       `{"custom":{}}`,
		"Lambda-Runtime-Cognito-Identity":     `{"cognitoIdentityId":"i"}`,
		"Content-Type":                        "application/json",
	} {
		if hdr.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, hdr.Get(k), want)
		}
	}
	if !strings.HasPrefix(hdr.Get("Lambda-Runtime-Trace-Id"), "Root=1-") {
		t.Errorf("trace %q", hdr.Get("Lambda-Runtime-Trace-Id"))
	}

	chunked := http.Header{"Lambda-Runtime-Function-Error-Type": nil, "Lambda-Runtime-Function-Error-Body": nil}
	cases := []struct {
		name       string
		method     string
		path       string
		body       io.Reader
		trailer    http.Header
		wantStatus int
		wantBody   string
	}{
		{"unknown id", "POST", "invocation/nope/response", strings.NewReader(`1`), nil, 400, `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`},
		{"unknown id error", "POST", "invocation/nope/error", strings.NewReader(`{}`), nil, 400, `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`},
		{"init error after next", "POST", "init/error", strings.NewReader(`{}`), nil, 403, string(errTransition)},
		{"chunked with trailers", "POST", "invocation/req-1/response", onlyReader{strings.NewReader(`{"answer":42}`)}, chunked, 202, `{"status":"OK"}`},
		{"second answer", "POST", "invocation/req-1/error", strings.NewReader(`{}`), nil, 403, string(errTransition)},
		{"extensions", "POST", "../../2020-01-01/extension/register", strings.NewReader(`{}`), nil, 404, string(errNotFound)},
		{"wrong method", "GET", "invocation/req-1/response", nil, nil, 405, string(errMethod)},
	}
	for _, tc := range cases {
		status, body, _ := do(t, tc.method, base+tc.path, tc.body, nil, tc.trailer)
		if status != tc.wantStatus || body != tc.wantBody {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.wantStatus, tc.wantBody)
		}
	}
	if a := <-c1.result; string(a.body) != `{"answer":42}` || a.isErr {
		t.Fatalf("answer %+v", a)
	}

	// An error without Lambda-Runtime-Function-Error-Type, Content-Length body.
	c2 := newCall("req-2")
	do(t, "GET", base+"invocation/next", nil, nil, nil)
	if status, body, _ := do(t, "POST", base+"invocation/req-2/error", strings.NewReader(`{"errorMessage":"m","errorType":"T"}`), nil, nil); status != 202 || body != `{"status":"OK"}` {
		t.Fatalf("error: %d %s", status, body)
	}
	if a := <-c2.result; string(a.body) != `{"errorMessage":"m","errorType":"T"}` || !a.isErr {
		t.Fatalf("answer %+v", a)
	}

	// Oversize answers, announced and chunked.
	for i, big := range []io.Reader{bytes.NewReader(make([]byte, maxResponse+1)), onlyReader{bytes.NewReader(make([]byte, maxResponse+1))}} {
		id := "big-" + strconv.Itoa(i)
		c := newCall(id)
		do(t, "GET", base+"invocation/next", nil, nil, nil)
		status, body, _ := do(t, "POST", base+"invocation/"+id+"/response", big, nil, nil)
		if status != 413 || body != `{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}` {
			t.Fatalf("oversize %d: %d %s", i, status, body)
		}
		if a := <-c.result; !a.tooLarge {
			t.Fatalf("answer %+v", a)
		}
	}
	// Exactly at the cap is accepted.
	c3 := newCall("cap")
	do(t, "GET", base+"invocation/next", nil, nil, nil)
	if status, _, _ := do(t, "POST", base+"invocation/cap/response", bytes.NewReader(make([]byte, maxResponse)), nil, nil); status != 202 {
		t.Fatalf("at cap: %d", status)
	}
	if a := <-c3.result; len(a.body) != maxResponse {
		t.Fatalf("at cap: %d bytes", len(a.body))
	}
}

func TestRuntimeAPIInitError(t *testing.T) {
	inst, base := apiInstance(t)
	body := `{"errorMessage":"x","errorType":"Runtime.ImportModuleError","requestId":"","stackTrace":[]}`
	if status, resp, _ := do(t, "POST", base+"init/error", strings.NewReader(body), http.Header{"Lambda-Runtime-Function-Error-Type": {"Runtime.ImportModuleError"}}, nil); status != 202 || resp != `{"status":"OK"}` {
		t.Fatalf("init error: %d %s", status, resp)
	}
	<-inst.initErrCh
	if string(inst.initErr) != body {
		t.Fatalf("stored %q", inst.initErr)
	}
	if status, _, _ := do(t, "POST", base+"init/error", strings.NewReader(body), nil, nil); status != 403 {
		t.Fatalf("second init error: %d", status)
	}
}
