package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// LambdaConfig is one run of the Lambda benchmark (tributary-bench lambda).
type LambdaConfig struct {
	Endpoint      string // an already running Tributary to measure; "" to start --tributary
	TributaryBin  string
	TributaryArgs []string
	WorkDir       string
	KeepTemp      bool

	Runs            int
	Invokes         int // concurrency-1 invokes per warm run (latency)
	TailInvokes     int // concurrency-1 invokes with X-Amz-Log-Type: Tail per warm run (REPORT Duration)
	WarmupInvokes   int // unmeasured invokes before every warm and parallel workload
	Concurrency     int // callers of the parallel workloads
	ParallelInvokes int // invokes per parallel run
	ColdStarts      int // cold starts per cold run
	KinesisRecords  int // records put before the event source mapping starts, per kinesis run
	KinesisShards   int
	KinesisBatch    int // the mapping's BatchSize
	RecordSize      int // bytes of record data
	KinesisTimeout  time.Duration

	PythonRuntime string // runtime of the Python functions
	Go            string // go toolchain that builds the Go function
	GoSource      string // package directory of the Go function (examples/functions/go-echo)
	GoBootstrap   string // a prebuilt bootstrap: no build
	MemoryMB      int

	Workloads []LambdaWorkload
	OpTimeout time.Duration
	AccessKey string
	SecretKey string
	Region    string
	Markdown  bool
	Quiet     bool
}

// lambdaKind is how a workload drives the functions.
type lambdaKind int

const (
	kindWarm     lambdaKind = iota // concurrency 1, warm instance: latency
	kindParallel                   // concurrency N, warm instances: invokes/s
	kindCold                       // first invoke after a configuration change: cold start
	kindKinesis                    // Kinesis stream → event source mapping → function: records/s
)

// Runtimes of the measured functions.
const (
	runtimePython = "python"
	runtimeGo     = "go"
)

// LambdaWorkload is one measured thing of the Lambda benchmark.
// workloadName names the workload for --workloads.
func (w LambdaWorkload) workloadName() string { return w.Name }

type LambdaWorkload struct {
	Name    string
	Kind    lambdaKind
	Runtime string // runtimePython or runtimeGo
}

// AllLambdaWorkloads are the workloads of issue 7 item 5, in run order.
func AllLambdaWorkloads() []LambdaWorkload {
	return []LambdaWorkload{
		{Name: "warm-python", Kind: kindWarm, Runtime: runtimePython},
		{Name: "warm-go", Kind: kindWarm, Runtime: runtimeGo},
		{Name: "parallel-python", Kind: kindParallel, Runtime: runtimePython},
		{Name: "parallel-go", Kind: kindParallel, Runtime: runtimeGo},
		{Name: "cold-python", Kind: kindCold, Runtime: runtimePython},
		{Name: "cold-go", Kind: kindCold, Runtime: runtimeGo},
		{Name: "kinesis", Kind: kindKinesis, Runtime: runtimePython},
	}
}

