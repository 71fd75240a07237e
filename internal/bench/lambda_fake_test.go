package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeLambda is a small in-memory server speaking just enough of the Lambda REST API, Kinesis and
// CloudWatch Logs for the benchmark's client paths: functions echo their event (Python) or answer
// like go-echo; an event source mapping "delivers" the stream's records in batches by logging the
// count function's COUNT lines.
type fakeLambda struct {
	t *testing.T

	mu        sync.Mutex
	functions map[string]*fakeFunction
	streams   map[string]map[string][]string // stream → shard → sequence numbers
	logs      map[string][]countEvent        // log group → events
	nextSeq   int
	calls     map[string]int
	dupBatch  bool // deliver the first batch twice
	fnError   bool // every invoke answers X-Amz-Function-Error
	throttle  int  // answer this many invokes with 429
}

type fakeFunction struct {
	runtime, handler string
	env              string
	warm             bool
}

func newFakeLambda(t *testing.T) (*fakeLambda, *httptest.Server) {
	f := &fakeLambda{t: t, functions: map[string]*fakeFunction{}, streams: map[string]map[string][]string{},
		logs: map[string][]countEvent{}, calls: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeLambda) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func fakeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"Type":"User","message":%q}`, msg)
}

func (f *fakeLambda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=test/") || r.Header.Get("X-Amz-Date") == "" {
		fakeError(w, 403, "InvalidSignatureException", "unsigned request")
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		f.calls[target]++
		f.jsonOp(w, target, body)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/2015-03-31/")
	parts := strings.Split(path, "/")
	switch {
	case r.Method == http.MethodPost && path == "functions":
		f.calls["CreateFunction"]++
		var in struct {
			FunctionName, Runtime, Handler string
			Code                           struct{ ZipFile []byte }
		}
		if err := json.Unmarshal(body, &in); err != nil || len(in.Code.ZipFile) == 0 {
			fakeError(w, 400, "InvalidParameterValueException", "bad create")
			return
		}
		f.functions[in.FunctionName] = &fakeFunction{runtime: in.Runtime, handler: in.Handler}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"FunctionName":%q,"State":"Pending"}`, in.FunctionName)
	case parts[0] == "functions" && len(parts) >= 2:
		fn := f.functions[parts[1]]
		if fn == nil {
			fakeError(w, 404, "ResourceNotFoundException", "Function not found: "+parts[1])
			return
		}
		switch {
		case r.Method == http.MethodGet && len(parts) == 3 && parts[2] == "configuration":
			f.calls["GetFunctionConfiguration"]++
			fmt.Fprint(w, `{"State":"Active","LastUpdateStatus":"Successful"}`)
		case r.Method == http.MethodPut && len(parts) == 3 && parts[2] == "configuration":
			f.calls["UpdateFunctionConfiguration"]++
			fn.env, fn.warm = string(body), false
			fmt.Fprint(w, `{"State":"Active","LastUpdateStatus":"InProgress"}`)
		case r.Method == http.MethodPost && len(parts) == 3 && parts[2] == "invocations":
			f.calls["Invoke"]++
			f.invoke(w, r, parts[1], fn, body)
		case r.Method == http.MethodDelete && len(parts) == 2:
			f.calls["DeleteFunction"]++
			delete(f.functions, parts[1])
			w.WriteHeader(http.StatusNoContent)
		default:
			fakeError(w, 404, "UnknownOperationException", r.Method+" "+path+" is not supported by Tributary yet")
		}
	case r.Method == http.MethodPost && path == "event-source-mappings/":
		f.calls["CreateEventSourceMapping"]++
		f.deliver(w, body)
	case r.Method == http.MethodDelete && parts[0] == "event-source-mappings":
		f.calls["DeleteEventSourceMapping"]++
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{"State":"Deleting"}`)
	default:
		fakeError(w, 404, "UnknownOperationException", "not supported")
	}
}

func (f *fakeLambda) invoke(w http.ResponseWriter, r *http.Request, name string, fn *fakeFunction, body []byte) {
	if f.throttle > 0 {
		f.throttle--
		fakeError(w, 429, "TooManyRequestsException", "Rate Exceeded.")
		return
	}
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if f.fnError {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		fmt.Fprint(w, `{"errorMessage":"boom"}`)
		return
	}
	if r.Header.Get("X-Amz-Log-Type") == "Tail" {
		report := "REPORT RequestId: r1\tDuration: 0.25 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\t"
		if !fn.warm {
			report += "Init Duration: 42.00 ms\t"
		}
		w.Header().Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte("START RequestId: r1\nEND RequestId: r1\n"+report+"\n")))
	}
	fn.warm = true
	if fn.runtime == "provided.al2023" {
		fmt.Fprintf(w, `{"event":%s,"request_id":"r1","function_name":%q}`, body, name)
		return
	}
	w.Write(body)
}

func (f *fakeLambda) jsonOp(w http.ResponseWriter, target string, body []byte) {
	var in struct {
		StreamName   string
		ShardCount   int
		Records      []struct{ Data []byte }
		LogGroupName string `json:"logGroupName"`
	}
	json.Unmarshal(body, &in)
	switch strings.TrimPrefix(strings.TrimPrefix(target, kinesisTargetPrefix), logsTargetPrefix) {
	case "CreateStream":
		shards := map[string][]string{}
		for i := range in.ShardCount {
			shards[fmt.Sprintf("shardId-%012d", i)] = nil
		}
		f.streams[in.StreamName] = shards
		fmt.Fprint(w, `{}`)
	case "DescribeStreamSummary":
		fmt.Fprintf(w, `{"StreamDescriptionSummary":{"StreamStatus":"ACTIVE","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/%s"}}`, in.StreamName)
	case "PutRecords":
		shards := f.streams[in.StreamName]
		var out []string
		for i := range in.Records {
			f.nextSeq++
			shard := fmt.Sprintf("shardId-%012d", i%len(shards))
			seq := strconv.Itoa(1000 + f.nextSeq) // decimal, increasing
			shards[shard] = append(shards[shard], seq)
			out = append(out, fmt.Sprintf(`{"ShardId":%q,"SequenceNumber":%q}`, shard, seq))
		}
		fmt.Fprintf(w, `{"FailedRecordCount":0,"Records":[%s]}`, strings.Join(out, ","))
	case "DeleteStream":
		delete(f.streams, in.StreamName)
		fmt.Fprint(w, `{}`)
	case "FilterLogEvents":
		events, ok := f.logs[in.LogGroupName]
		if !ok {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}`)
			return
		}
		out, _ := json.Marshal(map[string]any{"events": events})
		w.Write(out)
	default:
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"__type":"UnknownOperationException","message":"%s"}`, target)
	}
}

// deliver logs the count function's lines for every batch of the stream, as a mapping would.
func (f *fakeLambda) deliver(w http.ResponseWriter, body []byte) {
	var in struct {
		EventSourceArn, FunctionName, StartingPosition string
		BatchSize                                      int
	}
	json.Unmarshal(body, &in)
	stream := in.EventSourceArn[strings.LastIndexByte(in.EventSourceArn, '/')+1:]
	if f.functions[in.FunctionName] == nil || f.streams[stream] == nil || in.StartingPosition != "TRIM_HORIZON" || in.BatchSize < 1 {
		fakeError(w, 400, "InvalidParameterValueException", "bad mapping")
		return
	}
	group := "/aws/lambda/" + in.FunctionName
	now := time.Now().UnixMilli()
	for shard, seqs := range f.streams[stream] {
		for from := 0; from < len(seqs); from += in.BatchSize {
			batch := seqs[from:min(from+in.BatchSize, len(seqs))]
			line := fmt.Sprintf("COUNT %d %s:%s %s:%s", len(batch), shard, batch[0], shard, batch[len(batch)-1])
			times := 1
			if f.dupBatch && len(f.logs[group]) == 0 {
				times = 2
			}
			for range times {
				f.logs[group] = append(f.logs[group], countEvent{EventID: strconv.Itoa(len(f.logs[group])), Message: line, Timestamp: now})
			}
		}
	}
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprint(w, `{"UUID":"0d5b2b0e-1111-2222-3333-444455556666","State":"Creating"}`)
}

func fakeTarget(t *testing.T, srv *httptest.Server, args ...string) *lambdaTarget {
	t.Helper()
	cfg, err := ParseLambdaFlags(append([]string{"--endpoint", srv.URL, "--go-bootstrap", "/nonexistent"}, args...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tr := newKinesisTransport()
	lc, err := newLambdaClient(srv.URL, newSigV4Signer("test", "test", "us-east-1", "lambda"), tr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := newKinesisClient("fake", srv.URL, newSigV4Signer("test", "test", "us-east-1", "kinesis"), tr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	lt := &lambdaTarget{cfg: cfg, label: "fake", endpoint: srv.URL, lambda: lc, kinesis: kc,
		logs:  kc.forTarget(logsTargetPrefix, newSigV4Signer("test", "test", "us-east-1", "logs")),
		runID: "t1", functions: map[string]string{}, zips: map[string][]byte{}}
	lt.zips[runtimePython], _ = pythonZip("echo.py", pythonEchoSource)
	lt.zips["count"], _ = pythonZip("count.py", pythonCountSource)
	lt.zips[runtimeGo], _ = goZip([]byte("bin"))
	for _, rt := range []string{runtimePython, runtimeGo} {
		runtimeName, handler := cfg.PythonRuntime, pythonEchoHandler
		if rt == runtimeGo {
			runtimeName, handler = "provided.al2023", "bootstrap"
		}
		name := "bench-" + rt
		if err := lt.createFunction(context.Background(), name, runtimeName, handler, lt.zips[rt]); err != nil {
			t.Fatal(err)
		}
		lt.functions[rt] = name
	}
	return lt
}

func workload(t *testing.T, name string) LambdaWorkload {
	for _, w := range AllLambdaWorkloads() {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no workload %s", name)
	return LambdaWorkload{}
}

// TestLambdaRunsAgainstFake drives every workload's client path against the fake server.
func TestLambdaRunsAgainstFake(t *testing.T) {
	fake, srv := newFakeLambda(t)
	lt := fakeTarget(t, srv, "--invokes", "30", "--tail-invokes", "5", "--warmup-invokes", "3", "--concurrency", "4",
		"--parallel-invokes", "40", "--cold-starts", "2", "--kinesis-records", "1234", "--kinesis-batch", "100", "--kinesis-shards", "3")
	ctx := context.Background()
	for _, name := range []string{"warm-python", "warm-go", "parallel-python", "parallel-go", "cold-python", "cold-go", "kinesis"} {
		t.Run(name, func(t *testing.T) {
			w := workload(t, name)
			s, err := lt.runWorkload(ctx, w, 1)
			if err != nil {
				t.Fatal(err)
			}
			if s.Errors > 0 {
				t.Fatalf("%d errors: %s", s.Errors, s.FirstErr)
			}
			switch w.Kind {
			case kindWarm:
				if s.Invokes != 30 || s.P50 <= 0 || s.ServerP50 != 250*time.Microsecond || s.TailP50 <= 0 {
					t.Errorf("warm sample %+v", s)
				}
			case kindParallel:
				if s.Invokes != 40 || s.rate(w) <= 0 {
					t.Errorf("parallel sample %+v", s)
				}
			case kindCold:
				if s.Invokes != 2 || s.InitP50 != 42*time.Millisecond || s.P99 < s.P50 {
					t.Errorf("cold sample %+v", s)
				}
			case kindKinesis:
				// 1234 records over 3 shards (412, 411, 411) in batches of 100: 5 per shard
				if s.Records != 1234 || s.Batches != 15 || s.Dups != 0 || s.Elapsed <= 0 || s.rate(w) <= 0 {
					t.Errorf("kinesis sample %+v", s)
				}
			}
			t.Log(s.line(w))
		})
	}
	if n := fake.count("UpdateFunctionConfiguration"); n != 4 {
		t.Errorf("%d configuration updates, want 2 per cold workload", n)
	}
	if fake.count("DeleteEventSourceMapping") != 1 || fake.count("DeleteFunction") != 1 || fake.count(kinesisTargetPrefix+"DeleteStream") != 1 {
		t.Error("the kinesis run did not delete its mapping, function and stream")
	}
	lt.deleteFunctions(ctx, t.Logf)
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.functions) != 0 {
		t.Errorf("functions left: %v", fake.functions)
	}
}

func TestLambdaFailuresAgainstFake(t *testing.T) {
	ctx := context.Background()
	t.Run("function error is counted", func(t *testing.T) {
		fake, srv := newFakeLambda(t)
		lt := fakeTarget(t, srv, "--invokes", "5", "--warmup-invokes", "0", "--tail-invokes", "0")
		fake.fnError = true
		s, err := lt.runWorkload(ctx, workload(t, "warm-python"), 1)
		if err != nil {
			t.Fatal(err)
		}
		if s.Errors != 5 || !strings.Contains(s.FirstErr, "function error Unhandled") {
			t.Errorf("errors %d, first %q", s.Errors, s.FirstErr)
		}
	})
	t.Run("throttle carries the AWS code", func(t *testing.T) {
		fake, srv := newFakeLambda(t)
		lt := fakeTarget(t, srv, "--invokes", "5", "--warmup-invokes", "0", "--tail-invokes", "0")
		fake.throttle = 2
		s, err := lt.runWorkload(ctx, workload(t, "warm-go"), 1)
		if err != nil {
			t.Fatal(err)
		}
		if s.Errors != 2 || s.Invokes != 3 || !strings.Contains(s.FirstErr, "429 TooManyRequestsException") {
			t.Errorf("invokes %d errors %d, first %q", s.Invokes, s.Errors, s.FirstErr)
		}
	})
	t.Run("warmup failure aborts", func(t *testing.T) {
		fake, srv := newFakeLambda(t)
		lt := fakeTarget(t, srv, "--warmup-invokes", "3")
		fake.throttle = 1
		if _, err := lt.runWorkload(ctx, workload(t, "parallel-python"), 1); err == nil || !strings.Contains(err.Error(), "warmup") {
			t.Errorf("err = %v, want a warmup failure", err)
		}
	})
	t.Run("wrong answer is a data error", func(t *testing.T) {
		_, srv := newFakeLambda(t)
		lt := fakeTarget(t, srv, "--invokes", "5", "--warmup-invokes", "0")
		lt.functions[runtimePython] = lt.functions[runtimeGo] // go-echo's answer where the event is expected
		_, err := lt.runWorkload(ctx, workload(t, "warm-python"), 1)
		var de *DataError
		if !errors.As(err, &de) {
			t.Errorf("err = %v, want a DataError", err)
		}
	})
	t.Run("duplicate batch is reported", func(t *testing.T) {
		fake, srv := newFakeLambda(t)
		lt := fakeTarget(t, srv, "--kinesis-records", "100", "--kinesis-batch", "10", "--kinesis-shards", "1")
		fake.dupBatch = true
		s, err := lt.runWorkload(ctx, workload(t, "kinesis"), 1)
		if err != nil {
			t.Fatal(err)
		}
		if s.Records != 100 || s.Dups != 10 || s.Batches != 11 {
			t.Errorf("sample %+v", s)
		}
	})
	t.Run("unknown function", func(t *testing.T) {
		_, srv := newFakeLambda(t)
		lt := fakeTarget(t, srv)
		var buf bytes.Buffer
		_, err := lt.lambda.invoke(ctx, "missing", []byte(`{}`), false, &buf)
		var ke *KinesisError
		if !errors.As(err, &ke) || ke.Status != 404 || ke.Code != "ResourceNotFoundException" {
			t.Errorf("err = %#v", err)
		}
	})
	t.Run("server without lambda", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fakeError(w, 404, "UnknownOperationException", "CreateFunction is not supported by Tributary yet")
		}))
		defer srv.Close()
		lt := &lambdaTarget{cfg: LambdaConfig{MemoryMB: 128}}
		lt.lambda, _ = newLambdaClient(srv.URL, newSigV4Signer("test", "test", "us-east-1", "lambda"), newKinesisTransport(), time.Second)
		err := lt.createFunction(ctx, "f", "python3.12", "echo.handler", []byte("zip"))
		if err == nil || !strings.Contains(err.Error(), "no Lambda API") {
			t.Errorf("err = %v", err)
		}
	})
}
