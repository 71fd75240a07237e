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

// LabelKinesalite names the kinesalite target; ratios compare "tributary" against it and "moto_server".
const LabelKinesalite = "kinesalite"

// DefaultKinesaliteCLI is where `npm ci --prefix bench/peers` installs kinesalite, relative to the
// repository root.
const DefaultKinesaliteCLI = "bench/peers/node_modules/kinesalite/cli.js"

// KinesisConfig is everything `tributary-bench kinesis` was asked to do.
type KinesisConfig struct {
	Endpoint      string   // an already running server to measure; "" for none
	EndpointLabel string   // how Endpoint is named in the report
	TributaryBin  string   // a tributary binary to start and measure; "" for none
	TributaryArgs []string // extra arguments appended to `serve --addr 127.0.0.1:0 --data-dir DIR`
	Kinesalite    bool     // start and measure kinesalite, on disk (--path)
	Node          string   // interpreter that runs kinesalite
	KinesaliteCLI string   // kinesalite's cli.js
	Moto          bool     // start and measure python3 -m moto.server
	Python        string   // interpreter that runs moto.server
	WorkDir       string   // parent of the temporary directory holding the started servers' data and logs
	KeepTemp      bool     // keep that directory after the run

	Runs      int           // repetitions of every workload; the report shows medians
	Duration  time.Duration // measured time of the put and latency workloads, per run
	Warmup    time.Duration // unmeasured time of the same work before each measured put/latency run
	Shards    int           // shards of the put and drain streams
	Producers int           // concurrent PutRecords callers
	Batch     int           // records per PutRecords call
	// DrainRecords is how many records (of DrainSize bytes) the drain stream is filled with.
	DrainRecords int
	DrainSize    int
	LatencyRate  int           // records per second the latency producer puts
	LatencySize  int           // bytes per latency record
	PollInterval time.Duration // pause between the polling consumer's GetRecords calls (0: back to back)
	VerifyEvery  int           // decode and check every Nth PutRecords answer completely
	Workloads    []KinesisWorkload
	OpTimeout    time.Duration

	AccessKey string
	SecretKey string
	Region    string

	Markdown bool
	Quiet    bool
}

