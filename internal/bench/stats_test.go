package bench

import (
	"math"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"one value", []float64{7}, 7},
		{"odd count, unsorted", []float64{3, 1, 2}, 2},
		{"even count averages the middle two", []float64{4, 1, 3, 2}, 2.5},
		{"outlier does not move it", []float64{10, 11, 12, 1e9, 0}, 11},
		{"duplicates", []float64{5, 5, 1, 5}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]float64(nil), tt.in...)
			if got := Median(tt.in); got != tt.want {
				t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
			}
			for i := range in {
				if in[i] != tt.in[i] {
					t.Fatalf("Median reordered its input: %v, was %v", tt.in, in)
				}
			}
		})
	}
	if got := Median(nil); !math.IsNaN(got) {
		t.Errorf("Median(nil) = %v, want NaN", got)
	}
}

func TestMedianDuration(t *testing.T) {
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}, 2 * time.Millisecond},
		{[]time.Duration{1, 2}, 2}, // 1.5ns rounds half away from zero
	}
	for _, tt := range tests {
		if got := MedianDuration(tt.in); got != tt.want {
			t.Errorf("MedianDuration(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100) // 1..100
	for i := range hundred {
		hundred[i] = time.Duration(i + 1)
	}
	thousand := make([]time.Duration, 1000) // 1..1000
	for i := range thousand {
		thousand[i] = time.Duration(i + 1)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"single sample is every percentile", []time.Duration{9}, 99, 9},
		{"p50 of 1..100", hundred, 50, 50},
		{"p99 of 1..100 is the 99th, not the max", hundred, 99, 99},
		{"p100 is the max", hundred, 100, 100},
		{"p99 of 1..1000", thousand, 99, 990},
		{"p50 of three is the middle", []time.Duration{1, 2, 3}, 50, 2},
		{"p99 of three is the max", []time.Duration{1, 2, 3}, 99, 3},
		{"p50 of two is the lower (nearest rank)", []time.Duration{1, 2}, 50, 1},
		{"tiny p is the min", hundred, 0.001, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(p%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarizeTakesEachMedianSeparately(t *testing.T) {
	runs := []Sample{
		{Ops: 100, Bytes: 100e6, Elapsed: time.Second, P50: 3, P99: 30},
		{Ops: 300, Bytes: 300e6, Elapsed: time.Second, P50: 1, P99: 90},
		{Ops: 200, Bytes: 200e6, Elapsed: time.Second, P50: 2, P99: 10, Errors: 1, FirstErr: "boom"},
	}
	s := summarize(runs)
	if s.OpsPerSec != 200 || s.MBPerSec != 200 || s.P50 != 2 || s.P99 != 30 {
		t.Errorf("summarize = %+v, want ops/s 200, MB/s 200, p50 2, p99 30", s)
	}
	if s.Errors != 1 || s.FirstErr != "boom" || s.Runs != 3 {
		t.Errorf("summarize errors = %d %q runs %d, want 1 \"boom\" 3", s.Errors, s.FirstErr, s.Runs)
	}
}
