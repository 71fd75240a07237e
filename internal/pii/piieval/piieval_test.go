package piieval

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/pii"
)

// TestEvaluation runs the evaluation set against the redaction API and holds
// it to issue 6's thresholds; it prints the README table.
func TestEvaluation(t *testing.T) {
	start := time.Now()
	res := Evaluate(20261202, 100)
	t.Logf("evaluated in %v\n%s", time.Since(start).Round(time.Millisecond), res.Markdown())
	for _, f := range res.Failures() {
		t.Error(f)
	}
	if t.Failed() {
		for i, e := range res.Errors {
			if i == 20 {
				break
			}
			t.Log("error:", e)
		}
		for i, m := range res.Misses {
			if i == 60 {
				break
			}
			t.Logf("missed %s in %s: %q: %s", m.Type, m.Kind, m.Value, m.Why)
		}
		for i, m := range res.Broken {
			if i == 60 {
				break
			}
			t.Logf("broke %s in %s: %q (as %s)", m.Why, m.Kind, m.Value, m.Type)
		}
	}
}

// TestGenerator: the same seed gives the same documents; every label points
// at its value; structured documents parse; every kind carries labels.
func TestGenerator(t *testing.T) {
	a, b := Generate(7, 5), Generate(7, 5)
	if len(a) != len(b) || len(a) != 5*len(kinds()) {
		t.Fatalf("%d and %d documents", len(a), len(b))
	}
	perKind := map[string][2]int{}
	for i := range a {
		if !bytes.Equal(a[i].Body, b[i].Body) {
			t.Fatalf("doc %d differs between runs of one seed", i)
		}
		d := a[i]
		for _, l := range d.PII {
			if string(d.Body[l.Start:l.End]) != l.Value || l.Value == "" {
				t.Errorf("%s: label %s %q points at %q", d.Kind, l.Type, l.Value, d.Body[l.Start:l.End])
			}
			if _, ok := pii.CanonicalType(l.Type); !ok {
				t.Errorf("%s: label type %q is not a pii type", d.Kind, l.Type)
			}
		}
		for _, n := range d.Negatives {
			if string(d.Body[n.Start:n.End]) != n.Value || n.Value == "" {
				t.Errorf("%s: negative %q points at %q", d.Kind, n.Value, d.Body[n.Start:n.End])
			}
		}
		switch d.Format {
		case pii.FormatJSON:
			if !json.Valid(d.Body) {
				t.Errorf("%s: invalid JSON:\n%s", d.Kind, d.Body)
			}
		case pii.FormatNDJSON:
			for _, line := range nonEmptyLines(d.Body) {
				if !json.Valid(line) {
					t.Errorf("%s: invalid NDJSON line %s", d.Kind, line)
				}
			}
		case pii.FormatCSV, pii.FormatTSV:
			comma := ','
			if d.Format == pii.FormatTSV {
				comma = '\t'
			}
			rows, err := readCSV(d.Body, comma)
			if err != nil || len(rows) < 2 {
				t.Errorf("%s: CSV: %v", d.Kind, err)
			}
			for _, r := range rows {
				if len(r) != len(rows[0]) {
					t.Errorf("%s: ragged CSV row %q", d.Kind, r)
				}
			}
		}
		c := perKind[d.Kind]
		perKind[d.Kind] = [2]int{c[0] + len(d.PII), c[1] + len(d.Negatives)}
	}
	for k, c := range perKind {
		if c[0] == 0 || c[1] == 0 {
			t.Errorf("%s: %d labels, %d negatives", k, c[0], c[1])
		}
	}
}

// TestChecksums: the generator's identifiers pass their schemes' checks
// (checked here independently of the detector).
func TestChecksums(t *testing.T) {
	g := newGen(1, 1)
	for range 200 {
		card := strings.NewReplacer(" ", "", "-", "").Replace(g.card())
		if luhnDigit(card[:len(card)-1]) != card[len(card)-1] {
			t.Errorf("card %s fails Luhn", card)
		}
		bad := strings.ReplaceAll(g.badCard(), " ", "")
		if luhnDigit(bad[:len(bad)-1]) == bad[len(bad)-1] {
			t.Errorf("bad card %s passes Luhn", bad)
		}
		iban := strings.ReplaceAll(g.iban(), " ", "")
		if ibanCheck(iban[:2], iban[4:]) != iban[2:4] {
			t.Errorf("IBAN %s fails mod 97", iban)
		}
	}
	if got := ibanCheck("GB", "WEST12345698765432"); got != "82" {
		t.Errorf("ibanCheck(GB82WEST…) = %s, want 82", got)
	}
}

// TestScorerJudges: the scorer counts a value as found only when it is gone
// from the output and covered by a finding of its type, and tells shape
// changes apart from redacted values.
func TestScorerJudges(t *testing.T) {
	tests := []struct {
		name    string
		f       pii.Format
		in, out string
		want    string // "" = same structure
	}{
		{"json redacted values", pii.FormatJSON, `{"a":"x@y.com","b":[1,2],"c":5}`, `{"a":"[EMAIL]","b":[1,2],"c":"[PHONE]"}`, ""},
		{"json key lost", pii.FormatJSON, `{"a":"x","b":1}`, `{"a":"x"}`, "$: 2 keys in, 1 out"},
		{"json array shortened", pii.FormatJSON, `{"a":[1,2]}`, `{"a":[1]}`, "$.a: array changed length or kind"},
		{"ndjson line lost", pii.FormatNDJSON, "{}\n{}\n", "{}\n", "2 lines in, 1 out"},
		{"csv column lost", pii.FormatCSV, "a,b\n1,2\n", "a,b\n1\n", "row 2: 2 columns in, 1 out"},
		{"csv quoted comma kept", pii.FormatCSV, "a,b\n\"x, y\",2\n", "a,b\n[ADDRESS],2\n", ""},
	}
	for _, tc := range tests {
		if got := sameStructure(tc.f, []byte(tc.in), []byte(tc.out)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
