package pii

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The fast paths of the hot loops must agree exactly with the plain code they replace.

func TestHitIndexMatchesBinarySearch(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var hits []hit
	for p := 0; p < 3000; p += 1 + r.IntN(40) {
		hits = append(hits, hit{start: p, end: p + 3})
	}
	s := scanner{hits: hits}
	for range 20000 {
		start := r.IntN(3100)
		if r.IntN(4) > 0 { // mostly increasing, as the passes ask
			start = min(3100, s.hitCursor+r.IntN(60))
		}
		want, _ := slices.BinarySearchFunc(hits, start, func(h hit, st int) int { return h.start - st })
		if got := s.hitIndex(start); got != want {
			t.Fatalf("hitIndex(%d) = %d, want %d", start, got, want)
		}
	}
}

func TestNextDigit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		b := make([]byte, r.IntN(40))
		for k := range b {
			b[k] = byte(r.IntN(256))
			if r.IntN(3) == 0 {
				b[k] = byte(0x28 + r.IntN(20)) // around the digits
			}
		}
		s, i := string(b), r.IntN(len(b)+1)
		want := i
		for want < len(s) && !isDigit(s[want]) {
			want++
		}
		if got := nextDigit(s, i); got != want {
			t.Fatalf("nextDigit(%q, %d) = %d, want %d", s, i, got, want)
		}
	}
}

// TestRedactorReuse: a pooled run starts clean: the same input redacts the same after runs of other formats.
func TestRedactorReuse(t *testing.T) {
	r, err := NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	inputs := []struct {
		f   Format
		src string
	}{
		{FormatNDJSON, orderDocuments(30)},
		{FormatText, supportText(30)},
		{FormatCSV, customersCSV(30)},
		{FormatJSON, ordersJSONArray(5)},
		{FormatNDJSON, "{\"a\":\"jane@example.com\"}\nnot json 010-1234-5678\n"},
	}
	want := make([]string, len(inputs))
	for i, in := range inputs {
		var sb strings.Builder
		if _, err := r.Redact(&sb, strings.NewReader(in.src), in.f); err != nil {
			t.Fatal(err)
		}
		want[i] = sb.String()
	}
	for round := range 3 {
		for i := len(inputs) - 1; i >= 0; i-- {
			var sb strings.Builder
			rep, err := r.Redact(&sb, strings.NewReader(inputs[i].src), inputs[i].f)
			if err != nil {
				t.Fatal(err)
			}
			if sb.String() != want[i] || rep.BytesIn != int64(len(inputs[i].src)) {
				t.Fatalf("round %d input %d: output changed on reuse", round, i)
			}
			srep, err := r.Scan(strings.NewReader(inputs[i].src), inputs[i].f, nil)
			if err != nil || len(srep.Findings) == 0 {
				t.Fatalf("round %d input %d: scan %v, %d findings", round, i, err, len(srep.Findings))
			}
		}
	}
}

// TestScanTextFindingsOwnTheirText: text windows are detected in place; the collected findings must still hold
// their own text after the window has moved on.
func TestScanTextFindingsOwnTheirText(t *testing.T) {
	r, err := NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	src := supportText(3000) // several windows
	rep, err := r.Scan(strings.NewReader(src), FormatText, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) < 3000 {
		t.Fatalf("only %d findings", len(rep.Findings))
	}
	for _, f := range rep.Findings {
		if f.Text != src[f.Start:f.End] {
			t.Fatalf("finding %s at %d:%d has text %q, input has %q", f.Type, f.Start, f.End, f.Text, src[f.Start:f.End])
		}
	}
}

// TestConcurrentReuse: pooled buffers are never shared between calls running at the same time.
func TestConcurrentReuse(t *testing.T) {
	r, err := NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDetector(Options{})
	inputs := []struct {
		f   Format
		src string
	}{
		{FormatNDJSON, orderDocuments(20)},
		{FormatText, supportText(20)},
		{FormatCSV, customersCSV(20)},
	}
	want := make([]string, len(inputs))
	wantEnts := make([][]Entity, len(inputs))
	for i, in := range inputs {
		var sb strings.Builder
		if _, err := r.Redact(&sb, strings.NewReader(in.src), in.f); err != nil {
			t.Fatal(err)
		}
		want[i], wantEnts[i] = sb.String(), d.Detect(in.src)
	}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for k := range 10 {
				i := (g + k) % len(inputs)
				var sb strings.Builder
				if _, err := r.Redact(&sb, strings.NewReader(inputs[i].src), inputs[i].f); err != nil || sb.String() != want[i] {
					errs <- fmt.Errorf("goroutine %d: input %d redacted differently (%v)", g, i, err)
					return
				}
				if got := d.Detect(inputs[i].src); !slices.Equal(got, wantEnts[i]) {
					errs <- fmt.Errorf("goroutine %d: input %d detected differently", g, i)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
