package bench

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// lambdaReport collects the samples of a Lambda benchmark and prints medians.
type lambdaReport struct {
	cfg     LambdaConfig
	target  targetInfo
	goDesc  string
	pyDesc  string
	samples map[string][]lambdaSample // workload name → one per run
}

func (r *lambdaReport) add(w LambdaWorkload, s lambdaSample) {
	if r.samples == nil {
		r.samples = map[string][]lambdaSample{}
	}
	r.samples[w.Name] = append(r.samples[w.Name], s)
}

// lambdaSummary is the median of each measure over a workload's runs (each measure separately);
// errors and duplicates are summed, Max is the slowest cold start of all runs.
type lambdaSummary struct {
	Runs                 int
	Rate                 float64
	P50, P99, Max        time.Duration
	ServerP50, ServerP99 time.Duration
	TailP50, InitP50     time.Duration
	Records, Batches     int64 // medians
	Dups, Errors         int64
	FirstErr             string
	Unsupported          string
}

func summarizeLambda(w LambdaWorkload, samples []lambdaSample) lambdaSummary {
	var s lambdaSummary
	var rates []float64
	var p50, p99, sp50, sp99, tp50, ip50 []time.Duration
	var records, batches []float64
	for _, x := range samples {
		if x.Unsupported != "" {
			s.Unsupported = x.Unsupported
			continue
		}
		s.Runs++
		rates = append(rates, x.rate(w))
		p50, p99 = append(p50, x.P50), append(p99, x.P99)
		sp50, sp99, tp50, ip50 = append(sp50, x.ServerP50), append(sp99, x.ServerP99), append(tp50, x.TailP50), append(ip50, x.InitP50)
		records, batches = append(records, float64(x.Records)), append(batches, float64(x.Batches))
		s.Max = max(s.Max, x.P99)
		s.Dups += x.Dups
		s.Errors += x.Errors
		if s.FirstErr == "" {
			s.FirstErr = x.FirstErr
		}
	}
	s.Rate = Median(rates)
	s.P50, s.P99 = MedianDuration(p50), MedianDuration(p99)
	s.ServerP50, s.ServerP99, s.TailP50, s.InitP50 = MedianDuration(sp50), MedianDuration(sp99), MedianDuration(tp50), MedianDuration(ip50)
	s.Records, s.Batches = int64(Median(records)), int64(Median(batches))
	return s
}

func (s lambdaSummary) measured() bool { return s.Runs > 0 }

func (r *lambdaReport) summary(w LambdaWorkload) (lambdaSummary, bool) {
	samples, ok := r.samples[w.Name]
	if !ok {
		return lambdaSummary{}, false
	}
	return summarizeLambda(w, samples), true
}

func (r *lambdaReport) anyErrors() bool {
	for _, w := range r.cfg.Workloads {
		if s, ok := r.summary(w); ok && s.Errors > 0 {
			return true
		}
	}
	return false
}

// title says what a workload measures, with its conditions.
func (r *lambdaReport) title(w LambdaWorkload) string {
	fn := "Python (" + r.cfg.PythonRuntime + ")"
	if w.Runtime == runtimeGo {
		fn = "Go (provided.al2023)"
	}
	switch w.Kind {
	case kindWarm:
		return "warm invoke, " + fn + ", 1 caller"
	case kindParallel:
		return fmt.Sprintf("warm invoke, %s, %d callers", fn, r.cfg.Concurrency)
	case kindCold:
		return "cold start, " + fn
	default:
		return fmt.Sprintf("Kinesis → Lambda, %d shards, BatchSize %d, Python", r.cfg.KinesisShards, r.cfg.KinesisBatch)
	}
}

const dash = "-"

func durationCell(d time.Duration) string {
	if d <= 0 {
		return dash
	}
	return formatLatency(d)
}