// ParseKinesisFlags parses the arguments after `kinesis`. Usage and errors go to out; flag.ErrHelp
// is returned for -h.
func ParseKinesisFlags(args []string, out io.Writer) (KinesisConfig, error) {
	var cfg KinesisConfig
	fs := flag.NewFlagSet("tributary-bench kinesis", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Endpoint, "endpoint", "", "measure the Kinesis endpoint at `URL` (already running)")
	fs.StringVar(&cfg.EndpointLabel, "endpoint-label", "endpoint", "name of --endpoint in the report (\""+LabelTributary+"\", \""+LabelKinesalite+"\" or \""+LabelMoto+"\" take part in ratios)")
	fs.StringVar(&cfg.TributaryBin, "tributary", "", "start `BINARY` serve --addr 127.0.0.1:0 --data-dir <temp dir> (durable, on disk) and measure it")
	var tribArgs stringList
	fs.Var(&tribArgs, "tributary-arg", "extra `ARG` for the started tributary serve (repeatable)")
	fs.BoolVar(&cfg.Kinesalite, "kinesalite", false, "start kinesalite on disk (--path <temp dir>) on a free port and measure it")
	fs.StringVar(&cfg.Node, "node", "node", "`interpreter` that runs kinesalite")
	fs.StringVar(&cfg.KinesaliteCLI, "kinesalite-cli", DefaultKinesaliteCLI, "kinesalite's cli.js (`PATH`); install it with: npm ci --prefix bench/peers")
	fs.BoolVar(&cfg.Moto, "moto", false, "start python3 -m moto.server on a free port and measure it")
	fs.StringVar(&cfg.Python, "python", "python3", "`interpreter` that runs moto.server")
	fs.StringVar(&cfg.WorkDir, "work-dir", "", "parent `DIR` of the started servers' temporary data directory (default: the OS temp dir)")
	fs.BoolVar(&cfg.KeepTemp, "keep-temp", false, "keep the temporary data directory and server logs")
	fs.IntVar(&cfg.Runs, "runs", 3, "repetitions of every workload; medians are reported")
	fs.DurationVar(&cfg.Duration, "duration", 3*time.Second, "measured time per put and latency workload and run")
	fs.DurationVar(&cfg.Warmup, "warmup", 500*time.Millisecond, "unmeasured warmup before each put and latency run (0 to skip)")
	fs.IntVar(&cfg.Shards, "shards", 4, "shards of the put and drain streams")
	fs.IntVar(&cfg.Producers, "producers", 8, "concurrent PutRecords producers")
	fs.IntVar(&cfg.Batch, "batch", 500, "records per PutRecords call (1-500)")
	fs.IntVar(&cfg.DrainRecords, "drain-records", 100000, "records the drain stream is filled with (moto_server slows down quadratically as a shard grows: keep it moderate)")
	fs.IntVar(&cfg.DrainSize, "drain-size", 1024, "bytes per drained record")
	fs.IntVar(&cfg.LatencyRate, "latency-rate", 100, "records per second put by the latency workloads' producer")
	fs.IntVar(&cfg.LatencySize, "latency-size", 1024, "bytes per latency record")
	fs.DurationVar(&cfg.PollInterval, "poll-interval", 0, "pause between the polling consumer's GetRecords calls (0: back to back)")
	fs.IntVar(&cfg.VerifyEvery, "verify-every", 8, "decode and check every `N`th PutRecords answer completely (the others: counts only)")
	workloads := fs.String("workloads", "all", "comma-separated workload names or prefixes ("+strings.Join(kinesisWorkloadNames(AllKinesisWorkloads()), ", ")+", put, latency)")
	fs.DurationVar(&cfg.OpTimeout, "op-timeout", time.Minute, "deadline of a single request")
	fs.StringVar(&cfg.AccessKey, "access-key", "test", "access key id")
	fs.StringVar(&cfg.SecretKey, "secret-key", "test", "secret access key")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "region")
	fs.BoolVar(&cfg.Markdown, "markdown", false, "also print the README performance table and the issue's targets in Markdown")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "no per-run progress on stderr")
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: tributary-bench kinesis [flags]\n\nMeasures Kinesis Data Streams servers side by side with one cheap Go client (bodies built once,\nSigV4 with precomputed payload hashes, keep-alive connections, no retries).\nAt least one of --endpoint, --tributary, --kinesalite, --moto is required.\n\nWorkloads: %s\n\nFlags:\n", strings.Join(kinesisWorkloadNames(AllKinesisWorkloads()), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return KinesisConfig{}, err
	}
	if fs.NArg() > 0 {
		return KinesisConfig{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.TributaryArgs = tribArgs
	if err := cfg.validate(); err != nil {
		return KinesisConfig{}, err
	}
	sel, err := SelectKinesisWorkloads(AllKinesisWorkloads(), *workloads)
	if err != nil {
		return KinesisConfig{}, err
	}
	cfg.Workloads = sel
	return cfg, nil
}

func (c *KinesisConfig) validate() error {
	if c.Endpoint == "" && c.TributaryBin == "" && !c.Kinesalite && !c.Moto {
		return errors.New("nothing to measure: give --endpoint, --tributary, --kinesalite or --moto")
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--endpoint %q is not an http(s) URL", c.Endpoint)
		}
		if c.EndpointLabel == "" {
			return errors.New("--endpoint-label must not be empty")
		}
		if (c.EndpointLabel == LabelTributary && c.TributaryBin != "") || (c.EndpointLabel == LabelMoto && c.Moto) ||
			(c.EndpointLabel == LabelKinesalite && c.Kinesalite) {
			return fmt.Errorf("--endpoint-label %q collides with a server started by --tributary/--kinesalite/--moto", c.EndpointLabel)
		}
	}
	switch {
	case c.Runs < 1:
		return fmt.Errorf("--runs must be at least 1, got %d", c.Runs)
	case c.Duration <= 0:
		return fmt.Errorf("--duration must be positive, got %s", c.Duration)
	case c.Warmup < 0:
		return fmt.Errorf("--warmup must not be negative, got %s", c.Warmup)
	case c.Shards < 1 || c.Shards > 100:
		return fmt.Errorf("--shards must be between 1 and 100, got %d", c.Shards)
	case c.Producers < 1:
		return fmt.Errorf("--producers must be at least 1, got %d", c.Producers)
	case c.Batch < 1 || c.Batch > 500:
		return fmt.Errorf("--batch must be between 1 and 500 (the PutRecords limit), got %d", c.Batch)
	case c.DrainRecords < 1:
		return fmt.Errorf("--drain-records must be at least 1, got %d", c.DrainRecords)
	case c.DrainSize < stampLen || c.DrainSize > 1<<20:
		return fmt.Errorf("--drain-size must be between %d and %d bytes, got %d", stampLen, 1<<20, c.DrainSize)
	case c.LatencyRate < 1 || c.LatencyRate > 10000:
		return fmt.Errorf("--latency-rate must be between 1 and 10000, got %d", c.LatencyRate)
	case c.LatencySize < stampLen || c.LatencySize > 1<<20:
		return fmt.Errorf("--latency-size must be between %d and %d bytes, got %d", stampLen, 1<<20, c.LatencySize)
	case c.PollInterval < 0:
		return fmt.Errorf("--poll-interval must not be negative, got %s", c.PollInterval)
	case c.VerifyEvery < 1:
		return fmt.Errorf("--verify-every must be at least 1, got %d", c.VerifyEvery)
	case c.OpTimeout <= 0:
		return fmt.Errorf("--op-timeout must be positive, got %s", c.OpTimeout)
	}
	return nil
}

