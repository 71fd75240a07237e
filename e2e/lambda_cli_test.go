package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The aws CLI (v1) against the Lambda API with real function processes.

const e2eRole = "arn:aws:iam::000000000000:role/lambda-e2e"

// zipFiles builds a zip in dir/name: file name → content; a name ending
// in "*" is stored executable.
func zipFiles(t *testing.T, dir, name string, files map[string][]byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, content := range files {
		h := &zip.FileHeader{Name: strings.TrimSuffix(n, "*"), Method: zip.Deflate}
		h.SetMode(0o644)
		if strings.HasSuffix(n, "*") {
			h.SetMode(0o755)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, filepath.Join(dir, name), buf.Bytes())
}

// invokeCLI runs `aws lambda invoke` and returns the CLI's JSON answer and
// the function's output file.
func (s *server) invokeCLI(t *testing.T, dir, fn, payload string, extra ...string) (map[string]any, []byte) {
	t.Helper()
	out := filepath.Join(dir, "out-"+uniqueBucket("i")+".json")
	args := append([]string{"lambda", "invoke", "--function-name", fn, "--payload", payload}, extra...)
	m := s.awsJSON(t, append(args, out)...)
	return m, readFileMaybe(out)
}

// TestLambdaCLIPython: create (zip inline), wait, invoke sync/async/Tail,
// update code, get/list, permissions, delete, with a Python function.
func TestLambdaCLIPython(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	dir := t.TempDir()
	fn := uniqueBucket("cli-py")
	v1 := zipFiles(t, dir, "v1.zip", map[string][]byte{"app.py": []byte(
		"import json\n" +
			"def handler(event, context):\n" +
			"    print('marker', json.dumps(event))\n" +
			"    return {'version': 1, 'event': event, 'name': context.function_name}\n")})
	created := s.awsJSON(t, "lambda", "create-function", "--function-name", fn, "--runtime", "python3.12",
		"--handler", "app.handler", "--role", e2eRole, "--zip-file", "fileb://"+v1,
		"--environment", "Variables={GREETING=hi}")
	if str(created, "State") != "Pending" || str(created, "FunctionArn") != "arn:aws:lambda:us-east-1:000000000000:function:"+fn {
		t.Fatalf("create-function: %v", created)
	}
	s.aws(t, "lambda", "wait", "function-active", "--function-name", fn)
	s.awsFail(t, "ResourceConflictException", "lambda", "create-function", "--function-name", fn, "--runtime", "python3.12",
		"--handler", "app.handler", "--role", e2eRole, "--zip-file", "fileb://"+v1)

	// Sync invoke: CLI v1 sends --payload as is.
	res, body := s.invokeCLI(t, dir, fn, `{"order":1001}`, "--log-type", "Tail")
	var answer map[string]any
	if err := json.Unmarshal(body, &answer); err != nil || answer["version"] != 1.0 || answer["name"] != fn {
		t.Fatalf("invoke answer %s (%v)", body, err)
	}
	logTail, _ := base64.StdEncoding.DecodeString(str(res, "LogResult"))
	if num(res, "StatusCode") != 200 || str(res, "ExecutedVersion") != "$LATEST" ||
		!strings.Contains(string(logTail), "START RequestId: ") || !strings.Contains(string(logTail), "marker {\"order\": 1001}") ||
		!strings.Contains(string(logTail), "REPORT RequestId: ") {
		t.Fatalf("invoke: %v, log tail %q", res, logTail)
	}

	// Async: 202, then the function's log line shows up in /aws/lambda/<fn>.
	if res, _ := s.invokeCLI(t, dir, fn, `{"async":"yes"}`, "--invocation-type", "Event"); num(res, "StatusCode") != 202 {
		t.Fatalf("event invoke: %v", res)
	}
	waitUntil(t, 30*time.Second, "async invocation logged", func() bool {
		r := s.awsCLI(t, nil, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/"+fn,
			"--filter-pattern", `"async"`, "--output", "json")
		return r.err == nil && strings.Contains(r.stdout, `marker {\"async\": \"yes\"}`)
	})

	// `aws logs tail` (CLI v2) shows each invocation's lines in order:
	// START, the function's output, END, REPORT.
	var tailed []string
	for _, line := range s.tail(t, "/aws/lambda/"+fn, "--since", "10m", "--format", "short") {
		if _, msg, ok := strings.Cut(line, " "); ok {
			tailed = append(tailed, msg)
		}
	}
	order := []string{"START RequestId: ", `marker {"order": 1001}`, "END RequestId: ", "REPORT RequestId: ",
		"START RequestId: ", `marker {"async": "yes"}`, "END RequestId: ", "REPORT RequestId: "}
	for i, next := 0, 0; next < len(order); i++ {
		if i == len(tailed) {
			t.Fatalf("aws logs tail /aws/lambda/%s lacks %q (in order) in:\n%s", fn, order[next], strings.Join(tailed, "\n"))
		}
		if strings.HasPrefix(tailed[i], order[next]) {
			next++
		}
	}

	// New code runs after update-function-code.
	v2 := zipFiles(t, dir, "v2.zip", map[string][]byte{"app.py": []byte(
		"def handler(event, context):\n    return {'version': 2}\n")})
	upd := s.awsJSON(t, "lambda", "update-function-code", "--function-name", fn, "--zip-file", "fileb://"+v2)
	if str(upd, "LastUpdateStatus") != "InProgress" || str(upd, "CodeSha256") == str(created, "CodeSha256") {
		t.Fatalf("update-function-code: %v", upd)
	}
	s.aws(t, "lambda", "wait", "function-updated", "--function-name", fn)
	if _, body := s.invokeCLI(t, dir, fn, `{}`); strings.TrimSpace(string(body)) != `{"version": 2}` {
		t.Fatalf("after update: %s", body)
	}

	got := s.awsJSON(t, "lambda", "get-function", "--function-name", fn)
	cfg, _ := got["Configuration"].(map[string]any)
	if str(cfg, "State") != "Active" || str(cfg, "LastUpdateStatus") != "Successful" || str(cfg, "CodeSha256") != str(upd, "CodeSha256") {
		t.Fatalf("get-function: %v", got)
	}
	if env, _ := cfg["Environment"].(map[string]any); env == nil || env["Variables"].(map[string]any)["GREETING"] != "hi" {
		t.Fatalf("environment: %v", cfg["Environment"])
	}
	list := s.awsJSON(t, "lambda", "list-functions")
	found := false
	for _, f := range asList(list["Functions"]) {
		found = found || str(f, "FunctionName") == fn
	}
	if !found {
		t.Fatalf("list-functions lacks %s", fn)
	}

	s.aws(t, "lambda", "add-permission", "--function-name", fn, "--statement-id", "s3", "--action", "lambda:InvokeFunction",
		"--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::orders")
	s.awsFail(t, "ResourceConflictException", "lambda", "add-permission", "--function-name", fn, "--statement-id", "s3",
		"--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com")
	pol := s.awsJSON(t, "lambda", "get-policy", "--function-name", fn)
	if p := str(pol, "Policy"); !strings.Contains(p, `"Principal":{"Service":"s3.amazonaws.com"}`) ||
		!strings.Contains(p, `"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::orders"}`) {
		t.Fatalf("get-policy: %v", pol)
	}
	s.aws(t, "lambda", "remove-permission", "--function-name", fn, "--statement-id", "s3")
	s.awsFail(t, "ResourceNotFoundException", "lambda", "get-policy", "--function-name", fn)

	s.aws(t, "lambda", "delete-function", "--function-name", fn)
	s.awsFail(t, "ResourceNotFoundException", "lambda", "get-function", "--function-name", fn)
	s.awsFail(t, "ResourceNotFoundException", "lambda", "invoke", "--function-name", fn, filepath.Join(dir, "x.json"))
}

// TestLambdaCLIGo: a Go function (aws-lambda-go, provided.al2023) built
// here, with versions and an alias.
func TestLambdaCLIGo(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./examples/functions/go-echo")
	build.Dir = harness.moduleRoot
	build.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building go-echo: %v\n%s", err, out)
	}
	code, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	zipPath := zipFiles(t, dir, "go.zip", map[string][]byte{"bootstrap*": code})
	fn := uniqueBucket("cli-go")
	s.aws(t, "lambda", "create-function", "--function-name", fn, "--runtime", "provided.al2023", "--handler", "bootstrap",
		"--role", e2eRole, "--zip-file", "fileb://"+zipPath, "--timeout", "10")
	s.aws(t, "lambda", "wait", "function-active-v2", "--function-name", fn)

	_, body := s.invokeCLI(t, dir, fn, `{"value":42}`)
	var reply map[string]any
	if err := json.Unmarshal(body, &reply); err != nil || reply["function_name"] != fn || reply["version"] != "$LATEST" {
		t.Fatalf("go-echo answer %s (%v)", body, err)
	}
	res, body := s.invokeCLI(t, dir, fn, `{"error":"no such order"}`)
	if str(res, "FunctionError") != "Unhandled" || !strings.Contains(string(body), "no such order") {
		t.Fatalf("function error: %v %s", res, body)
	}

	// Async: 202, then the function's output shows in `aws logs tail` (CLI v2).
	if res, _ := s.invokeCLI(t, dir, fn, `{"print":["go-async-marker"]}`, "--invocation-type", "Event"); num(res, "StatusCode") != 202 {
		t.Fatalf("event invoke: %v", res)
	}
	waitUntil(t, 30*time.Second, "the async Go invocation's output in aws logs tail", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := s.tailCmd(ctx, t, "/aws/lambda/"+fn, "--since", "10m").Output()
		return err == nil && strings.Contains(string(out), " go-async-marker\n")
	})

	// New code runs after update-function-code: the same function built
	// with another label.
	build2 := exec.Command("go", "build", "-tags", "lambda.norpc", "-ldflags", "-X main.build=2", "-o", bin, "./examples/functions/go-echo")
	build2.Dir = harness.moduleRoot
	build2.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if out, err := build2.CombinedOutput(); err != nil {
		t.Fatalf("building go-echo again: %v\n%s", err, out)
	}
	code2, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	zip2 := zipFiles(t, dir, "go2.zip", map[string][]byte{"bootstrap*": code2})
	s.aws(t, "lambda", "update-function-code", "--function-name", fn, "--zip-file", "fileb://"+zip2)
	s.aws(t, "lambda", "wait", "function-updated", "--function-name", fn)
	if _, body := s.invokeCLI(t, dir, fn, `{}`); !strings.Contains(string(body), `"build":"2"`) {
		t.Fatalf("after update-function-code: %s", body)
	}

	ver := s.awsJSON(t, "lambda", "publish-version", "--function-name", fn)
	if str(ver, "Version") != "1" {
		t.Fatalf("publish-version: %v", ver)
	}
	s.aws(t, "lambda", "create-alias", "--function-name", fn, "--name", "live", "--function-version", "1")
	if a := s.awsJSON(t, "lambda", "get-alias", "--function-name", fn, "--name", "live"); str(a, "FunctionVersion") != "1" {
		t.Fatalf("get-alias: %v", a)
	}
	res, body = s.invokeCLI(t, dir, fn, `{}`, "--qualifier", "live")
	json.Unmarshal(body, &reply)
	if str(res, "ExecutedVersion") != "1" || reply["version"] != "1" ||
		reply["invoked_arn"] != "arn:aws:lambda:us-east-1:000000000000:function:"+fn+":live" {
		t.Fatalf("invoke alias: %v %s", res, body)
	}
	if l := s.awsJSON(t, "lambda", "list-versions-by-function", "--function-name", fn); len(asList(l["Versions"])) != 2 {
		t.Fatalf("list-versions-by-function: %v", l)
	}
	s.aws(t, "lambda", "update-function-configuration", "--function-name", fn, "--description", "v2")
	s.aws(t, "lambda", "wait", "function-updated", "--function-name", fn)
	if v := s.awsJSON(t, "lambda", "publish-version", "--function-name", fn); str(v, "Version") != "2" || str(v, "Description") != "v2" {
		t.Fatalf("publish-version 2: %v", v)
	}
	if a := s.awsJSON(t, "lambda", "update-alias", "--function-name", fn, "--name", "live", "--function-version", "2"); str(a, "FunctionVersion") != "2" {
		t.Fatalf("update-alias: %v", a)
	}
	if res, _ := s.invokeCLI(t, dir, fn, `{}`, "--qualifier", "live"); str(res, "ExecutedVersion") != "2" {
		t.Fatalf("invoke alias after update: %v", res)
	}
	if l := s.awsJSON(t, "lambda", "list-aliases", "--function-name", fn); len(asList(l["Aliases"])) != 1 {
		t.Fatalf("list-aliases: %v", l)
	}
	s.aws(t, "lambda", "delete-alias", "--function-name", fn, "--name", "live")
	s.awsFail(t, "ResourceNotFoundException", "lambda", "get-alias", "--function-name", fn, "--name", "live")
	s.aws(t, "lambda", "delete-function", "--function-name", fn, "--qualifier", "1")
	s.awsFail(t, "ResourceNotFoundException", "lambda", "get-function-configuration", "--function-name", fn, "--qualifier", "1")

	s.aws(t, "lambda", "put-function-concurrency", "--function-name", fn, "--reserved-concurrent-executions", "0")
	if c := s.awsJSON(t, "lambda", "get-function-concurrency", "--function-name", fn); num(c, "ReservedConcurrentExecutions") != 0 || c["ReservedConcurrentExecutions"] == nil {
		t.Fatalf("get-function-concurrency: %v", c)
	}
	// One attempt: the CLI would otherwise retry the throttle with backoff.
	r := s.awsCLI(t, []string{"AWS_MAX_ATTEMPTS=1"}, "lambda", "invoke", "--function-name", fn, filepath.Join(dir, "t.json"))
	if m := cliErrorRe.FindStringSubmatch(r.stderr); r.err == nil || m == nil || m[1] != "TooManyRequestsException" {
		t.Fatalf("invoke with reserved concurrency 0: %v %s", r.err, r.stderr)
	}
	s.aws(t, "lambda", "delete-function-concurrency", "--function-name", fn)
	if c := s.awsJSON(t, "lambda", "get-function-concurrency", "--function-name", fn); c["ReservedConcurrentExecutions"] != nil {
		t.Fatalf("get-function-concurrency after delete: %v", c)
	}
	s.aws(t, "lambda", "delete-function", "--function-name", fn)
}