// ParseLambdaFlags reads the lambda subcommand's flags.
func ParseLambdaFlags(args []string, out io.Writer) (LambdaConfig, error) {
	var cfg LambdaConfig
	fs := flag.NewFlagSet("tributary-bench lambda", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.TributaryBin, "tributary", "", "start `BINARY` serve --addr 127.0.0.1:0 --data-dir <temp dir> (durable, on disk) and measure it")
	var tribArgs stringList
	fs.Var(&tribArgs, "tributary-arg", "extra `ARG` for the started tributary serve (repeatable)")
	fs.StringVar(&cfg.Endpoint, "endpoint", "", "measure an already running Tributary at `URL` instead of starting one")
	fs.StringVar(&cfg.WorkDir, "work-dir", "", "parent `DIR` of the temporary directory (server data, logs, function zips; default: the OS temp dir)")
	fs.BoolVar(&cfg.KeepTemp, "keep-temp", false, "keep the temporary directory")
	fs.IntVar(&cfg.Runs, "runs", 3, "repetitions of every workload; medians are reported")
	fs.IntVar(&cfg.Invokes, "invokes", 2000, "measured invokes per warm run, one at a time")
	fs.IntVar(&cfg.TailInvokes, "tail-invokes", 200, "invokes with X-Amz-Log-Type: Tail per warm run, for the REPORT line's Duration (0 to skip)")
	fs.IntVar(&cfg.WarmupInvokes, "warmup-invokes", 200, "unmeasured invokes before each warm and parallel run")
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "concurrent callers of the parallel workloads (1-256)")
	fs.IntVar(&cfg.ParallelInvokes, "parallel-invokes", 10000, "measured invokes per parallel run")
	fs.IntVar(&cfg.ColdStarts, "cold-starts", 5, "cold starts per cold run (each after an UpdateFunctionConfiguration)")
	fs.IntVar(&cfg.KinesisRecords, "kinesis-records", 20000, "records put before the event source mapping is created, per kinesis run")
	fs.IntVar(&cfg.KinesisShards, "kinesis-shards", 2, "shards of the kinesis workload's stream")
	fs.IntVar(&cfg.KinesisBatch, "kinesis-batch", 500, "BatchSize of the event source mapping (1-10000)")
	fs.IntVar(&cfg.RecordSize, "record-size", 100, "bytes of data per Kinesis record (16-1048576)")
	fs.DurationVar(&cfg.KinesisTimeout, "kinesis-timeout", 5*time.Minute, "give up when the function has not seen every record after this long")
	fs.StringVar(&cfg.PythonRuntime, "python-runtime", "python3.12", "Runtime of the Python functions")
	fs.StringVar(&cfg.Go, "go", "go", "go `toolchain` that builds the Go function's bootstrap")
	fs.StringVar(&cfg.GoSource, "go-source", "examples/functions/go-echo", "package `DIR` of the Go function (aws-lambda-go echo)")
	fs.StringVar(&cfg.GoBootstrap, "go-bootstrap", "", "prebuilt linux bootstrap `FILE` of the Go function (skips the build)")
	fs.IntVar(&cfg.MemoryMB, "memory", 128, "MemorySize of the functions (MB)")
	workloads := fs.String("workloads", "all", "comma-separated workload names or prefixes ("+strings.Join(selectableNames(AllLambdaWorkloads()), ", ")+")")
	fs.DurationVar(&cfg.OpTimeout, "op-timeout", time.Minute, "deadline of a single request")
	fs.StringVar(&cfg.AccessKey, "access-key", "test", "access key id")
	fs.StringVar(&cfg.SecretKey, "secret-key", "test", "secret access key")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "region")
	fs.BoolVar(&cfg.Markdown, "markdown", false, "also print the README performance table and the issue's targets in Markdown")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "no per-run progress on stderr")
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: tributary-bench lambda [flags]\n\nMeasures Tributary's Lambda through its REST API with one cheap Go client (SigV4, keep-alive\nconnections, no retries): warm invoke latency and invokes/s of a do-nothing Python and Go\n(aws-lambda-go) function, their cold starts, and Kinesis → Lambda records/s through an event source mapping.\nOne of --tributary, --endpoint is required.\n\nWorkloads: %s\n\nFlags:\n", strings.Join(selectableNames(AllLambdaWorkloads()), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return LambdaConfig{}, err
	}
	if fs.NArg() > 0 {
		return LambdaConfig{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.TributaryArgs = tribArgs
	if err := cfg.validate(); err != nil {
		return LambdaConfig{}, err
	}
	sel, err := selectWorkloads(AllLambdaWorkloads(), *workloads)
	if err != nil {
		return LambdaConfig{}, err
	}
	cfg.Workloads = sel
	return cfg, nil
}

func (c *LambdaConfig) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	switch {
	case c.TributaryBin == "" && c.Endpoint == "":
		errs = append(errs, errors.New("nothing to measure: give --tributary or --endpoint"))
	case c.TributaryBin != "" && c.Endpoint != "":
		errs = append(errs, errors.New("give one of --tributary and --endpoint, not both"))
	case c.Endpoint != "":
		u, err := url.Parse(c.Endpoint)
		check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", "--endpoint %q is not an http(s) URL", c.Endpoint)
	}
	check(c.Runs >= 1, "--runs must be at least 1")
	check(c.Invokes >= 1, "--invokes must be at least 1")
	check(c.TailInvokes >= 0, "--tail-invokes must not be negative")
	check(c.WarmupInvokes >= 0, "--warmup-invokes must not be negative")
	check(c.Concurrency >= 1 && c.Concurrency <= 256, "--concurrency must be 1-256")
	check(c.ParallelInvokes >= c.Concurrency, "--parallel-invokes must be at least --concurrency")
	check(c.ColdStarts >= 1, "--cold-starts must be at least 1")
	check(c.KinesisRecords >= 1, "--kinesis-records must be at least 1")
	check(c.KinesisShards >= 1 && c.KinesisShards <= 64, "--kinesis-shards must be 1-64")
	check(c.KinesisBatch >= 1 && c.KinesisBatch <= 10000, "--kinesis-batch must be 1-10000")
	check(c.RecordSize >= 16 && c.RecordSize <= 1<<20, "--record-size must be 16-1048576")
	check(c.KinesisTimeout > 0, "--kinesis-timeout must be positive")
	check(strings.HasPrefix(c.PythonRuntime, "python3."), "--python-runtime must be a python3.x runtime, got %q", c.PythonRuntime)
	check(c.GoBootstrap != "" || (c.Go != "" && c.GoSource != ""), "--go and --go-source must not be empty without --go-bootstrap")
	check(c.MemoryMB >= 128 && c.MemoryMB <= 10240, "--memory must be 128-10240")
	check(c.OpTimeout > 0, "--op-timeout must be positive")
	return errors.Join(errs...)
}

// needs reports whether any selected workload uses runtime's function (warm, parallel, cold).
func (c *LambdaConfig) needs(runtime string) bool {
	for _, w := range c.Workloads {
		if w.Runtime == runtime && w.Kind != kindKinesis {
			return true
		}
	}
	return false
}
