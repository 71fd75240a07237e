package bench

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"
)

// Summary is the median of each measure over a workload's runs (each measure separately).
type Summary struct {
	Runs                            int
	OpsPerSec, MBPerSec, KeysPerSec float64
	P50, P99                        time.Duration
	Errors                          int64
	FirstErr                        string
}

func summarize(samples []Sample) Summary {
	s := Summary{Runs: len(samples)}
	var ops, mb, keys []float64
	var p50, p99 []time.Duration
	for _, x := range samples {
		ops = append(ops, x.OpsPerSec())
		mb = append(mb, x.MBPerSec())
		keys = append(keys, x.KeysPerSec())
		p50 = append(p50, x.P50)
		p99 = append(p99, x.P99)
		s.Errors += x.Errors
		if s.FirstErr == "" {
			s.FirstErr = x.FirstErr
		}
	}
	s.OpsPerSec, s.MBPerSec, s.KeysPerSec = Median(ops), Median(mb), Median(keys)
	s.P50, s.P99 = MedianDuration(p50), MedianDuration(p99)
	return s
}

// primary is the measure a workload is judged by: keys/s for listings, MB/s for 1 MiB objects,
// requests/s for small ones.
func (s Summary) primary(w Workload) float64 {
	switch {
	case w.Op == OpList:
		return s.KeysPerSec
	case w.Size >= size1MiB:
		return s.MBPerSec
	default:
		return s.OpsPerSec
	}
}

func primaryUnit(w Workload) string {
	switch {
	case w.Op == OpList:
		return "keys/s"
	case w.Size >= size1MiB:
		return "MB/s"
	default:
		return "ops/s"
	}
}

type targetInfo struct{ label, endpoint, description string }

type report struct {
	cfg       Config
	targets   []targetInfo
	workloads []Workload
	samples   map[string]map[string][]Sample // target label → workload name → one per run
}

func newReport(cfg Config, targets []*target) *report {
	r := &report{cfg: cfg, workloads: cfg.Workloads, samples: map[string]map[string][]Sample{}}
	for _, t := range targets {
		r.targets = append(r.targets, targetInfo{t.label, t.endpoint, t.description})
		r.samples[t.label] = map[string][]Sample{}
	}
	return r
}

func (r *report) add(label string, w Workload, s Sample) {
	r.samples[label][w.Name] = append(r.samples[label][w.Name], s)
}

func (r *report) summary(label string, w Workload) (Summary, bool) {
	runs := r.samples[label][w.Name]
	if len(runs) == 0 {
		return Summary{}, false
	}
	return summarize(runs), true
}

func (r *report) anyErrors() bool {
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

func (r *report) has(label string) bool {
	_, ok := r.samples[label]
	return ok
}

// line is one run's progress line.
func (s Sample) line(w Workload) string {
	text := fmt.Sprintf("%s ops/s  %s MB/s  p50 %s  p99 %s  (%d ops in %s)",
		formatRate(s.OpsPerSec()), formatRate(s.MBPerSec()), formatLatency(s.P50), formatLatency(s.P99), s.Ops, s.Elapsed.Round(time.Millisecond))
	if w.Op == OpList {
		text = fmt.Sprintf("%s keys/s  p50 %s  p99 %s per page  (%d pages in %s)",
			formatRate(s.KeysPerSec()), formatLatency(s.P50), formatLatency(s.P99), s.Ops, s.Elapsed.Round(time.Millisecond))
	}
	if s.Errors > 0 {
		text += fmt.Sprintf("  %d ERRORS, first: %s", s.Errors, s.FirstErr)
	}
	return text
}

func (r *report) writeText(out io.Writer) {
	fmt.Fprintf(out, "S3 benchmark: %s\n\n", r.conditions())
	for _, t := range r.targets {
		fmt.Fprintf(out, "%s  %s  (%s)\n", t.label, t.endpoint, t.description)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "workload\tops/s\tMB/s\tkeys/s\tp50\tp99\terrors\t")
		for _, w := range r.workloads {
			s, ok := r.summary(t.label, w)
			if !ok {
				continue
			}
			mb, keys := formatRate(s.MBPerSec), "-"
			if w.Op == OpList {
				mb, keys = "-", formatRate(s.KeysPerSec)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t\n", w.Title(), formatRate(s.OpsPerSec), mb, keys, formatLatency(s.P50), formatLatency(s.P99), s.Errors)
		}
		tw.Flush()
		for _, w := range r.workloads {
			if s, ok := r.summary(t.label, w); ok && s.Errors > 0 {
				fmt.Fprintf(out, "  %s: %d failed requests, first: %s\n", w.Title(), s.Errors, s.FirstErr)
			}
		}
		fmt.Fprintln(out)
	}
	if r.has(LabelTributary) && r.has(LabelMoto) {
		fmt.Fprintln(out, "Tributary / moto_server")
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "workload\ttributary\tmoto_server\tratio\t")
		for _, row := range r.comparison() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", row.workload, row.tributary, row.moto, row.ratio)
		}
		tw.Flush()
		fmt.Fprintln(out)
	}
	if r.has(LabelTributary) {
		fmt.Fprintln(out, "Targets (issue 3)")
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "target\trequired\tmeasured\tresult\t")
		for _, g := range r.goals() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", g.title, g.required, g.measured, g.result)
		}
		tw.Flush()
	}
}

