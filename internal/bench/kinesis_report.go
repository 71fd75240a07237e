package bench

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// kinesisSummary is the median of each measure over a workload's runs.
type kinesisSummary struct {
	Runs                              int
	RecordsPerSec, MBPerSec, CallsSec float64
	P50, P99                          time.Duration
	Errors                            int64
	FirstErr                          string
	Unsupported                       string
}

func summarizeKinesis(samples []kinesisSample) kinesisSummary {
	s := kinesisSummary{Runs: len(samples)}
	var recs, mb, calls []float64
	var p50, p99 []time.Duration
	for _, x := range samples {
		s.Errors += x.Errors
		if s.FirstErr == "" {
			s.FirstErr = x.FirstErr
		}
		if x.Unsupported != "" {
			s.Unsupported = x.Unsupported
			continue
		}
		recs = append(recs, x.RecordsPerSec())
		mb = append(mb, x.MBPerSec())
		calls = append(calls, x.CallsPerSec())
		p50 = append(p50, x.P50)
		p99 = append(p99, x.P99)
	}
	s.RecordsPerSec, s.MBPerSec, s.CallsSec = Median(recs), Median(mb), Median(calls)
	s.P50, s.P99 = MedianDuration(p50), MedianDuration(p99)
	return s
}

// measured reports a summary with numbers (not n/a, at least one run).
func (s kinesisSummary) measured() bool { return s.Unsupported == "" && s.Runs > 0 }

// line is one run's progress line.
func (s kinesisSample) line(w KinesisWorkload) string {
	if s.Unsupported != "" {
		return "n/a: " + s.Unsupported
	}
	var text string
	if w.isLatency() {
		text = fmt.Sprintf("put-to-visible p50 %s  p99 %s  (%d records in %s)", formatLatency(s.P50), formatLatency(s.P99), s.Records, s.Elapsed.Round(time.Millisecond))
	} else {
		text = fmt.Sprintf("%s records/s  %s MB/s  %s calls/s  p50 %s  p99 %s  (%d records in %s)",
			formatRate(s.RecordsPerSec()), formatRate(s.MBPerSec()), formatRate(s.CallsPerSec()), formatLatency(s.P50), formatLatency(s.P99), s.Records, s.Elapsed.Round(time.Millisecond))
	}
	if s.Errors > 0 {
		text += fmt.Sprintf("  %d ERRORS, first: %s", s.Errors, s.FirstErr)
	}
	return text
}

type kinesisReport struct {
	cfg     KinesisConfig
	targets []targetInfo
	samples map[string]map[string][]kinesisSample // target label → workload name → one per run
}

func newKinesisReport(cfg KinesisConfig, targets []*kinesisTarget) *kinesisReport {
	r := &kinesisReport{cfg: cfg, samples: map[string]map[string][]kinesisSample{}}
	for _, t := range targets {
		r.targets = append(r.targets, targetInfo{t.label, t.endpoint, t.description})
		r.samples[t.label] = map[string][]kinesisSample{}
	}
	return r
}

func (r *kinesisReport) add(label string, w KinesisWorkload, s kinesisSample) {
	r.samples[label][w.Name] = append(r.samples[label][w.Name], s)
}

func (r *kinesisReport) summary(label string, w KinesisWorkload) (kinesisSummary, bool) {
	runs := r.samples[label][w.Name]
	if len(runs) == 0 {
		return kinesisSummary{}, false
	}
	return summarizeKinesis(runs), true
}

func (r *kinesisReport) has(label string) bool {
	_, ok := r.samples[label]
	return ok
}

func (r *kinesisReport) anyErrors() bool {
	for _, byWorkload := range r.samples {
		for _, runs := range byWorkload {
			for _, s := range runs {
				if s.Errors > 0 {
					return true
				}
			}
		}
	}
	return false
}

// peers are the targets Tributary is compared with, in column order.
func (r *kinesisReport) peers() []string {
	var peers []string
	for _, p := range []string{LabelKinesalite, LabelMoto} {
		if r.has(p) {
			peers = append(peers, p)
		}
	}
	return peers
}