// cells are a workload's table cells: throughput, round trip p50, p99 (cold: slowest), REPORT
// Duration p50, Init Duration p50.
func (r *lambdaReport) cells(w LambdaWorkload) []string {
	s, ok := r.summary(w)
	switch {
	case !ok:
		return []string{"not run", dash, dash, dash, dash}
	case !s.measured():
		return []string{"n/a", dash, dash, dash, dash}
	}
	switch w.Kind {
	case kindCold:
		return []string{dash, durationCell(s.P50), durationCell(s.Max) + " (max)", durationCell(s.ServerP50), durationCell(s.InitP50)}
	case kindKinesis:
		rate := formatRate(s.Rate) + " records/s"
		if s.Dups > 0 {
			rate += fmt.Sprintf(" (%d duplicates)", s.Dups)
		}
		return []string{rate, dash, dash, dash, dash}
	}
	return []string{formatRate(s.Rate) + " invokes/s", durationCell(s.P50), durationCell(s.P99), durationCell(s.ServerP50), dash}
}

var lambdaColumns = []string{"workload", "throughput", "round trip p50", "p99", "REPORT Duration p50", "Init Duration p50"}

func (r *lambdaReport) find(name string) (LambdaWorkload, lambdaSummary, bool) {
	for _, w := range r.cfg.Workloads {
		if w.Name == name {
			s, ok := r.summary(w)
			return w, s, ok
		}
	}
	return LambdaWorkload{}, lambdaSummary{}, false
}

// goals are the targets of issue 7 item 5. The invoke overhead targets are judged on the round trip
// of a do-nothing handler (the handler's time is in it, so the judgement is strict).
func (r *lambdaReport) goals() []goalRow {
	var rows []goalRow
	goal := func(name, title, required string, pass func(lambdaSummary) (string, bool)) {
		row := goalRow{title: title, required: required, measured: dash, result: "not run"}
		_, s, ok := r.find(name)
		switch {
		case !ok:
		case !s.measured():
			row.result = "FAIL (n/a: " + s.Unsupported + ")"
		default:
			measured, passed := pass(s)
			row.measured = measured
			row.result = judge(passed, s.Errors)
		}
		rows = append(rows, row)
	}
	overhead := func(s lambdaSummary) string {
		m := formatLatency(s.P50)
		if s.ServerP50 > 0 {
			m += " (REPORT Duration p50 " + formatLatency(s.ServerP50) + ")"
		}
		return m
	}
	goal("warm-go", "warm invoke overhead p50, Go (round trip, do-nothing handler)", "< 1 ms", func(s lambdaSummary) (string, bool) {
		return overhead(s), s.P50 < time.Millisecond
	})
	goal("warm-python", "warm invoke overhead p50, Python (round trip, do-nothing handler)", "< 2 ms", func(s lambdaSummary) (string, bool) {
		return overhead(s), s.P50 < 2*time.Millisecond
	})
	goal("parallel-go", fmt.Sprintf("warm invokes/s, Go, %d callers", r.cfg.Concurrency), "≥ 2,000 invokes/s", func(s lambdaSummary) (string, bool) {
		return formatRate(s.Rate) + " invokes/s", s.Rate >= 2000
	})
	goal("cold-python", "cold start, Python (first invoke round trip p50)", "< 300 ms", func(s lambdaSummary) (string, bool) {
		return fmt.Sprintf("%s (Init Duration p50 %s)", formatLatency(s.P50), formatLatency(s.InitP50)), s.P50 < 300*time.Millisecond
	})
	return rows
}

