package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// benchRole is the execution role of the benchmark's functions (CreateFunction requires one).
const benchRole = "arn:aws:iam::000000000000:role/tributary-bench"

// functionTimeout is the functions' Timeout in seconds: far above any honest invoke.
const functionTimeout = 30

// lambdaSample is one run of one Lambda workload.
type lambdaSample struct {
	Invokes     int64         // successful invokes measured (cold: cold starts)
	Errors      int64         // failed invokes
	FirstErr    string        // the first failure's message
	Elapsed     time.Duration // measured time (kinesis: mapping creation to the last record processed)
	P50, P99    time.Duration // invoke round trip percentiles (cold: median and slowest first invoke)
	ServerP50   time.Duration // REPORT Duration of the tail invokes (warm) or cold invokes
	ServerP99   time.Duration // (warm only)
	TailP50     time.Duration // round trip of the tail invokes (they carry the REPORT line)
	InitP50     time.Duration // cold: REPORT Init Duration
	Records     int64         // kinesis: records the function saw
	Batches     int64         // kinesis: invocations of the function
	Dups        int64         // kinesis: records seen more than once
	Observed    time.Duration // kinesis: mapping creation until the benchmark saw the last count
	Unsupported string
}

// rate is the workload's throughput: records/s for kinesis, invokes/s otherwise.
func (s lambdaSample) rate(w LambdaWorkload) float64 {
	if w.Kind == kindKinesis {
		return perSecond(float64(s.Records), s.Elapsed)
	}
	return perSecond(float64(s.Invokes), s.Elapsed)
}

// lambdaTarget is the Tributary under test.
type lambdaTarget struct {
	cfg       LambdaConfig
	label     string
	endpoint  string
	desc      string
	srv       *server // nil with --endpoint
	lambda    *lambdaClient
	kinesis   *kinesisClient
	logs      *kinesisClient
	runID     string
	functions map[string]string // runtime → warm/cold function name
	zips      map[string][]byte // runtimePython, runtimeGo, "count"
	goDesc    string
	pyDesc    string // the host's python3, which Tributary runs Python functions on
	coldSeq   int
	created   []string // functions to delete at the end
}

// RunLambda performs the Lambda benchmark cfg describes: it starts Tributary (or uses --endpoint),
// builds and creates the functions, measures every workload cfg.Runs times, prints the report to out
// and progress to progressOut, and removes what it created.
func RunLambda(ctx context.Context, cfg LambdaConfig, out, progressOut io.Writer) (runErr error) {
	progress := func(format string, args ...any) {
		if !cfg.Quiet {
			fmt.Fprintf(progressOut, format+"\n", args...)
		}
	}
	tmp, err := makeTempDir(cfg.WorkDir)
	if err != nil {
		return err
	}
	defer func() {
		if cfg.KeepTemp || (runErr != nil && ctx.Err() == nil) {
			progress("kept %s (server data and logs, function packages)", tmp)
			return
		}
		if err := os.RemoveAll(tmp); err != nil {
			progress("warning: removing %s: %v", tmp, err)
		}
	}()
	t := &lambdaTarget{cfg: cfg, label: LabelTributary, runID: fmt.Sprintf("%06x", time.Now().UnixNano()&0xffffff),
		functions: map[string]string{}, zips: map[string][]byte{}}
	if cfg.TributaryBin != "" {
		dataDir := filepath.Join(tmp, "tributary-data")
		if err := os.Mkdir(dataDir, 0o755); err != nil {
			return fmt.Errorf("creating tributary data dir: %w", err)
		}
		srv, endpoint, err := startTributary(ctx, cfg.TributaryBin, cfg.TributaryArgs, dataDir, filepath.Join(tmp, "tributary.log"))
		if err != nil {
			return err
		}
		defer func() {
			if err := srv.stop(); err != nil {
				progress("warning: %v", err)
			}
		}()
		t.srv, t.endpoint = srv, endpoint
		t.desc = fmt.Sprintf("started %s serve, durable (not --ephemeral), data in %s on %s", cfg.TributaryBin, dataDir, filesystemType(dataDir))
		if len(cfg.TributaryArgs) > 0 {
			t.desc += ", extra args " + strings.Join(cfg.TributaryArgs, " ")
		}
	} else {
		t.endpoint, t.desc = cfg.Endpoint, "already running at "+cfg.Endpoint
		t.label = "endpoint"
	}
	progress("%s: %s (%s)", t.label, t.endpoint, t.desc)
	transport := newKinesisTransport()
	transport.MaxIdleConnsPerHost = max(kinesisMaxConns, 2*cfg.Concurrency)
	transport.MaxIdleConns = 2 * transport.MaxIdleConnsPerHost
	if t.lambda, err = newLambdaClient(t.endpoint, newSigV4Signer(cfg.AccessKey, cfg.SecretKey, cfg.Region, "lambda"), transport, cfg.OpTimeout); err != nil {
		return err
	}
	if t.kinesis, err = newKinesisClient(t.label, t.endpoint, newSigV4Signer(cfg.AccessKey, cfg.SecretKey, cfg.Region, "kinesis"), transport, cfg.OpTimeout); err != nil {
		return err
	}
	t.logs = t.kinesis.forTarget(logsTargetPrefix, newSigV4Signer(cfg.AccessKey, cfg.SecretKey, cfg.Region, "logs"))
	defer t.deleteFunctions(context.WithoutCancel(ctx), progress)

	if err := t.setup(ctx, tmp, progress); err != nil {
		return t.withServerState(err)
	}
	rep := &lambdaReport{cfg: cfg, target: targetInfo{label: t.label, endpoint: t.endpoint, description: t.desc}, goDesc: t.goDesc, pyDesc: t.pyDesc}
	for run := 1; run <= cfg.Runs; run++ {
		for _, w := range cfg.Workloads {
			s, err := t.runWorkload(ctx, w, run)
			if err != nil {
				return fmt.Errorf("%s, run %d: %w", w.Name, run, t.withServerState(err))
			}
			rep.add(w, s)
			progress("[run %d/%d] %-16s %s", run, cfg.Runs, w.Name, s.line(w))
		}
	}
	rep.writeText(out)
	if cfg.Markdown {
		fmt.Fprintln(out)
		rep.writeMarkdown(out)
	}
	if rep.anyErrors() {
		return errors.New("some invokes failed (see the report)")
	}
	return nil
}

