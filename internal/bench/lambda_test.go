package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tributary-dev/tributary/internal/auth"
)

func TestParseLambdaFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantErr   string
		workloads []string
		check     func(t *testing.T, c LambdaConfig)
	}{
		{name: "defaults", args: []string{"--tributary", "./tributary"},
			workloads: selectableNames(AllLambdaWorkloads()),
			check: func(t *testing.T, c LambdaConfig) {
				if c.Runs != 3 || c.Invokes != 2000 || c.Concurrency != 16 || c.KinesisShards != 2 || c.KinesisBatch != 500 ||
					c.Go != "go" || c.GoSource != "examples/functions/go-echo" || c.PythonRuntime != "python3.12" {
					t.Errorf("defaults: %+v", c)
				}
			}},
		{name: "endpoint", args: []string{"--endpoint", "http://127.0.0.1:4566", "--workloads", "warm"},
			workloads: []string{"warm-python", "warm-go"}},
		{name: "prefixes in canonical order", args: []string{"--tributary", "t", "--workloads", "kinesis, cold-go,parallel"},
			workloads: []string{"parallel-python", "parallel-go", "cold-go", "kinesis"}},
		{name: "tributary args", args: []string{"--tributary", "t", "--tributary-arg", "--log-level", "--tributary-arg", "debug"},
			workloads: selectableNames(AllLambdaWorkloads()),
			check: func(t *testing.T, c LambdaConfig) {
				if strings.Join(c.TributaryArgs, " ") != "--log-level debug" {
					t.Errorf("TributaryArgs %q", c.TributaryArgs)
				}
			}},
		{name: "nothing to measure", args: nil, wantErr: "nothing to measure"},
		{name: "both targets", args: []string{"--tributary", "t", "--endpoint", "http://x:1"}, wantErr: "not both"},
		{name: "bad endpoint", args: []string{"--endpoint", "localhost:4566"}, wantErr: "not an http(s) URL"},
		{name: "unknown workload", args: []string{"--tributary", "t", "--workloads", "hot"}, wantErr: `unknown workload "hot"`},
		{name: "zero runs", args: []string{"--tributary", "t", "--runs", "0"}, wantErr: "--runs"},
		{name: "batch too big", args: []string{"--tributary", "t", "--kinesis-batch", "10001"}, wantErr: "--kinesis-batch"},
		{name: "parallel below concurrency", args: []string{"--tributary", "t", "--concurrency", "32", "--parallel-invokes", "8"}, wantErr: "--parallel-invokes"},
		{name: "not python", args: []string{"--tributary", "t", "--python-runtime", "nodejs20.x"}, wantErr: "--python-runtime"},
		{name: "no go toolchain", args: []string{"--tributary", "t", "--go", ""}, wantErr: "--go"},
		{name: "prebuilt bootstrap needs no toolchain", args: []string{"--tributary", "t", "--go", "", "--go-bootstrap", "/x/bootstrap"},
			workloads: selectableNames(AllLambdaWorkloads())},
		{name: "stray argument", args: []string{"--tributary", "t", "extra"}, wantErr: `unexpected argument "extra"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseLambdaFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(selectableNames(cfg.Workloads), ","); got != strings.Join(tc.workloads, ",") {
				t.Errorf("workloads %s, want %s", got, strings.Join(tc.workloads, ","))
			}
			if tc.check != nil {
				tc.check(t, cfg)
			}
		})
	}
	if _, err := ParseLambdaFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: err = %v, want flag.ErrHelp", err)
	}
}

// TestLambdaConfigNeeds: only the functions the selected workloads use are built and created.
func TestLambdaConfigNeeds(t *testing.T) {
	cfg, err := ParseLambdaFlags([]string{"--tributary", "t", "--workloads", "warm-python,kinesis"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.needs(runtimePython) || cfg.needs(runtimeGo) {
		t.Errorf("needs python %v go %v, want true false", cfg.needs(runtimePython), cfg.needs(runtimeGo))
	}
}

func TestBuildZip(t *testing.T) {
	bootstrap := []byte("\x7fELF fake")
	data, err := goZip(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	py, err := pythonZip("echo.py", pythonEchoSource)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		zip      []byte
		file     string
		mode     string
		contents []byte
	}{
		{"go bootstrap stays executable", data, "bootstrap", "-rwxr-xr-x", bootstrap},
		{"python handler", py, "echo.py", "-rw-r--r--", []byte(pythonEchoSource)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			zr, err := zip.NewReader(bytes.NewReader(tc.zip), int64(len(tc.zip)))
			if err != nil {
				t.Fatal(err)
			}
			if len(zr.File) != 1 || zr.File[0].Name != tc.file {
				t.Fatalf("entries %v, want only %s", zr.File, tc.file)
			}
			if got := zr.File[0].Mode().String(); got != tc.mode {
				t.Errorf("mode %s, want %s", got, tc.mode)
			}
			rc, err := zr.File[0].Open()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, tc.contents) {
				t.Errorf("contents %q, want %q", got, tc.contents)
			}
		})
	}
}

func TestParseReport(t *testing.T) {
	tests := []struct {
		name    string
		logs    string
		want    reportLine
		wantErr string
	}{
		{name: "warm", logs: "START RequestId: a1 Version: $LATEST\nhello\nEND RequestId: a1\n" +
			"REPORT RequestId: a1\tDuration: 0.42 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 15 MB\t\n",
			want: reportLine{RequestID: "a1", Duration: 420 * time.Microsecond}},
		{name: "cold", logs: "INIT_START Runtime Version: python3.12.tributary\nSTART RequestId: b2 Version: $LATEST\nEND RequestId: b2\n" +
			"REPORT RequestId: b2\tDuration: 6.14 ms\tBilled Duration: 7 ms\tMemory Size: 128 MB\tMax Memory Used: 15 MB\tInit Duration: 657.34 ms\t",
			want: reportLine{RequestID: "b2", Duration: 6140 * time.Microsecond, Init: 657340 * time.Microsecond, Cold: true}},
		{name: "no report", logs: "START RequestId: c3\n", wantErr: "no REPORT line"},
		{name: "no duration", logs: "REPORT RequestId: d4\tBilled Duration: 1 ms\t", wantErr: "without Duration"},
		{name: "a printed REPORT-looking line is not the last one", logs: "REPORT fake\nREPORT RequestId: e5\tDuration: 2.00 ms\t",
			want: reportLine{RequestID: "e5", Duration: 2 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseReport([]byte(tc.logs))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// float milliseconds: allow a nanosecond of rounding
			if got.RequestID != tc.want.RequestID || got.Cold != tc.want.Cold ||
				(got.Duration-tc.want.Duration).Abs() > time.Nanosecond || (got.Init-tc.want.Init).Abs() > time.Nanosecond {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCheckEcho(t *testing.T) {
	tests := []struct {
		name, runtime, body string
		seq                 int64
		ok                  bool
	}{
		{"python echo", runtimePython, `{"i": 7}`, 7, true},
		{"python other invoke", runtimePython, `{"i": 8}`, 7, false},
		{"python null", runtimePython, `null`, 7, false},
		{"python missing", runtimePython, `{}`, 0, false},
		{"go echo", runtimeGo, `{"event":{"value":7},"request_id":"r","function_name":"f","env":{}}`, 7, true},
		{"go other function", runtimeGo, `{"event":{"value":7},"request_id":"r","function_name":"g"}`, 7, false},
		{"go no request id", runtimeGo, `{"event":{"value":7},"function_name":"f"}`, 7, false},
		{"go wrong value", runtimeGo, `{"event":{"value":6},"request_id":"r","function_name":"f"}`, 7, false},
		{"go error answer", runtimeGo, `{"errorMessage":"boom","errorType":"errorString"}`, 7, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkEcho(tc.runtime, "f", tc.seq, []byte(tc.body))
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok %v", err, tc.ok)
			}
		})
	}
	// the payload each runtime is sent round-trips through its own check
	for _, rt := range []string{runtimePython} {
		if err := checkEcho(rt, "f", 42, echoPayload(rt, 42)); err != nil {
			t.Errorf("%s: own payload: %v", rt, err)
		}
	}
}

func TestCoverage(t *testing.T) {
	expected := map[string][]string{
		"shardId-000000000000": {"101", "105", "109", "120"},
		"shardId-000000000001": {"7", "8"},
	}
	tests := []struct {
		name                    string
		lines                   []string
		wantErr                 string
		distinct, dups, batches int
	}{
		{name: "exact", lines: []string{
			"COUNT 2 shardId-000000000000:101 shardId-000000000000:105",
			"COUNT 2 shardId-000000000000:109 shardId-000000000000:120",
			"COUNT 2 shardId-000000000001:7 shardId-000000000001:8",
		}, distinct: 6, batches: 3},
		{name: "redelivered batch", lines: []string{
			"COUNT 4 shardId-000000000000:101 shardId-000000000000:120",
			"COUNT 2 shardId-000000000000:109 shardId-000000000000:120",
		}, distinct: 4, dups: 2, batches: 2},
		{name: "count disagrees with the span", lines: []string{"COUNT 3 shardId-000000000000:101 shardId-000000000000:120"}, wantErr: "has 3 records"},
		{name: "unknown sequence number", lines: []string{"COUNT 1 shardId-000000000000:102 shardId-000000000000:102"}, wantErr: "never put"},
		{name: "unknown shard", lines: []string{"COUNT 1 shardId-000000000009:7 shardId-000000000009:7"}, wantErr: "no record was put"},
		{name: "spans shards", lines: []string{"COUNT 2 shardId-000000000000:120 shardId-000000000001:7"}, wantErr: "spans shards"},
		{name: "malformed", lines: []string{"COUNT two a b"}, wantErr: "batch size"},
		{name: "other line", lines: []string{"COUNTING sheep"}, wantErr: "want COUNT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newCoverage(expected)
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range tc.lines {
				if err = c.add(l, int64(1000+i)); err != nil {
					break
				}
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.total != 6 || c.distinct != tc.distinct || c.dups != tc.dups || c.batches != tc.batches || c.lastMillis != int64(999+len(tc.lines)) {
				t.Errorf("total %d distinct %d dups %d batches %d last %d; want 6 %d %d %d %d", c.total, c.distinct, c.dups, c.batches, c.lastMillis,
					tc.distinct, tc.dups, tc.batches, 999+len(tc.lines))
			}
		})
	}
	if _, err := newCoverage(map[string][]string{"s": {"1", "1"}}); err == nil {
		t.Error("a sequence number put twice was accepted")
	}
}

func TestKinesisRecordData(t *testing.T) {
	for _, size := range []int{16, 100, 1000} {
		d := kinesisRecordData(42, size)
		if len(d) != size || !bytes.HasPrefix(d, []byte("rec-00000042-")) {
			t.Errorf("size %d: %q", size, d)
		}
	}
}

func signedLambdaRequest(t *testing.T, s *sigV4Signer, method, url string, body []byte, when time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	s.signREST(req, payloadHash(body), when)
	return req
}

// TestSignRESTMatchesSDK: for the same request and instant, the REST signature equals
// aws-sdk-go-v2's (which URI-encodes non-S3 paths twice and sorts the query).
func TestSignRESTMatchesSDK(t *testing.T) {
	s := newSigV4Signer("AKID", "secret", "eu-west-1", "lambda")
	when := time.Date(2026, 12, 2, 13, 0, 0, 0, time.UTC)
	tests := []struct{ name, method, url, body string }{
		{"create", http.MethodPost, "http://127.0.0.1:4566/2015-03-31/functions", `{"FunctionName":"f"}`},
		{"invoke", http.MethodPost, "http://127.0.0.1:4566/2015-03-31/functions/bench-go-1/invocations", `{"value":1}`},
		{"get with query", http.MethodGet, "http://127.0.0.1:4566/2015-03-31/functions?MaxItems=5&Marker=a%2Fb", ``},
		{"escaped name", http.MethodGet, "http://127.0.0.1:4566/2015-03-31/functions/f%3A1/configuration", ``},
		{"esm trailing slash", http.MethodPost, "http://127.0.0.1:4566/2015-03-31/event-source-mappings/", `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mine := signedLambdaRequest(t, s, tc.method, tc.url, []byte(tc.body), when)
			sdk, _ := http.NewRequest(tc.method, tc.url, nil)
			sdk.Header.Set("Content-Type", "application/json")
			err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"},
				sdk, payloadHash([]byte(tc.body)), "lambda", "eu-west-1", when)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := mine.Header.Get("Authorization"), sdk.Header.Get("Authorization"); got != want {
				t.Errorf("\n got  %s\n want %s", got, want)
			}
		})
	}
}

