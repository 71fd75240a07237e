package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const logsTargetPrefix = "Logs_20140328."

// logsSample is one run of one logs workload against one target.
type logsSample struct {
	Rate        float64 // events/s or MB/s, per the workload's Unit
	Events      int64   // events put, scanned or delivered
	Bytes       int64   // message bytes put or scanned
	Pages       int64   // FilterLogEvents pages
	Matched     int64   // FilterLogEvents events returned
	Want        int64   // what the generated data says Matched must be
	Elapsed     time.Duration
	Unsupported string // the server cannot run the workload (why)
}

// logsTarget is one server under test.
type logsTarget struct {
	cfg     LogsConfig
	label   string
	desc    string
	srv     *server
	logs    *kinesisClient // JSON 1.1 client with the Logs target prefix and signing name
	kinesis *kinesisClient
	runID   string
	filter  logsExpected // the filter group's content, once filled
	filled  bool
}

// RunLogs performs the CloudWatch Logs benchmark cfg describes, like RunKinesis: it starts the
// servers, measures every workload cfg.Runs times per target (runs interleaved across targets),
// prints the report to out and progress to progressOut, and stops what it started.
func RunLogs(ctx context.Context, cfg LogsConfig, out, progressOut io.Writer) (runErr error) {
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
			progress("kept %s (server data and logs)", tmp)
			return
		}
		if err := os.RemoveAll(tmp); err != nil {
			progress("warning: removing %s: %v", tmp, err)
		}
	}()
	var targets []*logsTarget
	defer func() {
		for _, t := range targets {
			if err := t.srv.stop(); err != nil {
				progress("warning: %v", err)
			}
		}
	}()
	transport := newKinesisTransport()
	logsSigner := newSigV4Signer(cfg.AccessKey, cfg.SecretKey, cfg.Region, "logs")
	kinesisSigner := newSigV4Signer(cfg.AccessKey, cfg.SecretKey, cfg.Region, "kinesis")
	add := func(label, endpoint, desc string, srv *server) error {
		kc, err := newKinesisClient(label, endpoint, kinesisSigner, transport, cfg.OpTimeout)
		if err != nil {
			srv.stop()
			return err
		}
		targets = append(targets, &logsTarget{cfg: cfg, label: label, desc: desc, srv: srv, kinesis: kc,
			logs: kc.forTarget(logsTargetPrefix, logsSigner), runID: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff)})
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
	if cfg.Moto {
		srv, endpoint, err := startMoto(ctx, cfg.Python, tmp, filepath.Join(tmp, "moto_server.log"))
		if err != nil {
			return err
		}
		if err := add(LabelMoto, endpoint, fmt.Sprintf("started %s -m moto.server%s, in memory", cfg.Python, motoVersion(cfg.Python)), srv); err != nil {
			return err
		}
	}

	rep := &logsReport{cfg: cfg}
	for _, t := range targets {
		rep.targets = append(rep.targets, targetInfo{label: t.label, description: t.desc})
	}
	for run := 1; run <= cfg.Runs; run++ {
		for _, t := range targets {
			for _, w := range cfg.Workloads {
				if !w.Peers && t.label != LabelTributary {
					continue
				}
				s, err := t.runWorkload(ctx, w, run, progress)
				if err != nil {
					if exitErr := t.srv.exited(); exitErr != nil {
						err = fmt.Errorf("%w (server: %v; log tail:\n%s)", err, exitErr, t.srv.logTail(20))
					}
					return fmt.Errorf("%s: %s, run %d: %w", t.label, w.Name, run, err)
				}
				rep.add(t.label, w, s)
				progress("[run %d/%d] %-11s %-16s %s", run, cfg.Runs, t.label, w.Name, s.line(w))
			}
		}
	}
	rep.writeText(out)
	if cfg.Markdown {
		fmt.Fprintln(out)
		rep.writeMarkdown(out)
	}
	if rep.tributaryMismatch() {
		return &DataError{Target: LabelTributary, Key: "FilterLogEvents", Detail: "matched counts differ from the generated data (see the report)"}
	}
	return nil
}