// conditions says how the numbers were taken, so a table is never quoted without them.
func (r *lambdaReport) conditions() string {
	c := r.cfg
	var b strings.Builder
	if c.Runs == 1 {
		b.WriteString("one run")
	} else {
		fmt.Fprintf(&b, "median of %d runs", c.Runs)
	}
	fmt.Fprintf(&b, "; functions: Python `%s` (returns its event", strings.TrimSpace(pythonEchoSource))
	if r.pyDesc != "" {
		b.WriteString("; Tributary runs it on the host's " + r.pyDesc)
	}
	b.WriteString(")")
	if c.needs(runtimeGo) {
		b.WriteString(", Go examples/functions/go-echo with aws-lambda-go (-tags lambda.norpc")
		if r.goDesc != "" {
			b.WriteString(", " + r.goDesc)
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, ", MemorySize %d MB; every answer checked against its event", c.MemoryMB)
	fmt.Fprintf(&b, "; warm: %d unmeasured invokes, then %d sequential RequestResponse invokes", c.WarmupInvokes, c.Invokes)
	if c.TailInvokes > 0 {
		fmt.Fprintf(&b, ", then %d with X-Amz-Log-Type: Tail whose REPORT Duration is the server-side share", c.TailInvokes)
	}
	fmt.Fprintf(&b, "; parallel: %d callers, %d invokes after a warmup at the same concurrency", c.Concurrency, c.ParallelInvokes)
	fmt.Fprintf(&b, "; cold: %d per run, each the first invoke (with Tail) after UpdateFunctionConfiguration changed an environment variable", c.ColdStarts)
	fmt.Fprintf(&b, "; Kinesis → Lambda: %d records of %d B put first into %d shards, then CreateEventSourceMapping (TRIM_HORIZON, BatchSize %d, no batching window) to a Python function logging each batch's count, first and last eventID; records/s from CreateEventSourceMapping to the log timestamp of the last batch, every record checked delivered",
		c.KinesisRecords, c.RecordSize, c.KinesisShards, c.KinesisBatch)
	b.WriteString("; one Go client: SigV4 per request, keep-alive connections, no retries")
	fmt.Fprintf(&b, "; client and server share one %s/%s machine with %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	return b.String()
}

func (r *lambdaReport) writeText(out io.Writer) {
	fmt.Fprintf(out, "Lambda benchmark: %s\n\n", r.conditions())
	fmt.Fprintf(out, "%s  %s  (%s)\n", r.target.label, r.target.endpoint, r.target.description)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(lambdaColumns, "\t")+"\t")
	for _, w := range r.cfg.Workloads {
		fmt.Fprintln(tw, r.title(w)+"\t"+strings.Join(r.cells(w), "\t")+"\t")
	}
	tw.Flush()
	for _, w := range r.cfg.Workloads {
		s, ok := r.summary(w)
		if !ok {
			continue
		}
		if s.Errors > 0 {
			fmt.Fprintf(out, "  %s: %d failed invokes, first: %s\n", w.Name, s.Errors, s.FirstErr)
		}
		if s.Unsupported != "" {
			fmt.Fprintf(out, "  %s: n/a: %s\n", w.Name, s.Unsupported)
		}
		if s.Dups > 0 {
			fmt.Fprintf(out, "  %s: %d records delivered more than once (at-least-once, but a quiet run should have none)\n", w.Name, s.Dups)
		}
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Targets (issue 7)")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\trequired\tmeasured\tresult\t")
	for _, g := range r.goals() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", g.title, g.required, g.measured, g.result)
	}
	tw.Flush()
}

func (r *lambdaReport) writeMarkdown(out io.Writer) {
	header := append([]string{"Workload"}, lambdaColumns[1:]...)
	fmt.Fprintln(out, "| "+strings.Join(header, " | ")+" |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: | ---: | ---: |")
	for _, w := range r.cfg.Workloads {
		fmt.Fprintln(out, "| "+r.title(w)+" | "+strings.Join(r.cells(w), " | ")+" |")
	}
	fmt.Fprintf(out, "\n%s.\n\n- %s: %s\n\n", r.conditions(), r.target.label, r.target.description)
	fmt.Fprintln(out, "| target | required | measured | result |")
	fmt.Fprintln(out, "| --- | --- | ---: | --- |")
	for _, g := range r.goals() {
		fmt.Fprintf(out, "| %s | %s | %s | %s |\n", g.title, g.required, g.measured, g.result)
	}
}
