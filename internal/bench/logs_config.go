package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// LogsConfig is one run of the CloudWatch Logs benchmark (tributary-bench logs).
type LogsConfig struct {
	TributaryBin  string
	TributaryArgs []string
	Moto          bool
	Python        string
	WorkDir       string
	KeepTemp      bool

	Runs        int
	Producers   int // concurrent PutLogEvents callers, one stream each
	PutCalls    int // PutLogEvents calls per put run (over all producers)
	BatchEvents int // events per PutLogEvents call
	EventSize   int // bytes per put event message
	FilterMB    int // size of the filter group's messages, in MB
	FilterLimit int // FilterLogEvents limit per page
	SubEvents   int // events delivered by the subscription workload
	Workloads   []LogsWorkload
	OpTimeout   time.Duration
	AccessKey   string
	SecretKey   string
	Region      string
	Markdown    bool
	Quiet       bool
}

// LogsWorkload is one measured operation of the logs benchmark.
// workloadName names the workload for --workloads.
func (w LogsWorkload) workloadName() string { return w.Name }

type LogsWorkload struct {
	Name    string
	Pattern string // filter workloads: the FilterLogEvents pattern
	Unit    string // "events/s" or "MB/s"
	Goal    float64
	Peers   bool // moto_server takes part (the subscription workload needs a Kinesis destination in the same server)
}

func (w LogsWorkload) isFilter() bool { return strings.HasPrefix(w.Name, "filter-") }

// AllLogsWorkloads are the workloads of issue 5 item 5 with its throughput targets.
func AllLogsWorkloads() []LogsWorkload {
	return []LogsWorkload{
		{Name: "put", Unit: "events/s", Goal: 150000, Peers: true},
		{Name: "filter-term", Pattern: logsTermPattern, Unit: "MB/s", Goal: 200, Peers: true},
		{Name: "filter-json", Pattern: logsJSONPattern, Unit: "MB/s", Goal: 100, Peers: true},
		{Name: "filter-delimited", Pattern: logsDelimitedPattern, Unit: "MB/s", Goal: 100, Peers: true},
		{Name: "subscription", Unit: "events/s"},
	}
}

// ParseLogsFlags reads the logs subcommand's flags.
func ParseLogsFlags(args []string, out io.Writer) (LogsConfig, error) {
	var cfg LogsConfig
	fs := flag.NewFlagSet("tributary-bench logs", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.TributaryBin, "tributary", "", "start `BINARY` serve --addr 127.0.0.1:0 --data-dir <temp dir> (durable, on disk) and measure it")
	var tribArgs stringList
	fs.Var(&tribArgs, "tributary-arg", "extra `ARG` for the started tributary serve (repeatable)")
	fs.BoolVar(&cfg.Moto, "moto", false, "start python3 -m moto.server on a free port and measure it")
	fs.StringVar(&cfg.Python, "python", "python3", "`interpreter` that runs moto.server")
	fs.StringVar(&cfg.WorkDir, "work-dir", "", "parent `DIR` of the started servers' temporary data directory (default: the OS temp dir)")
	fs.BoolVar(&cfg.KeepTemp, "keep-temp", false, "keep the temporary data directory and server logs")
	fs.IntVar(&cfg.Runs, "runs", 3, "repetitions of every workload; medians are reported")
	fs.IntVar(&cfg.Producers, "producers", 8, "concurrent PutLogEvents producers, each on its own stream")
	fs.IntVar(&cfg.PutCalls, "put-calls", 200, "PutLogEvents calls per put run, over all producers")
	fs.IntVar(&cfg.BatchEvents, "batch", 1000, "events per PutLogEvents call (1-10000)")
	fs.IntVar(&cfg.EventSize, "event-size", 200, "bytes per put event message (32-4096)")
	fs.IntVar(&cfg.FilterMB, "filter-mb", 64, "MB of messages in the filter group (~150 B each)")
	fs.IntVar(&cfg.FilterLimit, "filter-limit", 10000, "FilterLogEvents limit per page (1-10000)")
	fs.IntVar(&cfg.SubEvents, "subscription-events", 100000, "events put and delivered per subscription run")
	workloads := fs.String("workloads", "all", "comma-separated workload names or prefixes ("+strings.Join(selectableNames(AllLogsWorkloads()), ", ")+", filter)")
	fs.DurationVar(&cfg.OpTimeout, "op-timeout", 2*time.Minute, "deadline of a single request")
	fs.StringVar(&cfg.AccessKey, "access-key", "test", "access key id")
	fs.StringVar(&cfg.SecretKey, "secret-key", "test", "secret access key")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "region")
	fs.BoolVar(&cfg.Markdown, "markdown", false, "also print the README performance table and the issue's targets in Markdown")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "no per-run progress on stderr")
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: tributary-bench logs [flags]\n\nMeasures CloudWatch Logs servers side by side with one cheap Go client (bodies built once,\nSigV4 with precomputed payload hashes, keep-alive connections, no retries).\nAt least one of --tributary, --moto is required.\n\nWorkloads: %s\n\nFlags:\n", strings.Join(selectableNames(AllLogsWorkloads()), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return LogsConfig{}, err
	}
	if fs.NArg() > 0 {
		return LogsConfig{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.TributaryArgs = tribArgs
	if err := cfg.validate(); err != nil {
		return LogsConfig{}, err
	}
	sel, err := selectWorkloads(AllLogsWorkloads(), *workloads)
	if err != nil {
		return LogsConfig{}, err
	}
	cfg.Workloads = sel
	return cfg, nil
}

func (c *LogsConfig) validate() error {
	var errs []error
	if c.TributaryBin == "" && !c.Moto {
		errs = append(errs, errors.New("nothing to measure: give --tributary and/or --moto"))
	}
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.Runs >= 1, "--runs must be at least 1")
	check(c.Producers >= 1, "--producers must be at least 1")
	check(c.PutCalls >= c.Producers, "--put-calls must be at least --producers")
	check(c.BatchEvents >= 1 && c.BatchEvents <= 10000, "--batch must be 1-10000")
	check(c.EventSize >= 32 && c.EventSize <= 4096, "--event-size must be 32-4096")
	check(c.BatchEvents*(c.EventSize+26) <= 1<<20, "--batch × (--event-size + 26) must fit PutLogEvents' 1 MiB")
	check(c.FilterMB >= 1, "--filter-mb must be at least 1")
	check(c.FilterLimit >= 1 && c.FilterLimit <= 10000, "--filter-limit must be 1-10000")
	check(c.SubEvents >= 1, "--subscription-events must be at least 1")
	check(c.OpTimeout > 0, "--op-timeout must be positive")
	return errors.Join(errs...)
}