func (r *kinesisReport) writeText(out io.Writer) {
	fmt.Fprintf(out, "Kinesis benchmark: %s\n\n", r.conditions())
	for _, t := range r.targets {
		fmt.Fprintf(out, "%s  %s  (%s)\n", t.label, t.endpoint, t.description)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "workload\trecords/s\tMB/s\tcalls/s\tp50\tp99\terrors\t")
		for _, w := range r.cfg.Workloads {
			s, ok := r.summary(t.label, w)
			switch {
			case !ok:
				continue
			case !s.measured():
				fmt.Fprintf(tw, "%s\tn/a\tn/a\tn/a\tn/a\tn/a\t%d\t\n", w.Title(r.cfg), s.Errors)
			case w.isLatency():
				fmt.Fprintf(tw, "%s\t%s\t-\t-\t%s\t%s\t%d\t\n", w.Title(r.cfg), formatRate(s.RecordsPerSec), formatLatency(s.P50), formatLatency(s.P99), s.Errors)
			default:
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", w.Title(r.cfg), formatRate(s.RecordsPerSec), formatRate(s.MBPerSec), formatRate(s.CallsSec), formatLatency(s.P50), formatLatency(s.P99), s.Errors)
			}
		}
		tw.Flush()
		for _, w := range r.cfg.Workloads {
			if s, ok := r.summary(t.label, w); ok {
				if s.Errors > 0 {
					fmt.Fprintf(out, "  %s: %d failed requests, first: %s\n", w.Name, s.Errors, s.FirstErr)
				}
				if s.Unsupported != "" {
					fmt.Fprintf(out, "  %s: n/a: %s\n", w.Name, s.Unsupported)
				}
			}
		}
		fmt.Fprintln(out)
	}
	if r.has(LabelTributary) && len(r.peers()) > 0 {
		fmt.Fprintln(out, "Tributary against "+strings.Join(r.peers(), " and ")+" (ratios: throughput Tributary ÷ peer; latency peer p99 ÷ Tributary p99)")
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(r.comparisonHeader(), "\t")+"\t")
		for _, row := range r.comparison() {
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		tw.Flush()
		fmt.Fprintln(out)
	}
	if r.has(LabelTributary) {
		fmt.Fprintln(out, "Targets (issue 4)")
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "target\trequired\tmeasured\tresult\t")
		for _, g := range r.goals() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", g.title, g.required, g.measured, g.result)
		}
		tw.Flush()
	}
}

func (r *kinesisReport) writeMarkdown(out io.Writer) {
	header := r.comparisonHeader()
	fmt.Fprintln(out, "| "+strings.Join(header, " | ")+" |")
	align := []string{"---"}
	for range header[1:] {
		align = append(align, "---:")
	}
	fmt.Fprintln(out, "| "+strings.Join(align, " | ")+" |")
	for _, row := range r.comparison() {
		fmt.Fprintln(out, "| "+strings.Join(row, " | ")+" |")
	}
	fmt.Fprintf(out, "\n%s\n\n", r.conditions())
	for _, t := range r.targets {
		fmt.Fprintf(out, "- %s: %s\n", t.label, t.description)
	}
	if r.has(LabelTributary) {
		fmt.Fprintln(out)
		fmt.Fprintln(out, "| target | required | measured | result |")
		fmt.Fprintln(out, "| --- | --- | ---: | --- |")
		for _, g := range r.goals() {
			fmt.Fprintf(out, "| %s | %s | %s | %s |\n", g.title, g.required, g.measured, g.result)
		}
	}
}

func (r *kinesisReport) comparisonHeader() []string {
	h := []string{"workload", "Tributary"}
	h = append(h, r.peers()...)
	for _, p := range r.peers() {
		h = append(h, "vs "+p)
	}
	return h
}

// comparison is the README table: each workload's primary measure for Tributary and each peer, then
// Tributary's advantage over each peer.
func (r *kinesisReport) comparison() [][]string {
	var rows [][]string
	for _, w := range r.cfg.Workloads {
		row := []string{w.Title(r.cfg)}
		ts, tok := r.summary(LabelTributary, w)
		row = append(row, r.cell(w, ts, tok))
		for _, p := range r.peers() {
			ps, ok := r.summary(p, w)
			row = append(row, r.cell(w, ps, ok))
		}
		for _, p := range r.peers() {
			ps, ok := r.summary(p, w)
			row = append(row, ratioCell(w, ts, tok, ps, ok))
		}
		rows = append(rows, row)
	}
	return rows
}

func (r *kinesisReport) cell(w KinesisWorkload, s kinesisSummary, ok bool) string {
	var c string
	switch {
	case !ok:
		return "-"
	case !s.measured():
		c = "n/a"
	case w.isLatency():
		c = fmt.Sprintf("p50 %s, p99 %s", formatLatency(s.P50), formatLatency(s.P99))
	case w.Kind == kindDrain:
		c = fmt.Sprintf("%s rec/s (%s MB/s)", formatRate(s.RecordsPerSec), formatRate(s.MBPerSec))
	default:
		c = fmt.Sprintf("%s rec/s, %s MB/s (p50 %s, p99 %s per call)", formatRate(s.RecordsPerSec), formatRate(s.MBPerSec), formatLatency(s.P50), formatLatency(s.P99))
	}
	if s.Errors > 0 {
		c += fmt.Sprintf(" %d errors", s.Errors)
	}
	return c
}

// advantage is how many times better Tributary is than a peer: throughput ratio, or for latency
// the peer's p99 over Tributary's. ok=false when either side has no number.
func advantage(w KinesisWorkload, trib, peer kinesisSummary) (float64, bool) {
	if !trib.measured() || !peer.measured() {
		return 0, false
	}
	if w.isLatency() {
		if trib.P99 <= 0 {
			return 0, false
		}
		return float64(peer.P99) / float64(trib.P99), true
	}
	if peer.RecordsPerSec <= 0 {
		return 0, false
	}
	return trib.RecordsPerSec / peer.RecordsPerSec, true
}

