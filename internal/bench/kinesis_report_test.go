package bench

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

func testKinesisConfig(t *testing.T, args ...string) KinesisConfig {
	t.Helper()
	cfg, err := ParseKinesisFlags(append([]string{"--endpoint", "http://127.0.0.1:1", "--endpoint-label", "x"}, args...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSummarizeKinesis(t *testing.T) {
	samples := []kinesisSample{
		{Records: 30000, Bytes: 30000 * 1024, Calls: 60, Elapsed: 3 * time.Second, P50: 5 * time.Millisecond, P99: 9 * time.Millisecond},
		{Records: 10000, Bytes: 10000 * 1024, Calls: 20, Elapsed: time.Second, P50: 1 * time.Millisecond, P99: 30 * time.Millisecond, Errors: 2, FirstErr: "boom"},
		{Records: 40000, Bytes: 40000 * 1024, Calls: 80, Elapsed: 2 * time.Second, P50: 3 * time.Millisecond, P99: 10 * time.Millisecond},
	}
	s := summarizeKinesis(samples)
	if s.Runs != 3 || s.RecordsPerSec != 10000 || s.P50 != 3*time.Millisecond || s.P99 != 10*time.Millisecond {
		t.Errorf("summary %+v: want the median of each measure (10,000 records/s, p50 3 ms, p99 10 ms)", s)
	}
	if s.Errors != 2 || s.FirstErr != "boom" {
		t.Errorf("errors %d %q: every run's errors count", s.Errors, s.FirstErr)
	}
	if math.Abs(s.MBPerSec-10.24) > 1e-9 || s.CallsSec != 20 {
		t.Errorf("MB/s %v calls/s %v", s.MBPerSec, s.CallsSec)
	}
	na := summarizeKinesis([]kinesisSample{{Unsupported: "no EFO"}, {Unsupported: "no EFO"}})
	if na.measured() || na.Unsupported != "no EFO" {
		t.Errorf("unsupported summary %+v", na)
	}
}

func TestKinesisAdvantage(t *testing.T) {
	put := KinesisWorkload{Name: "put-1k", Kind: kindPut, RecordSize: 1024}
	lat := KinesisWorkload{Name: "latency-poll", Kind: kindLatencyPoll}
	fast := kinesisSummary{Runs: 1, RecordsPerSec: 60000, P99: 4 * time.Millisecond}
	slow := kinesisSummary{Runs: 1, RecordsPerSec: 10000, P99: 40 * time.Millisecond}
	if v, ok := advantage(put, fast, slow); !ok || v != 6 {
		t.Errorf("throughput advantage = %v %v, want 6", v, ok)
	}
	if v, ok := advantage(lat, fast, slow); !ok || v != 10 {
		t.Errorf("latency advantage = %v %v, want 10 (peer p99 / Tributary p99)", v, ok)
	}
	if _, ok := advantage(put, fast, kinesisSummary{Runs: 1, Unsupported: "x"}); ok {
		t.Errorf("advantage over an n/a peer")
	}
	if got := ratioCell(lat, fast, true, slow, true); got != "10.0× lower p99" {
		t.Errorf("latency ratio cell %q", got)
	}
	if got := ratioCell(put, fast, true, kinesisSummary{Runs: 1, Unsupported: "x"}, true); got != "n/a" {
		t.Errorf("n/a ratio cell %q", got)
	}
}

// TestKinesisReportGoals: the targets are judged from the medians; a failed request or an
// n/a on Tributary's side fails a target.
func TestKinesisReportGoals(t *testing.T) {
	cfg := testKinesisConfig(t)
	rep := newKinesisReport(cfg, []*kinesisTarget{{label: LabelTributary}, {label: LabelKinesalite}, {label: LabelMoto}})
	w := map[string]KinesisWorkload{}
	for _, x := range cfg.Workloads {
		w[x.Name] = x
	}
	sec := time.Second
	rep.add(LabelTributary, w["put-1k"], kinesisSample{Records: 60000, Bytes: 60000 * 1024, Elapsed: sec})
	rep.add(LabelKinesalite, w["put-1k"], kinesisSample{Records: 10000, Elapsed: sec})
	rep.add(LabelMoto, w["put-1k"], kinesisSample{Records: 20000, Elapsed: sec})
	rep.add(LabelTributary, w["put-128"], kinesisSample{Records: 120000, Elapsed: sec, Errors: 1, FirstErr: "throttled"})
	rep.add(LabelTributary, w["drain"], kinesisSample{Records: 150000, Elapsed: sec})
	rep.add(LabelTributary, w["latency-efo"], kinesisSample{Records: 300, Elapsed: sec, P99: 20 * time.Millisecond})
	rep.add(LabelKinesalite, w["latency-efo"], kinesisSample{Unsupported: "UnknownOperationException"})

	want := map[string]string{
		"put-1k records/s vs kinesalite":      "pass",
		"put-1k records/s vs moto_server":     "FAIL",
		"put-128 records/s":                   "FAIL (requests failed)",
		"GetRecords drain records/s":          "FAIL",
		"SubscribeToShard put-to-visible p99": "pass",
	}
	for _, g := range rep.goals() {
		if want[g.title] != g.result {
			t.Errorf("goal %q: %s (measured %s), want %s", g.title, g.result, g.measured, want[g.title])
		}
	}

	var md bytes.Buffer
	rep.writeMarkdown(&md)
	for _, s := range []string{
		"| workload | Tributary | kinesalite | moto_server | vs kinesalite | vs moto_server |",
		"| 60,000 rec/s, 61.4 MB/s", "| 6.0× | 3.0× |", // put-1k: 60,000 × 1,024 B = 61.4 MB/s
		"| put-to-visible, SubscribeToShard, 100 rec/s | p50 0.00 ms, p99 20.0 ms | n/a | - | n/a | - |",
	} {
		if !strings.Contains(md.String(), s) {
			t.Errorf("markdown lacks %q:\n%s", s, md.String())
		}
	}
	var text bytes.Buffer
	rep.writeText(&text)
	if !strings.Contains(text.String(), "put-128: 1 failed requests, first: throttled") {
		t.Errorf("text report hides the failed request:\n%s", text.String())
	}
}

func TestParseKinesisFlags(t *testing.T) {
	cfg := testKinesisConfig(t)
	if cfg.Runs != 3 || cfg.Shards != 4 || cfg.Producers != 8 || cfg.Batch != 500 || len(cfg.Workloads) != 5 {
		t.Errorf("defaults: %+v", cfg)
	}
	if cfg.KinesaliteCLI != DefaultKinesaliteCLI {
		t.Errorf("kinesalite cli %q", cfg.KinesaliteCLI)
	}
	sel := testKinesisConfig(t, "--workloads", "put,latency-efo")
	if got := strings.Join(kinesisWorkloadNames(sel.Workloads), ","); got != "put-1k,put-128,latency-efo" {
		t.Errorf("--workloads put,latency-efo selects %s", got)
	}
	bad := [][]string{
		{},                                   // nothing to measure
		{"--kinesalite", "--batch", "501"},   // over the PutRecords limit
		{"--moto", "--shards", "0"},          // no shards
		{"--moto", "--drain-size", "10"},     // too small for the stamp
		{"--moto", "--workloads", "nothing"}, // unknown workload
		{"--moto", "--endpoint", "http://x:1", "--endpoint-label", LabelMoto}, // label collision
		{"--moto", "extra"}, // stray argument
	}
	for _, args := range bad {
		if _, err := ParseKinesisFlags(args, io.Discard); err == nil {
			t.Errorf("ParseKinesisFlags(%q) accepted", args)
		}
	}
}