func (r *report) writeMarkdown(out io.Writer) {
	fmt.Fprintln(out, "| workload | Tributary | moto_server | ratio |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: |")
	for _, row := range r.comparison() {
		fmt.Fprintf(out, "| %s | %s | %s | %s |\n", row.workload, row.tributary, row.moto, row.ratio)
	}
	fmt.Fprintf(out, "\n%s\n\n", r.conditions())
	for _, t := range r.targets {
		fmt.Fprintf(out, "- %s: %s\n", t.label, t.description)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| target | required | measured | result |")
	fmt.Fprintln(out, "| --- | --- | ---: | --- |")
	for _, g := range r.goals() {
		fmt.Fprintf(out, "| %s | %s | %s | %s |\n", g.title, g.required, g.measured, g.result)
	}
}

type comparisonRow struct{ workload, tributary, moto, ratio string }

// comparison is the README table: each workload's primary measure (with median latencies) for both
// servers and their ratio. A side that was not measured shows "-".
func (r *report) comparison() []comparisonRow {
	var rows []comparisonRow
	for _, w := range r.workloads {
		row := comparisonRow{workload: w.Title(), tributary: "-", moto: "-", ratio: "-"}
		ts, tok := r.summary(LabelTributary, w)
		ms, mok := r.summary(LabelMoto, w)
		if tok {
			row.tributary = cell(w, ts)
		}
		if mok {
			row.moto = cell(w, ms)
		}
		if tok && mok && ms.primary(w) > 0 {
			row.ratio = fmt.Sprintf("%.1f×", ts.primary(w)/ms.primary(w))
		}
		rows = append(rows, row)
	}
	return rows
}

func cell(w Workload, s Summary) string {
	c := fmt.Sprintf("%s %s (p50 %s, p99 %s)", formatRate(s.primary(w)), primaryUnit(w), formatLatency(s.P50), formatLatency(s.P99))
	if s.Errors > 0 {
		c += fmt.Sprintf(" %d errors", s.Errors)
	}
	return c
}

type goalRow struct{ title, required, measured, result string }

// goals are the throughput targets of issue 3's "done means", judged at concurrency 16 (the
// listing is sequential).
func (r *report) goals() []goalRow {
	specs := []struct {
		title    string
		op       Operation
		size     int
		ratio    bool // true: Tributary/moto_server of the primary measure; false: Tributary MB/s
		required float64
	}{
		{"4 KiB PutObject c16, vs moto_server", OpPut, size4KiB, true, 10},
		{"4 KiB GetObject c16, vs moto_server", OpGet, size4KiB, true, 15},
		{"ListObjectsV2 keys/s, vs moto_server", OpList, 0, true, 10},
		{"1 MiB PutObject c16", OpPut, size1MiB, false, 200},
		{"1 MiB GetObject c16", OpGet, size1MiB, false, 500},
	}
	var rows []goalRow
	for _, g := range specs {
		row := goalRow{title: g.title, required: fmt.Sprintf("≥ %g MB/s", g.required), measured: "-", result: "not run"}
		if g.ratio {
			row.required = fmt.Sprintf("≥ %g×", g.required)
		}
		w, ok := r.findWorkload(g.op, g.size)
		if !ok {
			rows = append(rows, row)
			continue
		}
		ts, tok := r.summary(LabelTributary, w)
		ms, mok := r.summary(LabelMoto, w)
		var value float64
		switch {
		case !tok:
			rows = append(rows, row)
			continue
		case !g.ratio:
			value = ts.MBPerSec
			row.measured = formatRate(value) + " MB/s"
		case !mok:
			row.result = "needs --moto"
			rows = append(rows, row)
			continue
		default:
			value = ts.primary(w) / ms.primary(w)
			row.measured = fmt.Sprintf("%.1f×", value)
		}
		switch {
		case ts.Errors > 0 || (g.ratio && ms.Errors > 0):
			row.result = "FAIL (requests failed)"
		case value >= g.required:
			row.result = "pass"
		default:
			row.result = "FAIL"
		}
		rows = append(rows, row)
	}
	return rows
}

func (r *report) findWorkload(op Operation, size int) (Workload, bool) {
	for _, w := range r.workloads {
		if w.Op == op && (op == OpList || (w.Size == size && w.Concurrency == 16)) {
			return w, true
		}
	}
	return Workload{}, false
}

// conditions says how the numbers were taken, so a table is never quoted without them.
func (r *report) conditions() string {
	var b strings.Builder
	if r.cfg.Runs == 1 {
		b.WriteString("one run")
	} else {
		fmt.Fprintf(&b, "median of %d runs", r.cfg.Runs)
	}
	if r.cfg.Ops > 0 {
		fmt.Fprintf(&b, "; %d requests per PUT/GET workload", r.cfg.Ops)
	} else {
		fmt.Fprintf(&b, "; %s per workload", r.cfg.Duration)
	}
	if r.cfg.Warmup > 0 {
		fmt.Fprintf(&b, " after %s warmup", r.cfg.Warmup)
	}
	fmt.Fprintf(&b, "; aws-sdk-go-v2%s, path-style addressing (moto_server needs it), SDK-default checksums (CRC32 sent on PUT, validated on GET), no retries", sdkVersion())
	fmt.Fprintf(&b, "; ListObjectsV2 over %d keys, %d per page, latency per page", r.cfg.ListKeys, r.cfg.ListPage)
	fmt.Fprintf(&b, "; MB = 10^6 bytes; client and servers share one %s/%s machine with %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	return b.String()
}

func sdkVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, dep := range info.Deps {
		if dep.Path == "github.com/aws/aws-sdk-go-v2/service/s3" {
			return " (service/s3 " + dep.Version + ")"
		}
	}
	return ""
}

// formatRate prints large rates as grouped integers and small ones with enough digits to compare.
func formatRate(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v >= 100:
		return groupThousands(int64(math.Round(v)))
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func formatLatency(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.0f ms", ms)
	}
}