// withServerState adds a crashed server's log tail to err.
func (t *lambdaTarget) withServerState(err error) error {
	if t.srv == nil {
		return err
	}
	if exitErr := t.srv.exited(); exitErr != nil {
		return fmt.Errorf("%w (server: %v)", err, exitErr)
	}
	return err
}

// setup builds the deployment packages and creates the functions the workloads use.
func (t *lambdaTarget) setup(ctx context.Context, tmp string, progress func(string, ...any)) error {
	var err error
	if t.zips[runtimePython], err = pythonZip("echo.py", pythonEchoSource); err != nil {
		return err
	}
	if t.zips["count"], err = pythonZip("count.py", pythonCountSource); err != nil {
		return err
	}
	t.pyDesc = hostPython()
	if t.cfg.needs(runtimeGo) {
		start := time.Now()
		dir := filepath.Join(tmp, "go-function")
		if err := os.Mkdir(dir, 0o755); err != nil {
			return err
		}
		bin, desc, err := goBootstrap(ctx, t.cfg, dir)
		if err != nil {
			return err
		}
		if t.zips[runtimeGo], err = goZip(bin); err != nil {
			return err
		}
		t.goDesc = desc
		progress("go function: %s (%.1f MB bootstrap, %s)", desc, float64(len(bin))/1e6, time.Since(start).Round(time.Millisecond))
	}
	for _, rt := range []string{runtimePython, runtimeGo} {
		if !t.cfg.needs(rt) {
			continue
		}
		name := fmt.Sprintf("bench-%s-%s", rt, t.runID)
		runtimeName, handler := t.cfg.PythonRuntime, pythonEchoHandler
		if rt == runtimeGo {
			runtimeName, handler = "provided.al2023", "bootstrap"
		}
		if err := t.createFunction(ctx, name, runtimeName, handler, t.zips[rt]); err != nil {
			return err
		}
		t.functions[rt] = name
	}
	return nil
}

// createFunction creates a function and waits until it is Active.
func (t *lambdaTarget) createFunction(ctx context.Context, name, runtime, handler string, zip []byte) error {
	in := map[string]any{
		"FunctionName": name, "Runtime": runtime, "Role": benchRole, "Handler": handler,
		"Code": map[string]any{"ZipFile": zip}, "MemorySize": t.cfg.MemoryMB, "Timeout": functionTimeout,
		"Environment": map[string]any{"Variables": map[string]string{"BENCH_COLD": "0"}},
	}
	if err := t.lambda.callJSON(ctx, "CreateFunction", http.MethodPost, "/2015-03-31/functions", in, nil); err != nil {
		if isUnsupported(err) {
			return fmt.Errorf("this server has no Lambda API: %w", err)
		}
		return err
	}
	t.created = append(t.created, name)
	return t.waitReady(ctx, name)
}

