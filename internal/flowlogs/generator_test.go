package flowlogs

import (
	"regexp"
	"testing"
	"time"
)

var (
	eniPattern    = regexp.MustCompile(`^eni-[0-9a-f]{17}$`)
	recordPattern = regexp.MustCompile(`^2 \d{12} eni-[0-9a-f]{17} (` +
		`(\d+\.){3}\d+ (\d+\.){3}\d+ \d+ \d+ (1|6|17) \d+ \d+ \d+ \d+ (ACCEPT|REJECT) OK|` +
		`- - - - - - - \d+ \d+ - (NODATA|SKIPDATA))$`)
)

func TestGeneratorRecords(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name        string
		rejectRatio float64
		wantReject  [2]float64 // bounds of the REJECT share of OK records
	}{
		{"no rejects", 0, [2]float64{0, 0}},
		{"a quarter rejected", 0.25, [2]float64{0.22, 0.28}},
		{"all rejected", 1, [2]float64{1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGenerator(Config{ENIs: 4, RejectRatio: tc.rejectRatio, Seed: 7})
			seen := map[string]int{}
			status := map[string]int{}
			ok, rejected, ssh := 0, 0, 0
			const n = 20_000
			for i := range n {
				r := g.Next(now)
				line := r.String()
				if !recordPattern.MatchString(line) {
					t.Fatalf("record %d: %q", i, line)
				}
				back, err := Parse(line)
				if err != nil || back != r {
					t.Fatalf("Parse(%q) = %+v, %v; want %+v", line, back, err, r)
				}
				if r.End != now.Unix() || r.Start >= r.End {
					t.Fatalf("window %d..%d", r.Start, r.End)
				}
				seen[r.ENI]++
				status[r.Status]++
				if r.Status == "OK" {
					ok++
					if r.Action == "REJECT" {
						rejected++
					}
				}
				if r.RejectedSSH() {
					ssh++
				}
			}
			if len(seen) != 4 {
				t.Fatalf("records of %d interfaces, want 4", len(seen))
			}
			for eni, c := range seen {
				if !eniPattern.MatchString(eni) || c != n/4 {
					t.Fatalf("interface %s: %d records (want %d, round robin)", eni, c, n/4)
				}
			}
			if status["NODATA"] < n/50 || status["SKIPDATA"] < n/200 {
				t.Fatalf("statuses %v: want NODATA and SKIPDATA mixed in", status)
			}
			share := float64(rejected) / float64(ok)
			if share < tc.wantReject[0] || share > tc.wantReject[1] {
				t.Fatalf("REJECT share %.3f, want %v", share, tc.wantReject)
			}
			if tc.rejectRatio > 0 && ssh == 0 {
				t.Fatal("no rejected SSH records")
			}
		})
	}
}

func TestGeneratorIsDeterministic(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	a, b := NewGenerator(Config{ENIs: 3, RejectRatio: 0.5, Seed: 42}), NewGenerator(Config{ENIs: 3, RejectRatio: 0.5, Seed: 42})
	c := NewGenerator(Config{ENIs: 3, RejectRatio: 0.5, Seed: 43})
	differs := false
	for range 100 {
		ra, rb, rc := a.Next(now), b.Next(now), c.Next(now)
		if ra != rb {
			t.Fatalf("same seed: %v != %v", ra, rb)
		}
		differs = differs || ra != rc
	}
	if !differs {
		t.Fatal("another seed gave the same records")
	}
}

func TestParseRefuses(t *testing.T) {
	for _, line := range []string{"", "3 123456789012 eni-1 - - - - - - - 1 2 - NODATA", "2 a b c", "2 123456789012 eni-0 1.1.1.1 2.2.2.2 x 22 6 1 40 1 2 REJECT OK"} {
		if _, err := Parse(line); err == nil {
			t.Errorf("Parse(%q) accepted", line)
		}
	}
}