func (t *logsTarget) runWorkload(ctx context.Context, w LogsWorkload, run int, progress func(string, ...any)) (logsSample, error) {
	switch {
	case w.Name == "put":
		return t.putRun(ctx, run)
	case w.isFilter():
		if !t.filled {
			if err := t.fillFilterGroup(ctx, progress); err != nil {
				return logsSample{}, err
			}
		}
		return t.filterRun(ctx, w)
	case w.Name == "subscription":
		return t.subscriptionRun(ctx, run)
	}
	return logsSample{}, fmt.Errorf("unknown workload %q", w.Name)
}

// call sends one Logs request and decodes the answer (out nil: ignored).
func (t *logsTarget) call(ctx context.Context, op string, in, out any) error {
	return t.logs.callJSON(ctx, op, in, out)
}

func (t *logsTarget) createGroupAndStreams(ctx context.Context, group string, streams []string) error {
	if err := t.call(ctx, "CreateLogGroup", map[string]any{"logGroupName": group}, nil); err != nil {
		return err
	}
	for _, s := range streams {
		if err := t.call(ctx, "CreateLogStream", map[string]any{"logGroupName": group, "logStreamName": s}, nil); err != nil {
			return err
		}
	}
	return nil
}

type putEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

func putBody(group, stream string, events []putEvent) (kinesisBody, error) {
	return jsonBody(map[string]any{"logGroupName": group, "logStreamName": stream, "logEvents": events})
}

// putChecked sends a prepared PutLogEvents body; a rejectedLogEventsInfo is a data error (every
// event the benchmark sends is in range).
func (t *logsTarget) putChecked(ctx context.Context, body kinesisBody, buf *bytes.Buffer) error {
	doc, err := t.logs.call(ctx, "PutLogEvents", body, buf)
	if err != nil {
		return err
	}
	if bytes.Contains(doc, []byte("rejectedLogEventsInfo")) {
		return &DataError{Target: t.label, Key: "PutLogEvents", Detail: "events rejected: " + truncateBytes(doc, 300)}
	}
	return nil
}

// putRun: Producers callers, each on its own new stream, PutCalls calls of BatchEvents events of
// EventSize bytes in all. Each producer's body is built once (timestamps of now) and sent again.
func (t *logsTarget) putRun(ctx context.Context, run int) (logsSample, error) {
	cfg := t.cfg
	group := fmt.Sprintf("bench-put-%s-%d", t.runID, run)
	streams := make([]string, cfg.Producers)
	for i := range streams {
		streams[i] = fmt.Sprintf("producer-%02d", i)
	}
	if err := t.createGroupAndStreams(ctx, group, streams); err != nil {
		return logsSample{}, err
	}
	bodies := make([]kinesisBody, cfg.Producers)
	now := time.Now().UnixMilli()
	for p := range bodies {
		events := make([]putEvent, cfg.BatchEvents)
		for i := range events {
			events[i] = putEvent{Timestamp: now, Message: logsPutMessage(p, i, cfg.EventSize)}
		}
		var err error
		if bodies[p], err = putBody(group, streams[p], events); err != nil {
			return logsSample{}, err
		}
	}
	s, err := measure(ctx, cfg.Producers, 0, int64(cfg.PutCalls), func(worker int) opFunc {
		var buf bytes.Buffer
		return func(ctx context.Context, seq int64) (time.Duration, int64, error) {
			start := time.Now()
			err := t.putChecked(ctx, bodies[worker], &buf)
			return time.Since(start), int64(cfg.BatchEvents), err
		}
	})
	if err != nil {
		return logsSample{}, err
	}
	if s.Errors > 0 {
		return logsSample{}, fmt.Errorf("%d of %d PutLogEvents calls failed; first: %s", s.Errors, s.Started, s.FirstErr)
	}
	events := s.Bytes // measure sums what each op returns: events here
	_ = t.call(ctx, "DeleteLogGroup", map[string]any{"logGroupName": group}, nil)
	return logsSample{Rate: perSecond(float64(events), s.Elapsed), Events: events, Bytes: events * int64(cfg.EventSize), Elapsed: s.Elapsed}, nil
}

