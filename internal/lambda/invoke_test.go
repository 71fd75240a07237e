package lambda

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/lambda/proc"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

func TestInvoke(t *testing.T) {
	e := newTestEnv(t)
	e.create("f", nil)
	e.create("j", map[string]any{"Runtime": "java21", "Handler": "x.Handler::handle"})
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name    string
		fn      string
		header  http.Header
		body    []byte
		behave  func(proc.Function, proc.Invocation) (proc.Result, error)
		status  int
		code    string
		msg     string
		headers map[string]string
		payload string
	}{
		{name: "sync ok", fn: "f", body: []byte(`{"x":1}`), status: 200, payload: `{"x":1}`,
			headers: map[string]string{"X-Amz-Executed-Version": "$LATEST"}},
		{name: "function error", fn: "f", body: []byte(`{}`), status: 200,
			behave: func(proc.Function, proc.Invocation) (proc.Result, error) {
				return proc.Result{Payload: []byte(`{"errorMessage":"boom","errorType":"Exception"}`), FunctionError: "Unhandled"}, nil
			},
			headers: map[string]string{"X-Amz-Function-Error": "Unhandled"}, payload: `{"errorMessage":"boom","errorType":"Exception"}`},
		{name: "tail", fn: "f", header: hdr("X-Amz-Log-Type", "Tail"), body: []byte(`{}`), status: 200,
			behave: func(_ proc.Function, inv proc.Invocation) (proc.Result, error) {
				if !inv.Tail {
					return proc.Result{}, errors.New("tail not asked")
				}
				return proc.Result{Payload: []byte(`null`), LogTail: []byte("START RequestId: x\n")}, nil
			},
			headers: map[string]string{"X-Amz-Log-Result": base64.StdEncoding.EncodeToString([]byte("START RequestId: x\n"))}, payload: "null"},
		{name: "throttled", fn: "f", body: []byte(`{}`), status: 429, code: codeTooManyRequests, msg: "Rate Exceeded.",
			behave: func(proc.Function, proc.Invocation) (proc.Result, error) {
				return proc.Result{}, &proc.ThrottleError{Reason: proc.ReasonReserved}
			},
			headers: map[string]string{"Retry-After": "1"}},
		{name: "unsupported runtime", fn: "j", body: []byte(`{}`), status: 502, code: codeInvalidRuntime, msg: "java21",
			behave: func(proc.Function, proc.Invocation) (proc.Result, error) {
				return proc.Result{}, proc.ErrUnsupportedRuntime
			}},
		{name: "not json", fn: "f", body: []byte(`{nope`), status: 400, code: codeInvalidContent, msg: "Could not parse request body into json"},
		{name: "sync too large", fn: "f", body: []byte(`"` + strings.Repeat("a", maxSyncPayload) + `"`), status: 413, code: codeTooLarge,
			msg: "Request must be smaller than 6291456 bytes for the InvokeFunction operation"},
		{name: "async too large", fn: "f", header: hdr("X-Amz-Invocation-Type", "Event"), body: []byte(`"` + strings.Repeat("a", maxAsyncPayload) + `"`),
			status: 413, code: codeTooLarge, msg: "1048578 byte payload is too large for the Event invocation type (limit 1048576 bytes)"},
		{name: "dry run", fn: "f", header: hdr("X-Amz-Invocation-Type", "DryRun"), status: 204},
		{name: "bad invocation type", fn: "f", header: hdr("X-Amz-Invocation-Type", "Later"), status: 400, code: codeValidation, msg: "invocationType"},
		{name: "unknown function", fn: "nope", status: 404, code: codeNotFound, msg: "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"},
		{name: "unknown version", fn: "f:7", status: 404, code: codeNotFound, msg: "function:f:7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.exec.setBehave(tc.behave)
			r := e.call("POST", "Invoke", fnParam(tc.fn), nil, tc.header, tc.body)
			if tc.code != "" {
				wantErr(t, r, tc.status, tc.code, tc.msg)
			} else if r.status != tc.status {
				t.Fatalf("status %d %s", r.status, r.body)
			}
			for k, v := range tc.headers {
				if got := r.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tc.payload != "" && string(r.body) != tc.payload {
				t.Errorf("payload %s, want %s", r.body, tc.payload)
			}
		})
	}
	if got := wantReason(t, e); got != proc.ReasonReserved {
		t.Fatalf("throttle reason %q", got)
	}
}

