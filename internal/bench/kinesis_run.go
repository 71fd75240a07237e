package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// RunKinesis performs the Kinesis benchmark cfg describes: it starts the requested servers, measures
// every workload cfg.Runs times per target (runs interleaved across targets, so a noisy neighbour
// hurts all alike), prints the report to out and progress to progressOut, and stops what it
// started.
func RunKinesis(ctx context.Context, cfg KinesisConfig, out, progressOut io.Writer) (runErr error) {
	progress := func(format string, args ...any) {
		if !cfg.Quiet {
			fmt.Fprintf(progressOut, format+"\n", args...)
		}
	}
	signer := newSigV4Signer(cfg.AccessKey, cfg.SecretKey, cfg.Region, "kinesis")
	pl := newPayload(max(cfg.DrainSize, cfg.LatencySize, 1024))

	var tmp string
	if cfg.TributaryBin != "" || cfg.Moto || cfg.Kinesalite {
		var err error
		if tmp, err = makeTempDir(cfg.WorkDir); err != nil {
			return err
		}
		// Deferred before the servers' stop, so it runs after they are gone.
		defer func() {
			if cfg.KeepTemp || (runErr != nil && ctx.Err() == nil) {
				progress("kept %s (server data and logs)", tmp)
				return
			}
			if err := os.RemoveAll(tmp); err != nil {
				progress("warning: removing %s: %v", tmp, err)
			}
		}()
	}
	var targets []*kinesisTarget
	defer func() {
		for _, t := range targets {
			if t.srv != nil {
				if err := t.srv.stop(); err != nil {
					progress("warning: %v", err)
				}
			}
		}
	}()
	add := func(label, endpoint, desc string, srv *server) error {
		t, err := newKinesisTarget(cfg, label, endpoint, desc, srv, signer, pl)
		if err != nil {
			if srv != nil {
				srv.stop()
			}
			return err
		}
		targets = append(targets, t)
		progress("%s: %s (%s)", label, endpoint, desc)
		return nil
	}

	if cfg.TributaryBin != "" {
		dataDir := filepath.Join(tmp, "tributary-data")
		if err := os.Mkdir(dataDir, 0o755); err != nil {
			return fmt.Errorf("creating tributary data dir: %w", err)
		}
		srv, endpoint, err := startTributary(ctx, cfg.TributaryBin, cfg.TributaryArgs, dataDir, filepath.Join(tmp, "tributary.log"))
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("started %s serve, durable (not --ephemeral), data in %s on %s", cfg.TributaryBin, dataDir, filesystemType(dataDir))
		if len(cfg.TributaryArgs) > 0 {
			desc += ", extra args " + strings.Join(cfg.TributaryArgs, " ")
		}
		if err := add(LabelTributary, endpoint, desc, srv); err != nil {
			return err
		}
	}
	if cfg.Kinesalite {
		dataDir := filepath.Join(tmp, "kinesalite-data")
		srv, endpoint, err := startKinesalite(ctx, cfg.Node, cfg.KinesaliteCLI, dataDir, filepath.Join(tmp, "kinesalite.log"))
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("started %s %s%s, on disk (LevelDB, --path %s on %s)", cfg.Node, cfg.KinesaliteCLI, kinesaliteVersion(cfg.KinesaliteCLI), dataDir, filesystemType(dataDir))
		if err := add(LabelKinesalite, endpoint, desc, srv); err != nil {
			return err
		}
	}
	if cfg.Moto {
		srv, endpoint, err := startMoto(ctx, cfg.Python, tmp, filepath.Join(tmp, "moto_server.log"))
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("started %s -m moto.server%s, in memory", cfg.Python, motoVersion(cfg.Python))
		if err := add(LabelMoto, endpoint, desc, srv); err != nil {
			return err
		}
	}
	if cfg.Endpoint != "" {
		if err := add(cfg.EndpointLabel, cfg.Endpoint, "already running", nil); err != nil {
			return err
		}
	}

	for _, t := range targets {
		if err := t.setup(ctx, progress); err != nil {
			return t.withServerState(err)
		}
	}

	rep := newKinesisReport(cfg, targets)
	for run := 1; run <= cfg.Runs; run++ {
		for _, t := range targets {
			for _, w := range cfg.Workloads {
				s, err := t.runWorkload(ctx, w, run)
				if err != nil {
					return t.withServerState(fmt.Errorf("%s, run %d: %w", w.Name, run, err))
				}
				if t.srv != nil {
					if err := t.srv.exited(); err != nil {
						return fmt.Errorf("during %s, run %d: %w", w.Name, run, err)
					}
				}
				rep.add(t.label, w, s)
				progress("[run %d/%d] %-11s %-13s %s", run, cfg.Runs, t.label, w.Name, s.line(w))
			}
		}
	}
	rep.writeText(out)
	if cfg.Markdown {
		fmt.Fprintln(out)
		rep.writeMarkdown(out)
	}
	for _, t := range targets {
		for _, w := range t.warnings {
			progress("warning: %s: %s", t.label, w)
		}
		if t.srv == nil {
			if err := t.deleteStreams(ctx); err != nil {
				progress("warning: cleaning up %s: %v", t.label, err)
			}
		}
	}
	if rep.anyErrors() {
		return ErrRequestsFailed
	}
	return nil
}