// kinesisKind is what a Kinesis workload does.
type kinesisKind int

const (
	kindPut kinesisKind = iota
	kindDrain
	kindLatencyPoll
	kindLatencyEFO
)

// KinesisWorkload is one measured row.
type KinesisWorkload struct {
	Name       string // flag-friendly: put-1k, put-128, drain, latency-poll, latency-efo
	Kind       kinesisKind
	RecordSize int // bytes of data per record; 0 = from the configuration (drain, latency)
}

// AllKinesisWorkloads is the full set in run order.
func AllKinesisWorkloads() []KinesisWorkload {
	return []KinesisWorkload{
		{Name: "put-1k", Kind: kindPut, RecordSize: 1024},
		{Name: "put-128", Kind: kindPut, RecordSize: 128},
		{Name: "drain", Kind: kindDrain},
		{Name: "latency-poll", Kind: kindLatencyPoll},
		{Name: "latency-efo", Kind: kindLatencyEFO},
	}
}

// recordSize is the data bytes of each record the workload writes.
func (w KinesisWorkload) recordSize(cfg KinesisConfig) int {
	switch w.Kind {
	case kindDrain:
		return cfg.DrainSize
	case kindLatencyPoll, kindLatencyEFO:
		return cfg.LatencySize
	}
	return w.RecordSize
}

// Title is the human name used in tables.
func (w KinesisWorkload) Title(cfg KinesisConfig) string {
	switch w.Kind {
	case kindPut:
		return fmt.Sprintf("PutRecords %d × %s, %d shards, %d producers", cfg.Batch, sizeName(w.RecordSize), cfg.Shards, cfg.Producers)
	case kindDrain:
		return fmt.Sprintf("GetRecords drain, %d shards, %s records", cfg.Shards, sizeName(cfg.DrainSize))
	case kindLatencyPoll:
		return fmt.Sprintf("put-to-visible, GetRecords polling, %d rec/s", cfg.LatencyRate)
	default:
		return fmt.Sprintf("put-to-visible, SubscribeToShard, %d rec/s", cfg.LatencyRate)
	}
}

func (w KinesisWorkload) isLatency() bool {
	return w.Kind == kindLatencyPoll || w.Kind == kindLatencyEFO
}

// SelectKinesisWorkloads keeps the workloads named in spec: comma-separated names or prefixes ending
// at a '-' boundary ("put", "latency"), case-insensitive; "all" or "" keeps all, in run order.
func SelectKinesisWorkloads(all []KinesisWorkload, spec string) ([]KinesisWorkload, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || strings.EqualFold(spec, "all") {
		return all, nil
	}
	chosen := make([]bool, len(all))
	for _, part := range strings.Split(spec, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		matched := false
		for i, w := range all {
			if w.Name == part || strings.HasPrefix(w.Name, part+"-") {
				chosen[i], matched = true, true
			}
		}
		if !matched {
			return nil, fmt.Errorf("--workloads: %q matches none of %s", part, strings.Join(kinesisWorkloadNames(all), ", "))
		}
	}
	var ws []KinesisWorkload
	for i, w := range all {
		if chosen[i] {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("--workloads %q selects nothing", spec)
	}
	return ws, nil
}

func kinesisWorkloadNames(ws []KinesisWorkload) []string {
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = w.Name
	}
	return names
}
