package bench

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestExpectLogsAgreesWithAnIndependentMatcher checks the generator's counts against a plain
// reading of each line with the patterns' meaning (substring; JSON fields; the 14 flow fields), so
// the benchmark's "exact" verdict rests on more than the predicates that built the data.
func TestExpectLogsAgreesWithAnIndependentMatcher(t *testing.T) {
	const n = 20000
	var term, jsonMatches, delimited, size int64
	for i := range n {
		line := logsFilterLine(i)
		size += int64(len(line))
		if strings.Contains(line, "ERROR") {
			term++
		}
		if strings.HasPrefix(line, "{") {
			var doc struct {
				Level   string  `json:"level"`
				Latency float64 `json:"latency"`
			}
			if err := json.Unmarshal([]byte(line), &doc); err != nil {
				t.Fatalf("line %d is not JSON: %v: %s", i, err, line)
			}
			if doc.Level == "ERROR" && doc.Latency > 500 {
				jsonMatches++
			}
			continue
		}
		f := strings.Split(line, " ")
		if len(f) != 14 {
			t.Fatalf("flow line %d has %d fields: %s", i, len(f), line)
		}
		if f[6] == "22" && f[7] == "6" && f[12] == "REJECT" {
			delimited++
		}
	}
	got := expectLogs(n)
	want := logsExpected{Events: n, Bytes: size, Term: term, JSON: jsonMatches, Delimited: delimited}
	if got != want {
		t.Fatalf("expectLogs(%d) = %+v, an independent reading gives %+v", n, got, want)
	}
	// Every pattern must match something and not everything, or a server ignoring it would pass.
	for name, c := range map[string]int64{"term": term, "json": jsonMatches, "delimited": delimited} {
		if c == 0 || c >= n/4 {
			t.Errorf("%s matches %d of %d events: the data does not tell a pattern from none", name, c, n)
		}
	}
	if avg := size / n; avg < 120 || avg > 220 {
		t.Errorf("average line %d bytes, want about 150-200", avg)
	}
	for pattern, want := range map[string]int64{logsTermPattern: term, logsJSONPattern: jsonMatches, logsDelimitedPattern: delimited, "": n} {
		if g := got.want(pattern); g != want {
			t.Errorf("want(%q) = %d, want %d", pattern, g, want)
		}
	}
}

func TestLogsPutMessageSize(t *testing.T) {
	for _, size := range []int{32, 200, 4096} {
		m := logsPutMessage(7, 123456, size)
		if len(m) != size || !strings.HasPrefix(m, "w007 e00123456 ") {
			t.Errorf("logsPutMessage(size %d) = %q (%d bytes)", size, m, len(m))
		}
	}
}

func TestParseLogsFlags(t *testing.T) {
	cases := []struct {
		name      string
		args      []string
		wantErr   string
		workloads []string
	}{
		{name: "defaults with moto", args: []string{"--moto"}, workloads: selectableNames(AllLogsWorkloads())},
		{name: "filter prefix", args: []string{"--moto", "--workloads", "filter"}, workloads: []string{"filter-term", "filter-json", "filter-delimited"}},
		{name: "two names", args: []string{"--tributary", "x", "--workloads", "subscription,put"}, workloads: []string{"put", "subscription"}},
		{name: "nothing to measure", args: nil, wantErr: "nothing to measure"},
		{name: "batch over 1 MiB", args: []string{"--moto", "--batch", "10000", "--event-size", "200"}, wantErr: "1 MiB"},
		{name: "limit", args: []string{"--moto", "--filter-limit", "10001"}, wantErr: "--filter-limit"},
		{name: "unknown workload", args: []string{"--moto", "--workloads", "tail"}, wantErr: "unknown workload"},
		{name: "stray argument", args: []string{"--moto", "extra"}, wantErr: "unexpected argument"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseLogsFlags(c.args, io.Discard)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := selectableNames(cfg.Workloads); !reflect.DeepEqual(got, c.workloads) {
				t.Errorf("workloads = %v, want %v", got, c.workloads)
			}
		})
	}
}

func TestLogsReportVerdicts(t *testing.T) {
	ws := AllLogsWorkloads()
	put, term := ws[0], ws[1]
	r := &logsReport{cfg: LogsConfig{Workloads: ws[:2], Runs: 3}}
	for _, rate := range []float64{140000, 160000, 170000} {
		r.add(LabelTributary, put, logsSample{Rate: rate, Elapsed: time.Second})
	}
	for _, rate := range []float64{70000, 80000, 90000} {
		r.add(LabelMoto, put, logsSample{Rate: rate, Elapsed: time.Second})
	}
	for _, m := range []int64{10, 10, 10} {
		r.add(LabelTributary, term, logsSample{Rate: 250, Matched: m, Want: 10})
	}
	r.add(LabelMoto, term, logsSample{Rate: 25, Matched: 999, Want: 10})
	if got := r.ratio(put); got != "2.0×" {
		t.Errorf("put ratio = %s, want 2.0× (medians 160,000 / 80,000)", got)
	}
	if _, res := r.goal(put); res != "met" {
		t.Errorf("put goal = %s", res)
	}
	trib, _ := r.summary(LabelTributary, term)
	moto, _ := r.summary(LabelMoto, term)
	if !trib.exact() || moto.exact() || !strings.Contains(moto.cell(term, true), "WRONG: 999 matches, want 10") {
		t.Errorf("term cells: %q / %q", trib.cell(term, true), moto.cell(term, true))
	}
	if r.tributaryMismatch() {
		t.Error("tributaryMismatch with exact Tributary counts")
	}
	r.add(LabelTributary, term, logsSample{Rate: 300, Matched: 11, Want: 10})
	if _, res := r.goal(term); res != "FAIL (wrong matches)" || !r.tributaryMismatch() {
		t.Errorf("a wrong Tributary count: goal %q, mismatch %v", res, r.tributaryMismatch())
	}
	var md bytes.Buffer
	r.writeMarkdown(&md)
	if !strings.Contains(md.String(), "| put | 160,000 events/s | 80,000 events/s | 2.0× | ≥ 150,000 events/s | met |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	unsupported := summarizeLogs([]logsSample{{Unsupported: "no"}})
	if unsupported.measured() || unsupported.cell(put, true) != "unsupported" {
		t.Errorf("an unsupported summary: %+v", unsupported)
	}
}

func TestDataMessageEvents(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	cases := []struct {
		name    string
		data    []byte
		want    int
		wantErr bool
	}{
		{"data", gz(`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1"},{"id":"2"}]}`), 2, false},
		{"control", gz(`{"messageType":"CONTROL_MESSAGE","logEvents":[{"id":""}]}`), 0, false},
		{"other type", gz(`{"messageType":"X"}`), 0, true},
		{"not gzip", []byte(`{"messageType":"DATA_MESSAGE"}`), 0, true},
		{"not JSON", gz(`nope`), 0, true},
	}
	for _, c := range cases {
		n, err := dataMessageEvents(c.data)
		if (err != nil) != c.wantErr || n != c.want {
			t.Errorf("%s: %d, %v; want %d (error %v)", c.name, n, err, c.want, c.wantErr)
		}
	}
}