const logsFilterStreams = 8

// fillFilterGroup writes FilterMB of generated events (logsFilterLine) round-robin into 8 streams,
// 1,000 events a call, timestamps 1 ms apart ending about now.
func (t *logsTarget) fillFilterGroup(ctx context.Context, progress func(string, ...any)) error {
	group := t.filterGroup()
	streams := make([]string, logsFilterStreams)
	for i := range streams {
		streams[i] = fmt.Sprintf("stream-%d", i)
	}
	if err := t.createGroupAndStreams(ctx, group, streams); err != nil {
		return err
	}
	target := int64(t.cfg.FilterMB) * 1e6
	n := 0
	for size := int64(0); size < target; n++ {
		size += int64(len(logsFilterLine(n)))
	}
	start := time.Now()
	base := start.UnixMilli() - int64(n) - 1000
	var buf bytes.Buffer
	const batch = 1000
	for from := 0; from < n; from += batch * logsFilterStreams {
		for s := range logsFilterStreams {
			var events []putEvent
			for i := from + s; i < min(n, from+batch*logsFilterStreams); i += logsFilterStreams {
				events = append(events, putEvent{Timestamp: base + int64(i), Message: logsFilterLine(i)})
			}
			if len(events) == 0 {
				continue
			}
			body, err := putBody(group, streams[s], events)
			if err != nil {
				return err
			}
			if err := t.putChecked(ctx, body, &buf); err != nil {
				return fmt.Errorf("filling the filter group: %w", err)
			}
		}
	}
	t.filter, t.filled = expectLogs(n), true
	progress("%s: filter group filled: %d events, %.1f MB in %s", t.label, t.filter.Events, float64(t.filter.Bytes)/1e6, time.Since(start).Round(time.Millisecond))
	return nil
}

func (t *logsTarget) filterGroup() string { return "bench-filter-" + t.runID }

// filterRun pages FilterLogEvents over the whole filter group to the page without nextToken. The
// rate is the group's message bytes (what the server scans) per second of the whole pass.
func (t *logsTarget) filterRun(ctx context.Context, w LogsWorkload) (logsSample, error) {
	in := map[string]any{"logGroupName": t.filterGroup(), "filterPattern": w.Pattern, "limit": t.cfg.FilterLimit}
	var buf bytes.Buffer
	s := logsSample{Want: t.filter.want(w.Pattern), Events: t.filter.Events, Bytes: t.filter.Bytes}
	// A server whose paging never ends would loop forever: no honest pass needs more pages than
	// one per event.
	maxPages := t.filter.Events + 10
	start := time.Now()
	for {
		body, err := jsonBody(in)
		if err != nil {
			return logsSample{}, err
		}
		doc, err := t.logs.call(ctx, "FilterLogEvents", body, &buf)
		if err != nil {
			if isUnsupported(err) {
				return logsSample{Unsupported: err.Error()}, nil
			}
			return logsSample{}, err
		}
		s.Pages++
		s.Matched += int64(countMember(doc, "eventId"))
		token, ok, err := memberString(doc, "nextToken")
		if err != nil {
			return logsSample{}, err
		}
		if !ok {
			break
		}
		if s.Pages > maxPages {
			return logsSample{}, fmt.Errorf("FilterLogEvents still returns a nextToken after %d pages", s.Pages)
		}
		in["nextToken"] = token
	}
	s.Elapsed = time.Since(start)
	s.Rate = perSecond(float64(s.Bytes)/1e6, s.Elapsed)
	return s, nil
}