func wantReason(t *testing.T, e *testEnv) string {
	e.exec.setBehave(func(proc.Function, proc.Invocation) (proc.Result, error) {
		return proc.Result{}, &proc.ThrottleError{Reason: proc.ReasonReserved}
	})
	m := e.call("POST", "Invoke", fnParam("f"), nil, nil, nil).json(t)
	r, _ := m["Reason"].(string)
	return r
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (e *testEnv) queueLen() int {
	n := 0
	e.meta.View(func(r kv.Reader) error {
		return r.Iterate([]byte(prefixQueue), []byte(prefixQueue+"\xff"), func(_, _ []byte) (bool, error) { n++; return true, nil })
	})
	return n
}

// realClock: retries are due by the service clock, waited for with real
// timers, so async tests run on the wall clock with millisecond delays.
func realClock(c *Config) { c.Now = time.Now }

func TestAsyncRetries(t *testing.T) {
	tests := []struct {
		name      string
		failures  int // function errors before success (-1: always)
		wantCalls int
	}{
		{"success", 0, 1},
		{"one failure then success", 1, 2},
		{"always failing: 1 + 2 retries", -1, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, realClock)
			e.create("f", nil)
			e.exec.setBehave(func(fn proc.Function, inv proc.Invocation) (proc.Result, error) {
				if tc.failures < 0 || e.exec.numCalls() <= tc.failures {
					return proc.Result{Payload: []byte(`{"errorType":"E"}`), FunctionError: "Unhandled"}, nil
				}
				return proc.Result{Payload: []byte(`null`)}, nil
			})
			r := e.call("POST", "Invoke", fnParam("f"), nil, http.Header{"X-Amz-Invocation-Type": {"Event"}}, []byte(`{"n":1}`))
			if r.status != 202 {
				t.Fatalf("event invoke: %d %s", r.status, r.body)
			}
			waitFor(t, "queue drained", func() bool { return e.queueLen() == 0 })
			if got := e.exec.numCalls(); got != tc.wantCalls {
				t.Fatalf("calls %d, want %d", got, tc.wantCalls)
			}
			c := e.exec.calls[0]
			if string(c.inv.Payload) != `{"n":1}` || c.inv.RequestID == "" {
				t.Fatalf("call %+v", c.inv)
			}
			if tc.wantCalls > 1 && e.exec.calls[1].inv.RequestID != c.inv.RequestID {
				t.Fatalf("retry has another request id")
			}
		})
	}
}

func TestAsyncThrottleBackoff(t *testing.T) {
	e := newTestEnv(t, realClock)
	e.create("f", nil)
	e.exec.setBehave(func(proc.Function, proc.Invocation) (proc.Result, error) {
		if e.exec.numCalls() <= 3 {
			return proc.Result{}, &proc.ThrottleError{Reason: proc.ReasonAccount}
		}
		return proc.Result{Payload: []byte(`null`)}, nil
	})
	e.call("POST", "Invoke", fnParam("f"), nil, http.Header{"X-Amz-Invocation-Type": {"Event"}}, []byte(`{}`))
	waitFor(t, "queue drained", func() bool { return e.queueLen() == 0 })
	if got := e.exec.numCalls(); got != 4 {
		t.Fatalf("calls %d, want 4 (throttles are retried beyond the 2 function-error retries)", got)
	}
}

func TestAsyncSurvivesRestart(t *testing.T) {
	e := newTestEnv(t)
	e.create("f", nil)
	// Stop the workers, queue two invocations, start a new service on the
	// same store: both run.
	e.svc.Stop(context.Background())
	for i := 0; i < 2; i++ {
		if r := e.call("POST", "Invoke", fnParam("f"), nil, http.Header{"X-Amz-Invocation-Type": {"Event"}}, []byte(`{}`)); r.status != 202 {
			t.Fatalf("event: %d", r.status)
		}
	}
	if e.exec.numCalls() != 0 || e.queueLen() != 2 {
		t.Fatalf("ran while stopped: calls %d queue %d", e.exec.numCalls(), e.queueLen())
	}
	e.start()
	waitFor(t, "queue drained", func() bool { return e.queueLen() == 0 })
	if e.exec.numCalls() != 2 {
		t.Fatalf("calls %d", e.exec.numCalls())
	}
}

func TestInProcessInvokers(t *testing.T) {
	e := newTestEnv(t)
	e.create("f", nil)
	arn := "arn:aws:lambda:us-east-1:123456789012:function:f"
	out, fe, err := e.svc.InvokeSync(context.Background(), arn, []byte(`{"k":1}`))
	if err != nil || fe != "" || string(out) != `{"k":1}` {
		t.Fatalf("InvokeSync: %s %q %v", out, fe, err)
	}
	if _, _, err := e.svc.InvokeSync(context.Background(), arn+"x", nil); !errors.Is(err, ErrFunctionNotFound) {
		t.Fatalf("missing function: %v", err)
	}
	src := "arn:aws:logs:us-east-1:123456789012:log-group:/app:*"
	if err := e.svc.InvokeAsyncAs(context.Background(), arn, "logs.amazonaws.com", src, testAccount, []byte(`{}`)); !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("without policy: %v", err)
	}
	e.call("POST", "AddPermission", fnParam("f"), nil, nil, []byte(`{"StatementId":"l","Action":"lambda:InvokeFunction","Principal":"logs.amazonaws.com"}`))
	if err := e.svc.InvokeAsyncAs(context.Background(), arn, "logs.amazonaws.com", src, testAccount, []byte(`{"awslogs":{}}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "async delivered", func() bool { return e.exec.numCalls() == 2 })
}
