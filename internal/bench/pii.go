package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/pii"
)

// PIIConfig is one run of the PII redaction benchmark (tributary-bench pii): throughput on one core per
// format, and peak memory while redacting one large NDJSON object (issue 6 item 6).
type PIIConfig struct {
	Formats      []string // ndjson, json, csv, text
	SizeMB       int      // input per format for the throughput runs
	MemoryMB     int      // size of the NDJSON peak-memory run (0: skip)
	TributaryBin string   // measure `tributary redact` in a child process instead of in-process
	PolicyFile   string
}

// piiGoalMBps and piiGoalMemMiB are issue 6's targets.
const (
	piiGoalMBps   = 50
	piiGoalMemMiB = 64
)

// ParsePIIFlags reads the pii subcommand's flags.
func ParsePIIFlags(args []string, stderr io.Writer) (PIIConfig, error) {
	fs := flag.NewFlagSet("tributary-bench pii", flag.ContinueOnError)
	fs.SetOutput(stderr)
	formats := fs.String("formats", "ndjson,json,csv,text", "formats to measure (comma-separated)")
	size := fs.Int("size-mb", 256, "input per format for the throughput runs, in MiB")
	mem := fs.Int("memory-mb", 1024, "size of the NDJSON object of the peak-memory run, in MiB (0: skip)")
	bin := fs.String("tributary-bin", "", "pipe the input through `<bin> redact` (GOMAXPROCS=1) instead of redacting in-process")
	policy := fs.String("policy", "", "policy document (default: every type as [TYPE])")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: tributary-bench pii [flags]\n  generates inputs on the fly and redacts them on one core: MB/s per format, peak RSS on a large NDJSON object\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return PIIConfig{}, err
	}
	if fs.NArg() > 0 {
		return PIIConfig{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := PIIConfig{SizeMB: *size, MemoryMB: *mem, TributaryBin: *bin, PolicyFile: *policy}
	for _, f := range strings.Split(*formats, ",") {
		if f = strings.TrimSpace(f); f != "" {
			if _, err := newPIISource(f, 0); err != nil {
				return cfg, err
			}
			cfg.Formats = append(cfg.Formats, f)
		}
	}
	if cfg.SizeMB <= 0 || cfg.MemoryMB < 0 {
		return cfg, errors.New("--size-mb must be > 0 and --memory-mb >= 0")
	}
	return cfg, nil
}

// piiResult is one measured run.
type piiResult struct {
	format       string
	bytesIn      int64
	wall, cpu    time.Duration
	peakRSSBytes int64
	findings     int
	fallback     bool
}

// RunPII runs the benchmark and prints a table.
func RunPII(ctx context.Context, cfg PIIConfig, stdout, stderr io.Writer) error {
	var policy *pii.Policy
	if cfg.PolicyFile != "" {
		doc, err := os.ReadFile(cfg.PolicyFile)
		if err != nil {
			return err
		}
		if policy, err = pii.ParsePolicy(doc); err != nil {
			return err
		}
	}
	r, err := pii.NewRedactor(policy)
	if err != nil {
		return err
	}
	where := "in-process, GOMAXPROCS=1"
	if cfg.TributaryBin != "" {
		where = cfg.TributaryBin + " redact, GOMAXPROCS=1"
	}
	fmt.Fprintf(stdout, "PII redaction (%s, %s/%s)\n\n", where, runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(stdout, "| run | input MiB | wall s | MB/s (wall) | CPU s | MB/s per CPU s | peak RSS MiB | findings | goal |\n")
	fmt.Fprintf(stdout, "|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	type job struct {
		name, format string
		size         int64
		memory       bool
	}
	var jobs []job
	for _, f := range cfg.Formats {
		jobs = append(jobs, job{f, f, int64(cfg.SizeMB) << 20, false})
	}
	if cfg.MemoryMB > 0 {
		jobs = append(jobs, job{fmt.Sprintf("ndjson %d MiB (memory)", cfg.MemoryMB), "ndjson", int64(cfg.MemoryMB) << 20, true})
	}
	failed := false
	for _, j := range jobs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var res piiResult
		if cfg.TributaryBin != "" {
			res, err = piiChild(ctx, cfg, j.format, j.size)
		} else {
			res, err = piiInProcess(r, j.format, j.size)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", j.name, err)
		}
		mbps := float64(res.bytesIn) / 1e6 / res.wall.Seconds()
		cpuMBps := float64(res.bytesIn) / 1e6 / res.cpu.Seconds()
		rss := float64(res.peakRSSBytes) / (1 << 20)
		goal := "-"
		switch {
		case j.memory:
			goal = fmt.Sprintf("< %d MiB: %s", piiGoalMemMiB, okMark(rss < piiGoalMemMiB))
			failed = failed || rss >= piiGoalMemMiB
		case j.format == "ndjson" || j.format == "text":
			goal = fmt.Sprintf(">= %d MB/s: %s", piiGoalMBps, okMark(cpuMBps >= piiGoalMBps))
		}
		if res.fallback {
			goal += " (fell back to text!)"
		}
		findings := fmt.Sprint(res.findings)
		if cfg.TributaryBin != "" {
			findings = "-" // the child does not say
		}
		fmt.Fprintf(stdout, "| %s | %.0f | %.2f | %.1f | %.2f | %.1f | %.1f | %s | %s |\n", j.name,
			float64(res.bytesIn)/(1<<20), res.wall.Seconds(), mbps, res.cpu.Seconds(), cpuMBps, rss, findings, goal)
	}
	fmt.Fprintf(stdout, "\nMB/s per CPU s is the one-core rate on a busy machine; wall MB/s equals it on a quiet one.\n")
	if failed {
		fmt.Fprintln(stderr, "tributary-bench pii: memory goal missed")
	}
	return nil
}

func okMark(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

// piiInProcess redacts a generated input on one core of this process.
func piiInProcess(r *pii.Redactor, format string, size int64) (piiResult, error) {
	src, err := newPIISource(format, size)
	if err != nil {
		return piiResult{}, err
	}
	f, _ := pii.ParseFormat(format)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	runtime.GC()
	resetPeakRSS()
	cpu0 := processCPU()
	start := time.Now()
	rep, err := r.Redact(io.Discard, src, f)
	res := piiResult{format: format, bytesIn: rep.BytesIn, wall: time.Since(start), cpu: processCPU() - cpu0,
		peakRSSBytes: peakRSS(), fallback: rep.Fallback}
	for _, n := range rep.Counts {
		res.findings += n
	}
	return res, err
}

// piiChild pipes a generated input through `bin redact --format F` and reads the child's CPU time and
// peak RSS from its rusage.
func piiChild(ctx context.Context, cfg PIIConfig, format string, size int64) (piiResult, error) {
	src, err := newPIISource(format, size)
	if err != nil {
		return piiResult{}, err
	}
	args := []string{"redact", "--format", format}
	if cfg.PolicyFile != "" {
		args = append(args, "--policy", cfg.PolicyFile)
	}
	cmd := exec.CommandContext(ctx, cfg.TributaryBin, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stdin = src
	var out countingWriter
	cmd.Stdout = &out
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	res := piiResult{format: format, bytesIn: src.pos, wall: time.Since(start)}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		res.fallback, err = true, nil
	}
	if err != nil {
		return res, fmt.Errorf("%v: %s", err, stderr.String())
	}
	res.cpu, res.peakRSSBytes = childUsage(cmd.ProcessState)
	return res, nil
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
