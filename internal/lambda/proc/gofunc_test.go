package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// buildGoEcho builds examples/functions/go-echo as a provided runtime's bootstrap.
func buildGoEcho(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a Go function")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "bootstrap"), "./examples/functions/go-echo")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build go-echo: %v\n%s", err, out)
	}
	return dir
}

func TestGoFunction(t *testing.T) {
	dir := buildGoEcho(t)
	sink := &memSink{}
	p := newTestPool(t, Config{Logs: sink})
	fn := testFunction("go-echo", "provided.al2023", "bootstrap", dir)
	fn.Timeout = time.Second
	steps := []struct {
		name    string
		payload string
		cold    bool
		check   func(t *testing.T, res Result, inv Invocation)
	}{
		{"ok", `{"value":"v","print":["hello from go"]}`, true, func(t *testing.T, res Result, inv Invocation) {
			m := decode(t, res.Payload)
			env := m["env"].(map[string]any)
			if res.FunctionError != "" || m["request_id"] != inv.RequestID || m["invoked_arn"] != fn.ARN || m["function_name"] != "go-echo" ||
				m["memory_mb"] != 256.0 || m["version"] != "$LATEST" || m["log_group"] != "/aws/lambda/go-echo" ||
				env["AWS_ENDPOINT_URL"] != "http://127.0.0.1:4566" || env["TZ"] != ":UTC" || m["invocations"] != 1.0 {
				t.Fatalf("got %s", res.Payload)
			}
			if _, ok := env["AWS_EXECUTION_ENV"]; ok {
				t.Fatal("AWS_EXECUTION_ENV set for a provided runtime")
			}
			if r := m["remaining_ms"].(float64); r <= 0 || r > 1000 {
				t.Fatalf("remaining %v", r)
			}
			if !strings.Contains(string(res.LogTail), "\nhello from go\nEND RequestId: "+inv.RequestID) {
				t.Fatalf("tail %q", res.LogTail)
			}
		}},
		{"warm", `{}`, false, func(t *testing.T, res Result, _ Invocation) {
			if m := decode(t, res.Payload); m["invocations"] != 2.0 {
				t.Fatalf("got %s", res.Payload)
			}
		}},
		{"error", `{"error":"bad input"}`, false, func(t *testing.T, res Result, _ Invocation) {
			jsonEqual(t, res.Payload, `{"errorMessage":"bad input","errorType":"errorString"}`)
			if res.FunctionError != "Unhandled" {
				t.Fatal("no function error")
			}
		}},
		{"panic", `{"panic":"oh no"}`, false, func(t *testing.T, res Result, _ Invocation) {
			m := decode(t, res.Payload)
			if m["errorType"] != "string" || m["errorMessage"] != "oh no" || res.FunctionError != "Unhandled" {
				t.Fatalf("got %s", res.Payload)
			}
			if st, _ := m["stackTrace"].([]any); len(st) == 0 {
				t.Fatalf("no stack frames: %s", res.Payload)
			}
		}},
		// aws-lambda-go exits after a panic: the next invoke runs cold, not as an exit error.
		{"after panic", `{}`, true, func(t *testing.T, res Result, _ Invocation) {
			if m := decode(t, res.Payload); m["invocations"] != 1.0 || res.FunctionError != "" {
				t.Fatalf("got %s", res.Payload)
			}
		}},
		{"exit", `{"exit":2}`, false, func(t *testing.T, res Result, inv Invocation) {
			want := `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: ` + inv.RequestID + ` Error: Runtime exited with error: exit status 2"}`
			if string(res.Payload) != want {
				t.Fatalf("got %s", res.Payload)
			}
		}},
		{"timeout", `{"sleep_ms":3000}`, true, func(t *testing.T, res Result, inv Invocation) {
			want := `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: ` + inv.RequestID + ` Error: Task timed out after 1.00 seconds"}`
			if string(res.Payload) != want {
				t.Fatalf("got %s", res.Payload)
			}
		}},
	}
	for _, s := range steps {
		res, inv := invoke(t, p, fn, s.payload)
		if res.Cold != s.cold {
			t.Fatalf("%s: cold=%v want %v (%s)", s.name, res.Cold, s.cold, res.Payload)
		}
		s.check(t, res, inv)
	}
}

func TestProvidedBootstrapProblems(t *testing.T) {
	p := newTestPool(t, Config{})
	missing := testFunction("no-bootstrap", "provided.al2", "h", codeDir(t, map[string]string{"main.go": "package main"}))
	res, inv := invoke(t, p, missing, `{}`)
	want := `{"errorType":"Runtime.InvalidEntrypoint","errorMessage":"RequestId: ` + inv.RequestID + ` Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"}`
	if string(res.Payload) != want || res.FunctionError != "Unhandled" || !res.Cold {
		t.Fatalf("got %s", res.Payload)
	}
	if !strings.Contains(string(res.LogTail), "START RequestId: "+inv.RequestID) || !strings.Contains(string(res.LogTail), "REPORT RequestId: "+inv.RequestID) {
		t.Fatalf("tail %q", res.LogTail)
	}

	dir := codeDir(t, map[string]string{"bootstrap": "#!/bin/sh\nexit 0\n"})
	os.Chmod(filepath.Join(dir, "bootstrap"), 0o644)
	notExec := testFunction("not-exec", "provided.al2023", "h", dir)
	res, _ = invoke(t, p, notExec, `{}`)
	if m := decode(t, res.Payload); m["errorType"] != "Runtime.InvalidEntrypoint" || !strings.Contains(m["errorMessage"].(string), "permission denied") {
		t.Fatalf("got %s", res.Payload)
	}

	exits := testFunction("exits", "provided.al2023", "h", codeDir(t, map[string]string{"bootstrap": "#!/bin/sh\necho starting\nexit 0\n"}))
	res, inv = invoke(t, p, exits, `{}`)
	want = `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: ` + inv.RequestID + ` Error: Runtime exited without providing a reason"}`
	if string(res.Payload) != want || !strings.Contains(string(res.LogTail), "starting\n") {
		t.Fatalf("got %s / %q", res.Payload, res.LogTail)
	}
}

func TestExamplePythonHello(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "functions", "python-hello")
	p := newTestPool(t, Config{})
	fn := testFunction("hello", "python3.12", "app.handler", dir)
	invoke(t, p, fn, `{}`)
	res, _ := invoke(t, p, fn, `{"name":"Ada"}`)
	m := decode(t, res.Payload)
	if m["message"] != "Hello, Ada!" || m["invocations"] != 2.0 || m["function"] != "hello" || m["region"] != "us-east-1" {
		t.Fatalf("got %s", res.Payload)
	}
	if !strings.Contains(string(res.LogTail), `{"greeting": "Ada", "request_id": "`) {
		t.Fatalf("tail %q", res.LogTail)
	}
}