func ratioCell(w KinesisWorkload, trib kinesisSummary, tok bool, peer kinesisSummary, pok bool) string {
	if !tok || !pok {
		return "-"
	}
	if !trib.measured() || !peer.measured() {
		return "n/a"
	}
	v, ok := advantage(w, trib, peer)
	if !ok {
		return "-"
	}
	if w.isLatency() {
		return fmt.Sprintf("%.1f× lower p99", v)
	}
	return fmt.Sprintf("%.1f×", v)
}

// goals are the targets of issue 4's "done means".
func (r *kinesisReport) goals() []goalRow {
	find := func(name string) (KinesisWorkload, bool) {
		for _, w := range r.cfg.Workloads {
			if w.Name == name {
				return w, true
			}
		}
		return KinesisWorkload{}, false
	}
	var rows []goalRow
	ratioGoal := func(name, peer string, required float64) {
		row := goalRow{title: fmt.Sprintf("%s records/s vs %s", name, peer), required: fmt.Sprintf("≥ %g×", required), measured: "-", result: "not run"}
		w, ok := find(name)
		ts, tok := r.summary(LabelTributary, w)
		ps, pok := r.summary(peer, w)
		switch {
		case !ok || !tok:
		case !pok:
			row.result = "needs --" + strings.TrimSuffix(peer, "_server")
		case !ts.measured():
			row.result = "FAIL (n/a: " + ts.Unsupported + ")"
		default:
			v, vok := advantage(w, ts, ps)
			if !vok {
				row.result = "FAIL (peer measured nothing)"
				break
			}
			row.measured = fmt.Sprintf("%.1f×", v)
			row.result = judge(v >= required, ts.Errors+ps.Errors)
		}
		rows = append(rows, row)
	}
	absGoal := func(name, title, required string, pass func(kinesisSummary) (string, bool)) {
		row := goalRow{title: title, required: required, measured: "-", result: "not run"}
		w, ok := find(name)
		ts, tok := r.summary(LabelTributary, w)
		switch {
		case !ok || !tok:
		case !ts.measured():
			row.result = "FAIL (n/a: " + ts.Unsupported + ")"
		default:
			measured, passed := pass(ts)
			row.measured = measured
			row.result = judge(passed, ts.Errors)
		}
		rows = append(rows, row)
	}
	ratioGoal("put-1k", LabelKinesalite, 5)
	ratioGoal("put-1k", LabelMoto, 5)
	absGoal("put-128", "put-128 records/s", "≥ 100,000 records/s", func(s kinesisSummary) (string, bool) {
		return formatRate(s.RecordsPerSec) + " records/s", s.RecordsPerSec >= 100_000
	})
	absGoal("drain", "GetRecords drain records/s", "≥ 200,000 records/s", func(s kinesisSummary) (string, bool) {
		return formatRate(s.RecordsPerSec) + " records/s", s.RecordsPerSec >= 200_000
	})
	absGoal("latency-efo", "SubscribeToShard put-to-visible p99", "< 50 ms", func(s kinesisSummary) (string, bool) {
		return formatLatency(s.P99), s.P99 < 50*time.Millisecond
	})
	return rows
}

func judge(passed bool, errors int64) string {
	switch {
	case errors > 0:
		return "FAIL (requests failed)"
	case passed:
		return "pass"
	default:
		return "FAIL"
	}
}

// conditions says how the numbers were taken, so a table is never quoted without them.
func (r *kinesisReport) conditions() string {
	c := r.cfg
	var b strings.Builder
	if c.Runs == 1 {
		b.WriteString("one run")
	} else {
		fmt.Fprintf(&b, "median of %d runs", c.Runs)
	}
	fmt.Fprintf(&b, "; put and latency workloads %s each", c.Duration)
	if c.Warmup > 0 {
		fmt.Fprintf(&b, " after %s warmup", c.Warmup)
	}
	fmt.Fprintf(&b, "; puts: %d producers, each resending one PutRecords body of %d records with random 16-character partition keys, to a %d-shard stream", c.Producers, c.Batch, c.Shards)
	fmt.Fprintf(&b, "; drain: %d shards read concurrently from TRIM_HORIZON with GetRecords Limit 10000 over about %s records of %s, checked once byte for byte before the timed passes", c.Shards, groupThousands(int64(c.DrainRecords)), sizeName(c.DrainSize))
	poll := "back to back"
	if c.PollInterval > 0 {
		poll = "every " + c.PollInterval.String()
	}
	fmt.Fprintf(&b, "; latency: one PutRecord producer at %d records/s of %s on a 1-shard stream, from the start of PutRecord to the record's arrival at a consumer polling GetRecords %s or subscribed with SubscribeToShard (HTTP/1.1)", c.LatencyRate, sizeName(c.LatencySize), poll)
	b.WriteString("; one Go client for every target: request bodies built once, SigV4 per request with the payload hash precomputed, keep-alive connections, no retries, answers counted without decoding (every ")
	fmt.Fprintf(&b, "%dth PutRecords answer decoded and checked)", c.VerifyEvery)
	fmt.Fprintf(&b, "; MB = 10^6 bytes of record data; client and servers share one %s/%s machine with %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	return b.String()
}
