package proc

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPythonHandlers(t *testing.T) {
	p := newTestPool(t, Config{})
	cases := []struct {
		name    string
		code    string
		handler string
		payload string
		timeout time.Duration
		check   func(t *testing.T, res Result, inv Invocation)
	}{
		{
			name:    "ok",
			code:    "def handler(event, context):\n    return {'x': event['a'], 'u': 'é'}\n",
			payload: `{"a":1}`,
			check: func(t *testing.T, res Result, _ Invocation) {
				// python3.12: ensure_ascii=False, RIC's separators.
				if string(res.Payload) != `{"x": 1, "u": "é"}` || res.FunctionError != "" || !res.Cold {
					t.Fatalf("got %q %q cold=%v", res.Payload, res.FunctionError, res.Cold)
				}
			},
		},
		{
			name: "none is null",
			code: "def handler(event, context):\n    return None\n",
			check: func(t *testing.T, res Result, _ Invocation) {
				if string(res.Payload) != "null" || res.FunctionError != "" {
					t.Fatalf("got %q %q", res.Payload, res.FunctionError)
				}
			},
		},
		{
			name: "raise",
			code: "def handler(event, context):\n    raise ValueError('boom')\n",
			check: func(t *testing.T, res Result, inv Invocation) {
				m := decode(t, res.Payload)
				if res.FunctionError != "Unhandled" || m["errorType"] != "ValueError" || m["errorMessage"] != "boom" || m["requestId"] != inv.RequestID {
					t.Fatalf("got %s %q", res.Payload, res.FunctionError)
				}
				st, _ := m["stackTrace"].([]any)
				if len(st) != 1 || !strings.Contains(st[0].(string), `app.py", line 2, in handler`) || !strings.Contains(st[0].(string), "raise ValueError('boom')") {
					t.Fatalf("stackTrace %v", m["stackTrace"])
				}
				if !strings.Contains(string(res.LogTail), "[ERROR] ValueError: boom\rTraceback (most recent call last):\r  File ") {
					t.Fatalf("tail %q", res.LogTail)
				}
			},
		},
		{
			name: "sys.exit(3)",
			code: "import sys\ndef handler(event, context):\n    sys.exit(3)\n",
			check: func(t *testing.T, res Result, inv Invocation) {
				want := `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: ` + inv.RequestID + ` Error: Runtime exited with error: exit status 3"}`
				if string(res.Payload) != want || res.FunctionError != "Unhandled" {
					t.Fatalf("got %s", res.Payload)
				}
			},
		},
		{
			name: "builtin exit() and site-packages",
			code: "import json.tool, sys\ndef handler(event, context):\n    return callable(exit) and callable(quit) and [p for p in sys.path if p.endswith('site-packages')] != []\n",
			check: func(t *testing.T, res Result, _ Invocation) {
				if string(res.Payload) != "true" {
					t.Fatalf("got %s", res.Payload)
				}
			},
		},
		{
			name: "boto3 honours AWS_ENDPOINT_URL",
			code: "import boto3\ndef handler(event, context):\n    return [boto3.client('kinesis').meta.endpoint_url, boto3.Session().get_credentials().access_key]\n",
			check: func(t *testing.T, res Result, _ Invocation) {
				if string(res.Payload) != `["http://127.0.0.1:4566", "AKIDTEST"]` {
					t.Fatalf("got %s", res.Payload)
				}
			},
		},
		{
			name:    "import error",
			code:    "",
			handler: "missing.handler",
			check: func(t *testing.T, res Result, _ Invocation) {
				jsonEqual(t, res.Payload, `{"errorMessage":"Unable to import module 'missing': No module named 'missing'","errorType":"Runtime.ImportModuleError","requestId":"","stackTrace":[]}`)
				if res.FunctionError != "Unhandled" {
					t.Fatal("no function error")
				}
			},
		},
		{
			name:    "missing handler",
			code:    "x = 1\n",
			handler: "app.nope",
			check: func(t *testing.T, res Result, _ Invocation) {
				jsonEqual(t, res.Payload, `{"errorMessage":"Handler 'nope' missing on module 'app'","errorType":"Runtime.HandlerNotFound","requestId":"","stackTrace":[]}`)
			},
		},
		{
			name:    "malformed handler",
			code:    "x = 1\n",
			handler: "app",
			check: func(t *testing.T, res Result, _ Invocation) {
				jsonEqual(t, res.Payload, `{"errorMessage":"Bad handler 'app': not enough values to unpack (expected 2, got 1)","errorType":"Runtime.MalformedHandlerName","requestId":"","stackTrace":[]}`)
			},
		},
		{
			name: "raises at import",
			code: "raise KeyError('cfg')\n",
			check: func(t *testing.T, res Result, _ Invocation) {
				m := decode(t, res.Payload)
				if m["errorType"] != "KeyError" || m["errorMessage"] != "'cfg'" {
					t.Fatalf("got %s", res.Payload)
				}
			},
		},
		{
			name: "syntax error",
			code: "def handler(event, context)\n    return 1\n",
			check: func(t *testing.T, res Result, _ Invocation) {
				m := decode(t, res.Payload)
				if m["errorType"] != "Runtime.UserCodeSyntaxError" || !strings.HasPrefix(m["errorMessage"].(string), "Syntax error in module 'app': ") {
					t.Fatalf("got %s", res.Payload)
				}
			},
		},
		{
			name: "unserialisable",
			code: "def handler(event, context):\n    return {1, 2}\n",
			check: func(t *testing.T, res Result, _ Invocation) {
				m := decode(t, res.Payload)
				if m["errorType"] != "Runtime.MarshalError" || m["errorMessage"] != "Unable to marshal response: Object of type set is not JSON serializable" {
					t.Fatalf("got %s", res.Payload)
				}
			},
		},
		{
			name: "answer over 6 MB",
			code: "def handler(event, context):\n    return 'x' * 6300000\n",
			check: func(t *testing.T, res Result, _ Invocation) {
				if string(res.Payload) != string(tooLargePayload) || res.FunctionError != "Unhandled" {
					t.Fatalf("got %.200s", res.Payload)
				}
			},
		},
		{
			name:    "timeout",
			code:    "import os, time\ndef handler(event, context):\n    print('pid', os.getpid(), flush=True)\n    time.sleep(30)\n",
			timeout: time.Second,
			check: func(t *testing.T, res Result, inv Invocation) {
				want := `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: ` + inv.RequestID + ` Error: Task timed out after 1.00 seconds"}`
				if string(res.Payload) != want || res.FunctionError != "Unhandled" {
					t.Fatalf("got %s", res.Payload)
				}
				m := regexp.MustCompile(`pid (\d+)`).FindSubmatch(res.LogTail)
				if m == nil {
					t.Fatalf("no pid in tail %q", res.LogTail)
				}
				pid, _ := strconv.Atoi(string(m[1]))
				if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
					t.Fatalf("process %d still exists: %v", pid, err)
				}
				if !regexp.MustCompile(`\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ` + inv.RequestID + ` Task timed out after 1.00 seconds\nEND RequestId: `).Match(res.LogTail) {
					t.Fatalf("tail %q", res.LogTail)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := codeDir(t, map[string]string{"app.py": tc.code})
			handler := tc.handler
			if handler == "" {
				handler = "app.handler"
			}
			fn := testFunction("py-"+strings.ReplaceAll(tc.name, " ", "-"), "python3.12", handler, dir)
			if tc.timeout > 0 {
				fn.Timeout = tc.timeout
			}
			res, inv := invoke(t, p, fn, orDefault(tc.payload, "{}"))
			tc.check(t, res, inv)
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Fatalf("the pool wrote into the code dir: %v", entries)
			}
		})
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// TestPythonLifecycle checks which outcomes keep the instance warm.
func TestPythonLifecycle(t *testing.T) {
	p := newTestPool(t, Config{})
	code := `import sys, time
count = 0
def handler(event, context):
    global count
    count += 1
    if event.get('raise'):
        raise RuntimeError('x')
    if event.get('exit'):
        sys.exit(0)
    if event.get('big'):
        return 'y' * 6300000
    if event.get('sleep'):
        time.sleep(event['sleep'])
    return count
`
	fn := testFunction("py-life", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": code}))
	fn.Timeout = time.Second
	steps := []struct {
		payload   string
		want      string // exact payload, "" to skip
		cold      bool
		errPrefix string
	}{
		{`{}`, "1", true, ""},
		{`{}`, "2", false, ""},
		{`{"raise":1}`, "", false, `{"errorMessage": "x", "errorType": "RuntimeError"`},
		{`{}`, "4", false, ""}, // an error keeps the instance
		{`{"big":1}`, string(tooLargePayload), false, ""},
		{`{}`, "6", false, ""}, // an oversize answer keeps the process
		{`{"exit":1}`, "", false, `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: `},
		{`{}`, "1", true, ""}, // exit → cold
		{`{"sleep":5}`, "", false, `{"errorType":"Sandbox.Timedout"`},
		{`{}`, "1", true, ""}, // timeout → cold
	}
	for i, s := range steps {
		res, inv := invoke(t, p, fn, s.payload)
		if res.Cold != s.cold {
			t.Fatalf("step %d: cold=%v want %v", i, res.Cold, s.cold)
		}
		if s.want != "" && string(res.Payload) != s.want {
			t.Fatalf("step %d: payload %.100q want %q", i, res.Payload, s.want)
		}
		if s.errPrefix != "" && !strings.HasPrefix(string(res.Payload), s.errPrefix) {
			t.Fatalf("step %d: payload %.200s", i, res.Payload)
		}
		if s.cold != (res.InitDuration > 0) {
			t.Fatalf("step %d: init duration %v cold %v", i, res.InitDuration, res.Cold)
		}
		_ = inv
	}
}

func TestPythonEnvironmentAndContext(t *testing.T) {
	t.Setenv("TRIBUTARY_HOST_SECRET", "leak")
	p := newTestPool(t, Config{})
	code := `import os
def handler(event, context):
    cc = context.client_context
    return {
        'env': dict(os.environ),
        'ctx': {
            'function_name': context.function_name,
            'function_version': context.function_version,
            'invoked_function_arn': context.invoked_function_arn,
            'memory_limit_in_mb': context.memory_limit_in_mb,
            'aws_request_id': context.aws_request_id,
            'log_group_name': context.log_group_name,
            'log_stream_name': context.log_stream_name,
            'remaining': context.get_remaining_time_in_millis(),
            'cognito_identity_id': context.identity.cognito_identity_id,
            'cognito_identity_pool_id': context.identity.cognito_identity_pool_id,
            'client_custom': cc.custom if cc else None,
            'client_app_title': cc.client.app_title if cc and cc.client else None,
        },
        'cwd': os.getcwd(),
    }
`
	dir := codeDir(t, map[string]string{"app.py": code})
	fn := testFunction("py-env", "python3.12", "app.handler", dir)
	fn.Env["TZ"] = "Europe/Paris"
	inv := Invocation{
		RequestID:       newID(),
		Payload:         []byte(`{}`),
		InvokedARN:      fn.ARN + ":prod",
		ClientContext:   `{"client":{"app_title":"demo"},"custom":{"k":"v"},"env":{}}`,
		CognitoIdentity: `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
	}
	res, err := p.Invoke(context.Background(), fn, inv)
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, res.Payload)
	env := m["env"].(map[string]any)
	ctx := m["ctx"].(map[string]any)
	wantEnv := map[string]string{
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:4566",
		"AWS_REGION":                      "us-east-1",
		"AWS_DEFAULT_REGION":              "us-east-1",
		"AWS_ACCESS_KEY_ID":               "AKIDTEST",
		"AWS_SECRET_ACCESS_KEY":           "secret",
		"AWS_SESSION_TOKEN":               "token",
		"AWS_LAMBDA_FUNCTION_NAME":        "py-env",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/py-env",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_python3.12",
		"_HANDLER":                        "app.handler",
		"LAMBDA_TASK_ROOT":                dir,
		"TZ":                              "Europe/Paris",
		"LANG":                            "en_US.UTF-8",
		"USER_VAR":                        "user-value",
	}
	for k, v := range wantEnv {
		if env[k] != v {
			t.Errorf("env %s = %v, want %q", k, env[k], v)
		}
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(env["AWS_LAMBDA_RUNTIME_API"].(string)) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API %v", env["AWS_LAMBDA_RUNTIME_API"])
	}
	if !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(env["_X_AMZN_TRACE_ID"].(string)) {
		t.Errorf("_X_AMZN_TRACE_ID %v", env["_X_AMZN_TRACE_ID"])
	}
	if _, ok := env["TRIBUTARY_HOST_SECRET"]; ok {
		t.Error("the host environment leaked into the function")
	}
	streamRE := regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`)
	if !streamRE.MatchString(env["AWS_LAMBDA_LOG_STREAM_NAME"].(string)) || ctx["log_stream_name"] != env["AWS_LAMBDA_LOG_STREAM_NAME"] {
		t.Errorf("log stream %v / %v", env["AWS_LAMBDA_LOG_STREAM_NAME"], ctx["log_stream_name"])
	}
	wantCtx := map[string]any{
		"function_name":            "py-env",
		"function_version":         "$LATEST",
		"invoked_function_arn":     fn.ARN + ":prod",
		"memory_limit_in_mb":       "256",
		"aws_request_id":           inv.RequestID,
		"log_group_name":           "/aws/lambda/py-env",
		"cognito_identity_id":      "id-1",
		"cognito_identity_pool_id": "pool-1",
		"client_app_title":         "demo",
	}
	for k, v := range wantCtx {
		if ctx[k] != v {
			t.Errorf("context.%s = %#v, want %#v", k, ctx[k], v)
		}
	}
	if c, _ := ctx["client_custom"].(map[string]any); c["k"] != "v" {
		t.Errorf("client_context.custom %v", ctx["client_custom"])
	}
	if r, _ := ctx["remaining"].(float64); r <= 0 || r > 3000 {
		t.Errorf("remaining %v", ctx["remaining"])
	}
	if m["cwd"] != dir {
		t.Errorf("cwd %v", m["cwd"])
	}
}

func TestPythonLogs(t *testing.T) {
	sink := &memSink{}
	p := newTestPool(t, Config{Logs: sink})
	code := "import logging\ndef handler(event, context):\n    print('line one')\n    print('line two\\nline three')\n    logging.getLogger().warning('careful')\n    return 1\n"
	fn := testFunction("py-logs", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": code}))
	r1, inv1 := invoke(t, p, fn, `{}`)
	r2, inv2 := invoke(t, p, fn, `{}`)
	if !r1.Cold || r2.Cold {
		t.Fatalf("cold %v %v", r1.Cold, r2.Cold)
	}
	p.Close() // flushes the logs
	msgs := sink.messages("/aws/lambda/py-logs")
	if len(sink.streams("/aws/lambda/py-logs")) != 1 {
		t.Fatalf("streams %v", sink.streams("/aws/lambda/py-logs"))
	}
	text := strings.Join(msgs, "\n")
	report := `REPORT RequestId: %s\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\t`
	for _, re := range []string{
		`^INIT_START Runtime Version: python3\.12\.tributary\n` +
			`START RequestId: ` + inv1.RequestID + ` Version: \$LATEST\n` +
			`line one\nline two\nline three\n` +
			`\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t` + inv1.RequestID + `\tcareful\n` +
			`END RequestId: ` + inv1.RequestID + `\n` +
			strings.ReplaceAll(report, "%s", inv1.RequestID) + `Init Duration: \d+\.\d\d ms\t\n` +
			`START RequestId: ` + inv2.RequestID + ` Version: \$LATEST\n` +
			`line one\nline two\nline three\n` +
			`\[WARNING\]\t[^\n]*\tcareful\n` +
			`END RequestId: ` + inv2.RequestID + `\n` +
			strings.ReplaceAll(report, "%s", inv2.RequestID) + `$`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Fatalf("log text\n%s\ndoes not match\n%s", text, re)
		}
	}
	if !strings.HasPrefix(string(r2.LogTail), "START RequestId: "+inv2.RequestID) || !strings.Contains(string(r2.LogTail), "REPORT RequestId: "+inv2.RequestID) {
		t.Fatalf("tail %q", r2.LogTail)
	}
}

func TestConcurrencyLimits(t *testing.T) {
	p := newTestPool(t, Config{MaxConcurrency: 2})
	code := "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 'ok'\n"
	dir := codeDir(t, map[string]string{"app.py": code})
	reserved := testFunction("py-reserved", "python3.12", "app.handler", dir)
	reserved.ReservedConcurrency = 1
	shared := testFunction("py-shared", "python3.12", "app.handler", dir)
	zero := testFunction("py-zero", "python3.12", "app.handler", dir)
	zero.ReservedConcurrency = 0

	throttle := func(fn Function) string {
		_, err := p.Invoke(context.Background(), fn, Invocation{RequestID: newID(), Payload: []byte(`{}`)})
		var te *ThrottleError
		if errors.As(err, &te) {
			return te.Reason
		}
		if err != nil {
			t.Fatal(err)
		}
		return ""
	}
	if got := throttle(zero); got != ReasonReserved {
		t.Fatalf("reserved 0: %q", got)
	}
	started := make(chan struct{})
	busy := func(fn Function) chan struct{} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			go func() { time.Sleep(100 * time.Millisecond); started <- struct{}{} }()
			p.Invoke(context.Background(), fn, Invocation{RequestID: newID(), Payload: []byte(`{"sleep":1.5}`)})
		}()
		<-started
		return done
	}
	d1 := busy(reserved)
	if got := throttle(reserved); got != ReasonReserved {
		t.Fatalf("second invoke of a reserved=1 function: %q", got)
	}
	d2 := busy(shared)
	d3 := busy(shared)
	if got := throttle(shared); got != ReasonAccount {
		t.Fatalf("third unreserved invoke with MaxConcurrency 2: %q", got)
	}
	<-d1
	<-d2
	<-d3
	if got := throttle(reserved); got != "" {
		t.Fatalf("after the busy invoke ended: %q", got)
	}
}

