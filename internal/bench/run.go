package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// ErrRequestsFailed is returned after the report when any request failed: the numbers are printed,
// but a run with failures is not a clean result.
var ErrRequestsFailed = errors.New("some requests failed (see the errors column)")

// Run performs the benchmark cfg describes: it starts the requested servers, measures every workload
// cfg.Runs times per target (runs interleaved across targets, so a noisy neighbour hurts both alike),
// prints the report to out and progress to progress, and stops what it started.
func Run(ctx context.Context, cfg Config, out, progressOut io.Writer) (runErr error) {
	progress := func(format string, args ...any) {
		if !cfg.Quiet {
			fmt.Fprintf(progressOut, format+"\n", args...)
		}
	}
	httpClient := newHTTPClient()
	pl := newPayload(size1MiB)

	var tmp string
	if cfg.TributaryBin != "" || cfg.Moto {
		var err error
		if tmp, err = makeTempDir(cfg.WorkDir); err != nil {
			return err
		}
		// Deferred before the servers' stop, so it runs after they are gone.
		defer func() {
			// Kept after a failure (the server logs explain it), not after Ctrl-C.
			if cfg.KeepTemp || (runErr != nil && ctx.Err() == nil) {
				progress("kept %s (server data and logs)", tmp)
				return
			}
			if err := os.RemoveAll(tmp); err != nil {
				progress("warning: removing %s: %v", tmp, err)
			}
		}()
	}
	var targets []*target
	defer func() {
		for _, t := range targets {
			if t.srv != nil {
				if err := t.srv.stop(); err != nil {
					progress("warning: %v", err)
				}
			}
		}
	}()

	if cfg.TributaryBin != "" {
		t, err := startTributaryTarget(ctx, cfg, tmp, httpClient, pl)
		if err != nil {
			return err
		}
		targets = append(targets, t)
		progress("tributary: %s (%s)", t.endpoint, t.description)
	}
	if cfg.Moto {
		srv, endpoint, err := startMoto(ctx, cfg.Python, tmp, filepath.Join(tmp, "moto_server.log"))
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("started %s -m moto.server%s, in memory", cfg.Python, motoVersion(cfg.Python))
		targets = append(targets, newTarget(cfg, LabelMoto, endpoint, desc, srv, httpClient, pl))
		progress("moto_server: %s (%s)", endpoint, desc)
	}
	if cfg.Endpoint != "" {
		targets = append(targets, newTarget(cfg, cfg.EndpointLabel, cfg.Endpoint, "already running", nil, httpClient, pl))
	}

	for _, t := range targets {
		if err := t.setup(ctx, cfg.Workloads, progress); err != nil {
			return withServerState(t, err)
		}
	}

	rep := newReport(cfg, targets)
	for run := 1; run <= cfg.Runs; run++ {
		for _, t := range targets {
			for _, w := range cfg.Workloads {
				s, err := t.runWorkload(ctx, w, run)
				if err != nil {
					return withServerState(t, fmt.Errorf("%s, run %d: %w", w.Title(), run, err))
				}
				if err := t.crashed(); err != nil {
					return fmt.Errorf("during %s, run %d: %w", w.Title(), run, err)
				}
				rep.add(t.label, w, s)
				progress("[run %d/%d] %-11s %-26s %s", run, cfg.Runs, t.label, w.Title(), s.line(w))
			}
		}
	}
	rep.writeText(out)
	if cfg.Markdown {
		fmt.Fprintln(out)
		rep.writeMarkdown(out)
	}

	for _, t := range targets {
		if t.srv == nil {
			if err := t.removeBuckets(ctx); err != nil {
				progress("warning: cleaning up %s: %v", t.label, err)
			}
		}
	}
	if rep.anyErrors() {
		return ErrRequestsFailed
	}
	return nil
}

// startTributaryTarget starts the tributary binary with its data in a fresh directory under tmp: on
// disk and durable, as users run it, not in the ephemeral mode.
func startTributaryTarget(ctx context.Context, cfg Config, tmp string, httpClient aws.HTTPClient, pl payload) (*target, error) {
	dataDir := filepath.Join(tmp, "tributary-data")
	if err := os.Mkdir(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating tributary data dir: %w", err)
	}
	srv, endpoint, err := startTributary(ctx, cfg.TributaryBin, cfg.TributaryArgs, dataDir, filepath.Join(tmp, "tributary.log"))
	if err != nil {
		return nil, err
	}
	desc := fmt.Sprintf("started %s serve, durable (not --ephemeral), data in %s on %s", cfg.TributaryBin, dataDir, filesystemType(dataDir))
	return newTarget(cfg, LabelTributary, endpoint, desc, srv, httpClient, pl), nil
}

