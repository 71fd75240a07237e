package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// logsReport collects the samples of a logs benchmark and prints medians.
type logsReport struct {
	cfg     LogsConfig
	targets []targetInfo
	samples map[string][]logsSample // label + "/" + workload
}

func (r *logsReport) add(label string, w LogsWorkload, s logsSample) {
	if r.samples == nil {
		r.samples = map[string][]logsSample{}
	}
	r.samples[label+"/"+w.Name] = append(r.samples[label+"/"+w.Name], s)
}

// logsSummary is the medians of one workload on one target.
type logsSummary struct {
	Runs        int
	Rate        float64
	Elapsed     time.Duration
	Matched     []int64 // every run's match count (filter workloads)
	Want        int64
	Unsupported string
}

func summarizeLogs(samples []logsSample) logsSummary {
	var s logsSummary
	var rates []float64
	var elapsed []time.Duration
	for _, x := range samples {
		if x.Unsupported != "" {
			s.Unsupported = x.Unsupported
			continue
		}
		s.Runs++
		rates = append(rates, x.Rate)
		elapsed = append(elapsed, x.Elapsed)
		s.Matched = append(s.Matched, x.Matched)
		s.Want = x.Want
	}
	s.Rate = Median(rates)
	s.Elapsed = MedianDuration(elapsed)
	return s
}

func (s logsSummary) measured() bool { return s.Runs > 0 }

// exact reports whether every run matched exactly the generated count.
func (s logsSummary) exact() bool {
	for _, m := range s.Matched {
		if m != s.Want {
			return false
		}
	}
	return true
}

func (r *logsReport) summary(label string, w LogsWorkload) (logsSummary, bool) {
	samples, ok := r.samples[label+"/"+w.Name]
	if !ok {
		return logsSummary{}, false
	}
	return summarizeLogs(samples), true
}

// tributaryMismatch: Tributary returned a wrong number of matches in some filter run.
func (r *logsReport) tributaryMismatch() bool {
	for _, w := range r.cfg.Workloads {
		if s, ok := r.summary(LabelTributary, w); ok && w.isFilter() && s.measured() && !s.exact() {
			return true
		}
	}
	return false
}

func (s logsSample) line(w LogsWorkload) string {
	if s.Unsupported != "" {
		return "unsupported: " + s.Unsupported
	}
	line := fmt.Sprintf("%s %s in %s", formatRate(s.Rate), w.Unit, s.Elapsed.Round(time.Millisecond))
	if w.isFilter() {
		line += fmt.Sprintf(" (%d pages, %d matched, want %d)", s.Pages, s.Matched, s.Want)
	}
	return line
}

// cell is a summary as a table cell: the median rate, and for filters whether the matches were right.
func (s logsSummary) cell(w LogsWorkload, ok bool) string {
	switch {
	case !ok:
		return "n/a"
	case !s.measured():
		return "unsupported"
	}
	c := formatRate(s.Rate) + " " + w.Unit
	if w.isFilter() {
		if s.exact() {
			c += fmt.Sprintf(", %d matches (exact)", s.Want)
		} else {
			c += fmt.Sprintf(", WRONG: %s matches, want %d", joinCounts(s.Matched), s.Want)
		}
	}
	return c
}

func joinCounts(xs []int64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, "/")
}

// ratio is Tributary's rate over moto_server's, when both were measured.
func (r *logsReport) ratio(w LogsWorkload) string {
	trib, tok := r.summary(LabelTributary, w)
	moto, mok := r.summary(LabelMoto, w)
	if !tok || !mok || !trib.measured() || !moto.measured() || moto.Rate <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f×", trib.Rate/moto.Rate)
}

// goal judges Tributary's median against the target (and, for filters, exact matches).
func (r *logsReport) goal(w LogsWorkload) (required, result string) {
	if w.Goal == 0 {
		return "—", "—"
	}
	required = fmt.Sprintf("≥ %s %s", formatRate(w.Goal), w.Unit)
	trib, ok := r.summary(LabelTributary, w)
	switch {
	case !ok || !trib.measured():
		return required, "not measured"
	case w.isFilter() && !trib.exact():
		return required, "FAIL (wrong matches)"
	case trib.Rate >= w.Goal:
		return required, "met"
	}
	return required, "NOT MET"
}

func (r *logsReport) labels() []string {
	var labels []string
	for _, t := range r.targets {
		labels = append(labels, t.label)
	}
	return labels
}

func (r *logsReport) conditions() string {
	c := r.cfg
	return fmt.Sprintf("%d runs (medians); put: %d producers on their own streams, %d calls of %d events × %d B per run; "+
		"filter: %d MB group in %d streams, limit %d per page, paged to the end; subscription: %d events, one Kinesis shard",
		c.Runs, c.Producers, c.PutCalls, c.BatchEvents, c.EventSize, c.FilterMB, logsFilterStreams, c.FilterLimit, c.SubEvents)
}

func (r *logsReport) writeText(out io.Writer) {
	fmt.Fprintf(out, "CloudWatch Logs benchmark: %s\n", r.conditions())
	for _, t := range r.targets {
		fmt.Fprintf(out, "  %s: %s\n", t.label, t.description)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "%-18s", "workload")
	for _, l := range r.labels() {
		fmt.Fprintf(out, " %-44s", l)
	}
	fmt.Fprintln(out, " ratio   target")
	for _, w := range r.cfg.Workloads {
		fmt.Fprintf(out, "%-18s", w.Name)
		for _, l := range r.labels() {
			s, ok := r.summary(l, w)
			fmt.Fprintf(out, " %-44s", s.cell(w, ok))
		}
		req, res := r.goal(w)
		fmt.Fprintf(out, " %-7s %s: %s\n", r.ratio(w), req, res)
	}
	for _, l := range r.labels() {
		for _, w := range r.cfg.Workloads {
			if s, ok := r.summary(l, w); ok && s.Unsupported != "" {
				fmt.Fprintf(out, "%s %s unsupported: %s\n", l, w.Name, s.Unsupported)
			}
		}
	}
}

func (r *logsReport) writeMarkdown(out io.Writer) {
	fmt.Fprintf(out, "| Workload | Tributary | moto_server | Tributary ÷ moto | Issue 5 target | |\n|---|---|---|---|---|---|\n")
	for _, w := range r.cfg.Workloads {
		trib, tok := r.summary(LabelTributary, w)
		moto, mok := r.summary(LabelMoto, w)
		req, res := r.goal(w)
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %s |\n", w.Name, trib.cell(w, tok), moto.cell(w, mok), r.ratio(w), req, res)
	}
	fmt.Fprintf(out, "\n%s.\n", r.conditions())
}