// runWorkload measures one run of w (after an unmeasured warmup where the workload has one).
func (t *kinesisTarget) runWorkload(ctx context.Context, w KinesisWorkload, run int) (kinesisSample, error) {
	s := t.streams[w.Name]
	tag := fmt.Sprintf("r%d", run)
	switch w.Kind {
	case kindPut:
		return t.putRun(ctx, w, run)
	case kindDrain:
		return t.drain(ctx, s, false)
	case kindLatencyPoll:
		return t.latencyPoll(ctx, s, tag)
	default:
		return t.latencyEFO(ctx, s, tag)
	}
}

// withServerState adds a started server's exit or log tail to err.
func (t *kinesisTarget) withServerState(err error) error {
	if t.srv == nil {
		return err
	}
	if crash := t.srv.exited(); crash != nil {
		return fmt.Errorf("%w\n%v", err, crash)
	}
	return fmt.Errorf("%w\nlast lines of %s:\n%s", err, t.srv.logPath, t.srv.logTail(15))
}

// deleteStreams removes this run's streams from a server that outlives it.
func (t *kinesisTarget) deleteStreams(ctx context.Context) error {
	var errs []error
	for _, s := range t.streams {
		in := map[string]any{"StreamName": s.name, "EnforceConsumerDeletion": true}
		if err := t.client.callJSON(ctx, "DeleteStream", in, nil); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// startKinesalite runs `node cli.js --port PORT --path dataDir` on a free loopback port and waits
// until it answers HTTP. Its shard limit is raised (the default of 10 is below the streams this
// benchmark creates); stream state delays stay at their defaults.
func startKinesalite(ctx context.Context, node, cli, dataDir, logPath string) (*server, string, error) {
	if _, err := os.Stat(cli); err != nil {
		return nil, "", fmt.Errorf("kinesalite is not installed at %s (install it with: npm ci --prefix bench/peers): %w", cli, err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, "", fmt.Errorf("creating kinesalite data dir: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(node, cli, "--port", strconv.Itoa(port), "--path", dataDir, "--shardLimit", "1000")
	srv, err := startServer("kinesalite", cmd, logPath, nil)
	if err != nil {
		return nil, "", err
	}
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := probe.Get(endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return srv, endpoint, nil
		}
		select {
		case <-srv.done:
			return nil, "", fmt.Errorf("kinesalite exited before answering (%v); log %s:\n%s", srv.waitErr, logPath, srv.logTail(20))
		case <-time.After(100 * time.Millisecond):
		}
	}
	srv.stop()
	return nil, "", fmt.Errorf("kinesalite did not answer on %s within %s; log %s:\n%s", endpoint, startTimeout, logPath, srv.logTail(20))
}

// kinesaliteVersion is " VERSION" from the package.json beside cli.js, or "".
func kinesaliteVersion(cli string) string {
	data, err := os.ReadFile(filepath.Join(filepath.Dir(cli), "package.json"))
	if err != nil {
		return ""
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(data, &pkg) != nil || pkg.Version == "" {
		return ""
	}
	return " " + pkg.Version
}