// waitReady polls GetFunctionConfiguration until the function is Active and no update is in progress.
func (t *lambdaTarget) waitReady(ctx context.Context, name string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var c struct{ State, StateReason, LastUpdateStatus, LastUpdateStatusReason string }
		if err := t.lambda.callJSON(ctx, "GetFunctionConfiguration", http.MethodGet, functionPath(name)+"/configuration", nil, &c); err != nil {
			return err
		}
		switch {
		case c.State == "Failed" || c.LastUpdateStatus == "Failed":
			return fmt.Errorf("function %s failed: %s%s", name, c.StateReason, c.LastUpdateStatusReason)
		case c.State == "Active" && c.LastUpdateStatus != "InProgress":
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("function %s not ready after 2 minutes (State %q, LastUpdateStatus %q)", name, c.State, c.LastUpdateStatus)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (t *lambdaTarget) deleteFunctions(ctx context.Context, progress func(string, ...any)) {
	for _, name := range t.created {
		if err := t.lambda.callJSON(ctx, "DeleteFunction", http.MethodDelete, functionPath(name), nil, nil); err != nil {
			progress("warning: deleting function %s: %v", name, err)
		}
	}
}

func (t *lambdaTarget) runWorkload(ctx context.Context, w LambdaWorkload, run int) (lambdaSample, error) {
	switch w.Kind {
	case kindWarm:
		return t.warmRun(ctx, w)
	case kindParallel:
		return t.parallelRun(ctx, w)
	case kindCold:
		return t.coldRun(ctx, w)
	case kindKinesis:
		return t.kinesisRun(ctx, run)
	}
	return lambdaSample{}, fmt.Errorf("unknown workload %q", w.Name)
}

// invokeOp invokes w's function with echoPayload(seq) and checks the answer; the latency is the
// round trip only. onReport (tail invokes) receives each REPORT line.
func (t *lambdaTarget) invokeOp(w LambdaWorkload, tail bool, onReport func(reportLine)) func(worker int) opFunc {
	name := t.functions[w.Runtime]
	return func(int) opFunc {
		var buf bytes.Buffer
		return func(ctx context.Context, seq int64) (time.Duration, int64, error) {
			res, err := t.lambda.invoke(ctx, name, echoPayload(w.Runtime, seq), tail, &buf)
			if err != nil {
				return 0, 0, err
			}
			if err := checkEcho(w.Runtime, name, seq, res.Body); err != nil {
				return 0, 0, &DataError{Target: t.label, Key: name, Detail: err.Error()}
			}
			if res.Executed != "$LATEST" {
				return 0, 0, &DataError{Target: t.label, Key: name, Detail: fmt.Sprintf("X-Amz-Executed-Version %q, want $LATEST", res.Executed)}
			}
			if onReport != nil {
				onReport(res.Report)
			}
			return res.Latency, 0, nil
		}
	}
}

// warmup runs n unmeasured invokes at concurrency c; any failure is an error (the instances the
// measured invokes reuse must exist).
func (t *lambdaTarget) warmup(ctx context.Context, w LambdaWorkload, c, n int) error {
	if n == 0 {
		return nil
	}
	s, err := measure(ctx, c, 0, int64(n), t.invokeOp(w, false, nil))
	if err != nil {
		return err
	}
	if s.Errors > 0 {
		return fmt.Errorf("warmup: %d of %d invokes failed; first: %s", s.Errors, s.Started, s.FirstErr)
	}
	return nil
}

// warmRun: one caller, Invokes invokes of a warm instance (latency), then TailInvokes more with
// X-Amz-Log-Type: Tail for the REPORT line's Duration, the server's own view of the invoke.
func (t *lambdaTarget) warmRun(ctx context.Context, w LambdaWorkload) (lambdaSample, error) {
	if err := t.warmup(ctx, w, 1, t.cfg.WarmupInvokes); err != nil {
		return lambdaSample{}, err
	}
	s, err := measure(ctx, 1, 0, int64(t.cfg.Invokes), t.invokeOp(w, false, nil))
	if err != nil {
		return lambdaSample{}, err
	}
	out := lambdaSample{Invokes: s.Ops, Errors: s.Errors, FirstErr: s.FirstErr, Elapsed: s.Elapsed, P50: s.P50, P99: s.P99}
	if t.cfg.TailInvokes == 0 {
		return out, nil
	}
	var mu sync.Mutex
	var server []time.Duration
	ts, err := measure(ctx, 1, 0, int64(t.cfg.TailInvokes), t.invokeOp(w, true, func(r reportLine) {
		mu.Lock()
		server = append(server, r.Duration)
		mu.Unlock()
	}))
	if err != nil {
		return lambdaSample{}, err
	}
	slices.Sort(server)
	out.Errors += ts.Errors
	if out.FirstErr == "" {
		out.FirstErr = ts.FirstErr
	}
	out.TailP50, out.ServerP50, out.ServerP99 = ts.P50, Percentile(server, 50), Percentile(server, 99)
	return out, nil
}

// parallelRun: Concurrency callers, ParallelInvokes invokes in all, after a warmup at the same
// concurrency so that every caller finds a warm instance.
func (t *lambdaTarget) parallelRun(ctx context.Context, w LambdaWorkload) (lambdaSample, error) {
	c := t.cfg.Concurrency
	if err := t.warmup(ctx, w, c, max(t.cfg.WarmupInvokes, 4*c)); err != nil {
		return lambdaSample{}, err
	}
	s, err := measure(ctx, c, 0, int64(t.cfg.ParallelInvokes), t.invokeOp(w, false, nil))
	if err != nil {
		return lambdaSample{}, err
	}
	return lambdaSample{Invokes: s.Ops, Errors: s.Errors, FirstErr: s.FirstErr, Elapsed: s.Elapsed, P50: s.P50, P99: s.P99}, nil
}

// coldRun: ColdStarts times, UpdateFunctionConfiguration with a new environment variable (the
// function's instances are replaced), then one invoke with the log tail. The round trip of that
// first invoke is the cold start a caller sees; the REPORT line must carry an Init Duration.
func (t *lambdaTarget) coldRun(ctx context.Context, w LambdaWorkload) (lambdaSample, error) {
	name := t.functions[w.Runtime]
	var lat, inits, server []time.Duration
	var buf bytes.Buffer
	var busy time.Duration
	for range t.cfg.ColdStarts {
		t.coldSeq++
		in := map[string]any{"Environment": map[string]any{"Variables": map[string]string{"BENCH_COLD": strconv.Itoa(t.coldSeq)}}}
		if err := t.lambda.callJSON(ctx, "UpdateFunctionConfiguration", http.MethodPut, functionPath(name)+"/configuration", in, nil); err != nil {
			return lambdaSample{}, err
		}
		if err := t.waitReady(ctx, name); err != nil {
			return lambdaSample{}, err
		}
		seq := int64(t.coldSeq)
		res, err := t.lambda.invoke(ctx, name, echoPayload(w.Runtime, seq), true, &buf)
		if err != nil {
			return lambdaSample{}, err
		}
		if err := checkEcho(w.Runtime, name, seq, res.Body); err != nil {
			return lambdaSample{}, &DataError{Target: t.label, Key: name, Detail: err.Error()}
		}
		if !res.Report.Cold {
			return lambdaSample{}, fmt.Errorf("the first invoke after UpdateFunctionConfiguration was not a cold start (no Init Duration in its REPORT line)")
		}
		lat, inits, server = append(lat, res.Latency), append(inits, res.Report.Init), append(server, res.Report.Duration)
		busy += res.Latency
	}
	slices.Sort(lat)
	return lambdaSample{Invokes: int64(len(lat)), Elapsed: busy, P50: MedianDuration(lat), P99: lat[len(lat)-1],
		InitP50: MedianDuration(inits), ServerP50: MedianDuration(server)}, nil
}

// line is one run's progress line.
func (s lambdaSample) line(w LambdaWorkload) string {
	if s.Unsupported != "" {
		return "unsupported: " + s.Unsupported
	}
	var b strings.Builder
	switch w.Kind {
	case kindWarm:
		fmt.Fprintf(&b, "%s invokes/s, round trip p50 %s p99 %s", formatRate(s.rate(w)), formatLatency(s.P50), formatLatency(s.P99))
		if s.ServerP50 > 0 {
			fmt.Fprintf(&b, "; tail: round trip p50 %s, REPORT Duration p50 %s", formatLatency(s.TailP50), formatLatency(s.ServerP50))
		}
	case kindParallel:
		fmt.Fprintf(&b, "%s invokes/s, round trip p50 %s p99 %s", formatRate(s.rate(w)), formatLatency(s.P50), formatLatency(s.P99))
	case kindCold:
		fmt.Fprintf(&b, "%d cold starts: first invoke p50 %s max %s, Init Duration p50 %s", s.Invokes, formatLatency(s.P50), formatLatency(s.P99), formatLatency(s.InitP50))
	case kindKinesis:
		fmt.Fprintf(&b, "%s records/s: %d records in %d batches in %s (seen by the client after %s)", formatRate(s.rate(w)), s.Records, s.Batches,
			s.Elapsed.Round(time.Millisecond), s.Observed.Round(time.Millisecond))
		if s.Dups > 0 {
			fmt.Fprintf(&b, ", %d duplicates", s.Dups)
		}
	}
	if s.Errors > 0 {
		fmt.Fprintf(&b, " (%d failed; first: %s)", s.Errors, s.FirstErr)
	}
	return b.String()
}