func TestIdleTimeoutAndCancel(t *testing.T) {
	p := newTestPool(t, Config{IdleTimeout: 50 * time.Millisecond})
	code := "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 1\n"
	fn := testFunction("py-idle", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": code}))
	invoke(t, p, fn, `{}`)
	time.Sleep(300 * time.Millisecond)
	if r, _ := invoke(t, p, fn, `{}`); !r.Cold {
		t.Fatal("an instance idle past IdleTimeout was reused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := p.Invoke(ctx, fn, Invocation{RequestID: newID(), Payload: []byte(`{"sleep":5}`)}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled invoke: %v", err)
	}
	if r, _ := invoke(t, p, fn, `{}`); !r.Cold {
		t.Fatal("the instance of a cancelled invoke was reused")
	}
}

func TestEvictAndUnsupported(t *testing.T) {
	p := newTestPool(t, Config{})
	fn := testFunction("py-evict", "python3.12", "app.handler", codeDir(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"}))
	if r, _ := invoke(t, p, fn, `{}`); !r.Cold {
		t.Fatal("first invoke not cold")
	}
	if r, _ := invoke(t, p, fn, `{}`); r.Cold {
		t.Fatal("second invoke cold")
	}
	p.Evict("py-evict")
	if r, _ := invoke(t, p, fn, `{}`); !r.Cold {
		t.Fatal("invoke after Evict not cold")
	}
	for _, rt := range []string{"java21", "dotnet8", "ruby3.3"} {
		java := fn
		java.Runtime = rt
		if _, err := p.Invoke(context.Background(), java, Invocation{RequestID: newID()}); !errors.Is(err, ErrUnsupportedRuntime) {
			t.Fatalf("%s: %v", rt, err)
		}
	}
	p.Close()
	if _, err := p.Invoke(context.Background(), fn, Invocation{RequestID: newID()}); err == nil {
		t.Fatal("invoke after Close succeeded")
	}
}