// runWorkload warms up (unmeasured), then measures one run of w.
func (t *target) runWorkload(ctx context.Context, w Workload, run int) (Sample, error) {
	cfg := t.cfg
	switch w.Op {
	case OpList:
		if cfg.Warmup > 0 {
			if _, err := t.listPass(ctx); err != nil {
				return Sample{}, err
			}
		}
		return t.measureList(ctx)
	case OpPut:
		var warm Sample
		if cfg.Warmup > 0 {
			var err error
			if warm, err = measure(ctx, w.Concurrency, cfg.Warmup, 0, t.putOp(w, "warmup")); err != nil {
				return Sample{}, err
			}
			if err := t.checkAndDeletePuts(ctx, w, "warmup", warm.Ops, warm.Started); err != nil {
				return Sample{}, err
			}
		}
		phase := fmt.Sprintf("run%d", run)
		s, err := measure(ctx, w.Concurrency, cfg.Duration, int64(cfg.Ops), t.putOp(w, phase))
		if err != nil {
			return Sample{}, err
		}
		if err := t.checkAndDeletePuts(ctx, w, phase, s.Ops, s.Started); err != nil {
			return Sample{}, err
		}
		return s.withWarmupErrors(warm), nil
	default:
		var warm Sample
		if cfg.Warmup > 0 {
			var err error
			if warm, err = measure(ctx, w.Concurrency, cfg.Warmup, 0, t.getOp(w)); err != nil {
				return Sample{}, err
			}
		}
		s, err := measure(ctx, w.Concurrency, cfg.Duration, int64(cfg.Ops), t.getOp(w))
		if err != nil {
			return Sample{}, err
		}
		return s.withWarmupErrors(warm), nil
	}
}

// withWarmupErrors counts failures during warmup too: they are not timed, but they are failures.
func (s Sample) withWarmupErrors(warm Sample) Sample {
	s.Errors += warm.Errors
	if s.FirstErr == "" {
		s.FirstErr = warm.FirstErr
	}
	return s
}

// measureList times complete listings back to back, for cfg.Duration (at least one listing) or
// exactly cfg.ListPasses listings. Latencies are per page.
func (t *target) measureList(ctx context.Context) (Sample, error) {
	var s Sample
	var lat []time.Duration
	start := time.Now()
	for passes := 0; ; {
		if t.cfg.ListPasses > 0 && passes >= t.cfg.ListPasses {
			break
		}
		if t.cfg.ListPasses == 0 && passes > 0 && time.Since(start) >= t.cfg.Duration {
			break
		}
		pages, err := t.listPass(ctx)
		if err != nil {
			var de *DataError
			if errors.As(err, &de) || ctx.Err() != nil {
				return Sample{}, err
			}
			s.Errors++
			if s.FirstErr == "" {
				s.FirstErr = err.Error()
			}
			if s.Errors >= 5 {
				break
			}
			continue
		}
		lat = append(lat, pages...)
		s.Keys += int64(len(t.listed))
		passes++
	}
	s.Elapsed = time.Since(start)
	slices.Sort(lat)
	s.Ops = int64(len(lat))
	s.P50, s.P99 = Percentile(lat, 50), Percentile(lat, 99)
	return s, nil
}

// crashed reports a started server that exited on its own.
func (t *target) crashed() error {
	if t.srv == nil {
		return nil
	}
	return t.srv.exited()
}

// withServerState adds a started server's exit and log tail to err: the first thing to look at when
// a request fails.
func withServerState(t *target, err error) error {
	if crash := t.crashed(); crash != nil {
		return fmt.Errorf("%w\n%v", err, crash)
	}
	if t.srv != nil {
		return fmt.Errorf("%w\nlast lines of %s:\n%s", err, t.srv.logPath, t.srv.logTail(15))
	}
	return err
}

// motoVersion is " VERSION" of the installed moto, or "" if it cannot be told.
func motoVersion(python string) string {
	out, err := exec.Command(python, "-c", "import moto; print(moto.__version__)").Output()
	if err != nil {
		return ""
	}
	return " " + strings.TrimSpace(string(out))
}