// TestSignRESTVerifies: Tributary's verifier accepts the signature and rejects a changed path.
func TestSignRESTVerifies(t *testing.T) {
	verifier := auth.NewVerifier(auth.Options{Credentials: []auth.Credential{{AccessKeyID: "AKIDBENCH", SecretAccessKey: "bench-secret"}}})
	s := newSigV4Signer("AKIDBENCH", "bench-secret", "us-east-1", "lambda")
	req := signedLambdaRequest(t, s, http.MethodPost, "http://127.0.0.1:4566/2015-03-31/functions/f/invocations", []byte(`{}`), time.Now())
	if _, err := verifier.Authenticate(req); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	req = signedLambdaRequest(t, s, http.MethodPost, "http://127.0.0.1:4566/2015-03-31/functions/f/invocations", []byte(`{}`), time.Now())
	req.URL.Path = "/2015-03-31/functions/g/invocations"
	if _, err := verifier.Authenticate(req); err == nil {
		t.Fatal("a request for another function verified")
	}
}

func testLambdaReport(t *testing.T, samples map[string][]lambdaSample) *lambdaReport {
	t.Helper()
	cfg, err := ParseLambdaFlags([]string{"--tributary", "t"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	r := &lambdaReport{cfg: cfg, target: targetInfo{label: LabelTributary, endpoint: "http://127.0.0.1:1", description: "test"}}
	for _, w := range cfg.Workloads {
		for _, s := range samples[w.Name] {
			r.add(w, s)
		}
	}
	return r
}

func TestLambdaSummaryMedians(t *testing.T) {
	w := LambdaWorkload{Name: "cold-python", Kind: kindCold, Runtime: runtimePython}
	s := summarizeLambda(w, []lambdaSample{
		{Invokes: 5, P50: 90 * time.Millisecond, P99: 200 * time.Millisecond, InitP50: 80 * time.Millisecond},
		{Invokes: 5, P50: 70 * time.Millisecond, P99: 100 * time.Millisecond, InitP50: 60 * time.Millisecond, Errors: 1, FirstErr: "x"},
		{Invokes: 5, P50: 110 * time.Millisecond, P99: 120 * time.Millisecond, InitP50: 100 * time.Millisecond},
	})
	if s.Runs != 3 || s.P50 != 90*time.Millisecond || s.InitP50 != 80*time.Millisecond || s.Max != 200*time.Millisecond ||
		s.P99 != 120*time.Millisecond || s.Errors != 1 || s.FirstErr != "x" {
		t.Errorf("summary %+v", s)
	}
	k := LambdaWorkload{Name: "kinesis", Kind: kindKinesis}
	ks := summarizeLambda(k, []lambdaSample{
		{Records: 1000, Elapsed: time.Second, Dups: 2},
		{Records: 1000, Elapsed: 500 * time.Millisecond},
		{Unsupported: "no mappings"},
	})
	if ks.Runs != 2 || ks.Rate != 1500 || ks.Dups != 2 || ks.Unsupported != "no mappings" {
		t.Errorf("kinesis summary %+v", ks)
	}
}

func TestLambdaReportTargets(t *testing.T) {
	r := testLambdaReport(t, map[string][]lambdaSample{
		"warm-go":     {{Invokes: 1000, Elapsed: time.Second, P50: 800 * time.Microsecond, P99: 2 * time.Millisecond, ServerP50: 200 * time.Microsecond}},
		"warm-python": {{Invokes: 1000, Elapsed: time.Second, P50: 2500 * time.Microsecond, P99: 4 * time.Millisecond}},
		"parallel-go": {{Invokes: 3000, Elapsed: time.Second, P50: 5 * time.Millisecond, Errors: 3, FirstErr: "Invoke: HTTP 429 TooManyRequestsException"}},
		"cold-python": {{Invokes: 5, P50: 120 * time.Millisecond, P99: 150 * time.Millisecond, InitP50: 100 * time.Millisecond}},
		"kinesis":     {{Records: 20000, Batches: 40, Elapsed: 2 * time.Second}},
	})
	want := map[string]string{
		"Go (round trip":     "pass",
		"Python (round trip": "FAIL",
		"invokes/s, Go":      "FAIL (requests failed)",
		"cold start, Python": "pass",
	}
	for _, g := range r.goals() {
		for k, v := range want {
			if strings.Contains(g.title, k) && g.result != v {
				t.Errorf("%s: %s (%s), want %s", g.title, g.result, g.measured, v)
			}
		}
	}
	var text, md bytes.Buffer
	r.writeText(&text)
	r.writeMarkdown(&md)
	for _, s := range []string{"0.80 ms (REPORT Duration p50 0.20 ms)", "10,000 records/s", "parallel-go: 3 failed invokes", "120 ms (Init Duration p50 100 ms)", "not run"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text report lacks %q:\n%s", s, text.String())
		}
	}
	rows := 0
	for _, l := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(l, "| ") {
			rows++
			if n := strings.Count(l, "|"); n != 7 && n != 5 {
				t.Errorf("markdown row with %d bars: %s", n, l)
			}
		}
	}
	if want := 2 + len(r.cfg.Workloads) + 2 + 4; rows != want {
		t.Errorf("%d markdown rows, want %d:\n%s", rows, want, md.String())
	}
	if !r.anyErrors() {
		t.Error("anyErrors = false with a failed invoke")
	}
}
