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

// Target labels with a meaning: the ratio and target tables compare the "tributary" target against the
// "moto_server" one.
const (
	LabelTributary = "tributary"
	LabelMoto      = "moto_server"
)

// Config is everything `tributary-bench s3` was asked to do.
type Config struct {
	Endpoint      string   // an already running server to measure; "" for none
	EndpointLabel string   // how Endpoint is named in the report
	TributaryBin  string   // a tributary binary to start and measure; "" for none
	TributaryArgs []string // extra arguments appended to `serve --addr 127.0.0.1:0 --data-dir DIR`
	Moto          bool     // start and measure python3 -m moto.server
	Python        string   // interpreter that runs moto.server
	WorkDir       string   // parent of the started tributary's temporary data directory; "" for the OS default
	KeepTemp      bool     // keep the temporary directory (data, server logs) after the run

	Runs        int           // repetitions of every workload; the report shows medians
	Duration    time.Duration // measured time per workload and run (when Ops is 0)
	Ops         int           // if > 0, every PUT/GET workload performs exactly this many operations instead
	Warmup      time.Duration // unmeasured time of the same operation before each measured workload
	ListKeys    int           // keys pre-populated for the ListObjectsV2 workload
	ListPage    int           // MaxKeys per ListObjectsV2 page
	ListPasses  int           // if > 0, the list workload performs exactly this many full listings
	GetObjects  int           // distinct objects per size that GET workloads read
	VerifyEvery int           // compare every Nth GET body byte for byte (every GET's length is checked)
	Workloads   []Workload    // selected workloads, in run order
	OpTimeout   time.Duration // deadline of a single request

	AccessKey string
	SecretKey string
	Region    string

	Markdown bool // also print the README table and the targets in Markdown
	Quiet    bool // no per-run progress on stderr
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// ParseS3Flags parses the arguments after `s3`. Usage and errors go to out; flag.ErrHelp is returned
// for -h.
func ParseS3Flags(args []string, out io.Writer) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("tributary-bench s3", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Endpoint, "endpoint", "", "measure the S3 endpoint at `URL` (already running)")
	fs.StringVar(&cfg.EndpointLabel, "endpoint-label", "endpoint", "name of --endpoint in the report (use \""+LabelTributary+"\" or \""+LabelMoto+"\" to take part in ratios)")
	fs.StringVar(&cfg.TributaryBin, "tributary", "", "start `BINARY` serve --addr 127.0.0.1:0 --data-dir <temp dir> (durable, on disk) and measure it")
	var tribArgs stringList
	fs.Var(&tribArgs, "tributary-arg", "extra `ARG` for the started tributary serve (repeatable)")
	fs.BoolVar(&cfg.Moto, "moto", false, "start python3 -m moto.server on a free port and measure it")
	fs.StringVar(&cfg.Python, "python", "python3", "`interpreter` that runs moto.server")
	fs.StringVar(&cfg.WorkDir, "work-dir", "", "parent `DIR` of the started tributary's temporary data directory (default: the OS temp dir)")
	fs.BoolVar(&cfg.KeepTemp, "keep-temp", false, "keep the temporary data directory and server logs")
	fs.IntVar(&cfg.Runs, "runs", 3, "repetitions of every workload; medians are reported")
	fs.DurationVar(&cfg.Duration, "duration", 3*time.Second, "measured time per workload and run")
	fs.IntVar(&cfg.Ops, "ops", 0, "if > 0, run exactly `N` operations per PUT/GET workload instead of --duration")
	fs.DurationVar(&cfg.Warmup, "warmup", 500*time.Millisecond, "unmeasured warmup before each workload (0 to skip)")
	fs.IntVar(&cfg.ListKeys, "list-keys", 10000, "keys pre-populated for the ListObjectsV2 workload")
	fs.IntVar(&cfg.ListPage, "list-page", 1000, "MaxKeys per ListObjectsV2 page (1-1000)")
	fs.IntVar(&cfg.ListPasses, "list-passes", 0, "if > 0, run exactly `N` full listings instead of --duration")
	fs.IntVar(&cfg.GetObjects, "get-objects", 64, "distinct objects per size read by the GET workloads")
	fs.IntVar(&cfg.VerifyEvery, "verify-every", 8, "compare every `N`th GET body byte for byte (1 = all)")
	workloads := fs.String("workloads", "all", "comma-separated workload names or prefixes (put, get-4KiB, list, ...); see -h")
	fs.DurationVar(&cfg.OpTimeout, "op-timeout", time.Minute, "deadline of a single request")
	fs.StringVar(&cfg.AccessKey, "access-key", "test", "access key id")
	fs.StringVar(&cfg.SecretKey, "secret-key", "test", "secret access key")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "region")
	fs.BoolVar(&cfg.Markdown, "markdown", false, "also print the README performance table and the issue's targets in Markdown")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "no per-run progress on stderr")
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: tributary-bench s3 [flags]\n\nMeasures S3 PutObject/GetObject (4 KiB, 1 MiB; concurrency 1 and 16) and ListObjectsV2 with aws-sdk-go-v2.\nAt least one of --endpoint, --tributary, --moto is required.\n\nWorkloads: %s\n\nFlags:\n", strings.Join(workloadNames(AllWorkloads(10000)), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.TributaryArgs = tribArgs
	if err := cfg.validate(); err != nil {
		return Config{}, err
	}
	sel, err := SelectWorkloads(AllWorkloads(cfg.ListKeys), *workloads)
	if err != nil {
		return Config{}, err
	}
	cfg.Workloads = sel
	return cfg, nil
}

func (c *Config) validate() error {
	if c.Endpoint == "" && c.TributaryBin == "" && !c.Moto {
		return errors.New("nothing to measure: give --endpoint, --tributary or --moto")
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--endpoint %q is not an http(s) URL", c.Endpoint)
		}
		if c.EndpointLabel == "" {
			return errors.New("--endpoint-label must not be empty")
		}
		if (c.EndpointLabel == LabelTributary && c.TributaryBin != "") || (c.EndpointLabel == LabelMoto && c.Moto) {
			return fmt.Errorf("--endpoint-label %q collides with the server started by --tributary/--moto", c.EndpointLabel)
		}
	}
	switch {
	case c.Runs < 1:
		return fmt.Errorf("--runs must be at least 1, got %d", c.Runs)
	case c.Ops < 0:
		return fmt.Errorf("--ops must not be negative, got %d", c.Ops)
	case c.Ops == 0 && c.Duration <= 0:
		return fmt.Errorf("--duration must be positive, got %s", c.Duration)
	case c.Warmup < 0:
		return fmt.Errorf("--warmup must not be negative, got %s", c.Warmup)
	case c.ListKeys < 1:
		return fmt.Errorf("--list-keys must be at least 1, got %d", c.ListKeys)
	case c.ListPage < 1 || c.ListPage > 1000:
		return fmt.Errorf("--list-page must be between 1 and 1000, got %d", c.ListPage)
	case c.ListPasses < 0:
		return fmt.Errorf("--list-passes must not be negative, got %d", c.ListPasses)
	case c.GetObjects < 1:
		return fmt.Errorf("--get-objects must be at least 1, got %d", c.GetObjects)
	case c.VerifyEvery < 1:
		return fmt.Errorf("--verify-every must be at least 1, got %d", c.VerifyEvery)
	case c.OpTimeout <= 0:
		return fmt.Errorf("--op-timeout must be positive, got %s", c.OpTimeout)
	}
	return nil
}
