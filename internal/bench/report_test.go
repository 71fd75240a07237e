package bench

import (
	"strings"
	"testing"
	"time"
)

func TestGoals(t *testing.T) {
	all := AllWorkloads(10000)
	find := func(name string) Workload {
		for _, w := range all {
			if w.Name == name {
				return w
			}
		}
		t.Fatalf("no workload %s", name)
		return Workload{}
	}
	// perSec builds a one-second sample with n ops of w's size (keys for the listing).
	perSec := func(w Workload, n int64, errs int64) Sample {
		s := Sample{Ops: n, Elapsed: time.Second, Errors: errs}
		if w.Op == OpList {
			s.Keys = n
		} else {
			s.Bytes = n * int64(w.Size)
		}
		return s
	}
	tests := []struct {
		name      string
		tributary map[string]Sample
		moto      map[string]Sample
		want      map[string]string // goal title prefix → "measured | result"
	}{
		{
			name: "all met",
			tributary: map[string]Sample{
				"put-4KiB-c16": perSec(find("put-4KiB-c16"), 3400, 0),
				"get-4KiB-c16": perSec(find("get-4KiB-c16"), 5400, 0),
				"list-10000":   perSec(find("list-10000"), 77000, 0),
				"put-1MiB-c16": perSec(find("put-1MiB-c16"), 200, 0), // 209.7 MB/s
				"get-1MiB-c16": perSec(find("get-1MiB-c16"), 477, 0), // 500.2 MB/s
			},
			moto: map[string]Sample{
				"put-4KiB-c16": perSec(find("put-4KiB-c16"), 340, 0),
				"get-4KiB-c16": perSec(find("get-4KiB-c16"), 360, 0),
				"list-10000":   perSec(find("list-10000"), 7700, 0),
			},
			want: map[string]string{
				"4 KiB PutObject": "10.0× | pass",
				"4 KiB GetObject": "15.0× | pass",
				"ListObjectsV2":   "10.0× | pass",
				"1 MiB PutObject": "210 MB/s | pass",
				"1 MiB GetObject": "500 MB/s | pass",
			},
		},
		{
			name: "missed, failed requests, and moto missing",
			tributary: map[string]Sample{
				"put-4KiB-c16": perSec(find("put-4KiB-c16"), 3399, 0),
				"get-4KiB-c16": perSec(find("get-4KiB-c16"), 9000, 3),
				"list-10000":   perSec(find("list-10000"), 77000, 0),
				"put-1MiB-c16": perSec(find("put-1MiB-c16"), 190, 0),
			},
			moto: map[string]Sample{
				"put-4KiB-c16": perSec(find("put-4KiB-c16"), 340, 0),
				"get-4KiB-c16": perSec(find("get-4KiB-c16"), 360, 0),
			},
			want: map[string]string{
				"4 KiB PutObject": "10.0× | FAIL", // 9.997× rounds to 10.0 but misses
				"4 KiB GetObject": "25.0× | FAIL (requests failed)",
				"ListObjectsV2":   "- | needs --moto",
				"1 MiB PutObject": "199 MB/s | FAIL",
				"1 MiB GetObject": "- | not run",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &report{cfg: Config{Runs: 1}, workloads: all, samples: map[string]map[string][]Sample{LabelTributary: {}, LabelMoto: {}}}
			for name, s := range tt.tributary {
				r.add(LabelTributary, find(name), s)
			}
			for name, s := range tt.moto {
				r.add(LabelMoto, find(name), s)
			}
			for _, g := range r.goals() {
				for prefix, want := range tt.want {
					if strings.HasPrefix(g.title, prefix) {
						if got := g.measured + " | " + g.result; got != want {
							t.Errorf("%s: got %q, want %q", g.title, got, want)
						}
					}
				}
			}
		})
	}
}

func TestComparisonRatioUsesPrimaryMeasure(t *testing.T) {
	all := AllWorkloads(10000)
	r := &report{cfg: Config{Runs: 1}, workloads: all, samples: map[string]map[string][]Sample{LabelTributary: {}, LabelMoto: {}}}
	put1m := all[3] // put-1MiB-c16
	r.add(LabelTributary, put1m, Sample{Ops: 300, Bytes: 300 << 20, Elapsed: time.Second, P50: 40 * time.Millisecond, P99: 90 * time.Millisecond})
	r.add(LabelMoto, put1m, Sample{Ops: 60, Bytes: 60 << 20, Elapsed: time.Second})
	for _, row := range r.comparison() {
		if row.workload != put1m.Title() {
			if row.tributary != "-" || row.ratio != "-" {
				t.Errorf("unmeasured %s shows %+v", row.workload, row)
			}
			continue
		}
		if row.tributary != "315 MB/s (p50 40.0 ms, p99 90.0 ms)" || row.ratio != "5.0×" {
			t.Errorf("row = %+v", row)
		}
	}
}
