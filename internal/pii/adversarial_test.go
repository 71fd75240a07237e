package pii

import (
	"strings"
	"testing"
	"time"
)

// TestAdversarialInputsLinear: repetitive inputs that would make a careless scanner quadratic (anchors inside
// anchors, endless separators) are scanned at a rate comparable to ordinary text. 256 KiB each: a quadratic
// scanner takes minutes here, a linear one milliseconds.
func TestAdversarialInputsLinear(t *testing.T) {
	d := NewDetector(Options{MinScore: 0.01})
	const size = 256 << 10
	for _, unit := range []string{
		"http://", "https://a", "www.", "www.a.", "@a", "a@", "a.b@", "::", ":1", "1:", "1 ", "1-", "1.", "+1 ",
		"(1) ", "password: ", `"name":"`, "name=", "카드 ", "주민", "전화번호는 ", "AKIA", "GB82 ", "00:", "00-",
		"aaaa", "A1", "%40", "x%40y.co&", "\xff", "가", "dob: 1", "card 4111 ", strings.Repeat(" ", 7),
	} {
		text := strings.Repeat(unit, size/len(unit))
		start := time.Now()
		d.Detect(text)
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("%q×%d took %v", unit, size/len(unit), el)
		}
	}
}