// waitUntil polls cond every 200 ms until it holds or the timeout passes.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestLambdaCLILogsSubscription: a subscription filter with a Lambda
// destination needs the function's policy to allow logs.amazonaws.com,
// then invokes it asynchronously with {"awslogs":{"data":base64(gzip)}}.
func TestLambdaCLILogsSubscription(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	dir := t.TempDir()
	fn := uniqueBucket("cli-sub")
	code := zipFiles(t, dir, "sub.zip", map[string][]byte{"sub.py": []byte(
		"import base64, gzip, json\n" +
			"def handler(event, context):\n" +
			"    data = json.loads(gzip.decompress(base64.b64decode(event['awslogs']['data'])))\n" +
			"    for e in data['logEvents']:\n" +
			"        print('GOT', data['messageType'], data['logGroup'], e['message'])\n")})
	s.aws(t, "lambda", "create-function", "--function-name", fn, "--runtime", "python3.12", "--handler", "sub.handler",
		"--role", e2eRole, "--zip-file", "fileb://"+code)
	group := uniqueLogGroup("lambda-sub")
	s.aws(t, "logs", "create-log-group", "--log-group-name", group)
	s.aws(t, "logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "web-1")
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:" + fn
	s.awsFail(t, "InvalidParameterException", "logs", "put-subscription-filter", "--log-group-name", group,
		"--filter-name", "errors", "--filter-pattern", "ERROR", "--destination-arn", fnARN)
	s.aws(t, "lambda", "add-permission", "--function-name", fn, "--statement-id", "logs", "--action", "lambda:InvokeFunction",
		"--principal", "logs.amazonaws.com", "--source-arn", "arn:aws:logs:us-east-1:000000000000:log-group:"+group+":*")
	s.aws(t, "logs", "put-subscription-filter", "--log-group-name", group, "--filter-name", "errors",
		"--filter-pattern", "ERROR", "--destination-arn", fnARN)
	events := logEventsJSON(t, []logEvent{{nowMillis(), "INFO fine"}, {nowMillis(), "ERROR order 1001 failed"}})
	s.aws(t, "logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "web-1", "--log-events", events)
	want := "GOT DATA_MESSAGE " + group + " ERROR order 1001 failed"
	waitUntil(t, 60*time.Second, "subscription delivered to the function", func() bool {
		r := s.awsCLI(t, nil, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/"+fn, "--filter-pattern", "GOT", "--output", "json")
		return r.err == nil && strings.Contains(r.stdout, want)
	})
}
