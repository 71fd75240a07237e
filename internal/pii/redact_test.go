package pii

import (
	"errors"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	d := NewDetector(Options{})
	text := `{"email":"Jane@Example.com","card":"4111 1111 1111 1111","phone":"010-1234-5678"}`
	ents := d.Detect(text)
	if len(ents) != 3 {
		t.Fatalf("setup: %s", describe(ents))
	}
	key := []byte("k1")
	cases := []struct {
		name string
		r    Redaction
		want string
	}{
		{"type", Redaction{Mode: RedactWithType},
			`{"email":"[EMAIL]","card":"[CREDIT_DEBIT_NUMBER]","phone":"[PHONE]"}`},
		{"mask", Redaction{Mode: RedactMask},
			`{"email":"****@******e.com","card":"**** **** **** 1111","phone":"***-****-5678"}`},
		{"mask keep 2 with #", Redaction{Mode: RedactMask, Keep: 2, Mask: '#'},
			`{"email":"####@#######.#om","card":"#### #### #### ##11","phone":"###-####-##78"}`},
		{"mask all", Redaction{Mode: RedactMask, Keep: -1},
			`{"email":"****@*******.***","card":"**** **** **** ****","phone":"***-****-****"}`},
		{"pseudonym", Redaction{Mode: RedactPseudonym, Key: key},
			`{"email":"EMAIL_` + Pseudonym(key, "EMAIL", "jane@example.com") + `","card":"CREDIT_DEBIT_NUMBER_` +
				Pseudonym(key, "CREDIT_DEBIT_NUMBER", "4111111111111111") + `","phone":"PHONE_` +
				Pseudonym(key, "PHONE", "01012345678") + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Redact(text, ents, tc.r)
			if err != nil || got != tc.want {
				t.Errorf("got %s, %v\nwant %s", got, err, tc.want)
			}
		})
	}
}

func TestPseudonymConsistentAndKeyed(t *testing.T) {
	a, b := Pseudonym([]byte("k"), TypePhone, "010-1234-5678"), Pseudonym([]byte("k"), TypePhone, "01012345678")
	if a != b || len(a) != pseudonymHexLen {
		t.Errorf("same number, different pseudonyms %s %s", a, b)
	}
	if a == Pseudonym([]byte("other"), TypePhone, "01012345678") {
		t.Error("pseudonym does not depend on the key")
	}
	if a == Pseudonym([]byte("k"), TypePhone, "01012345679") || a == Pseudonym([]byte("k"), TypeSSN, "01012345678") {
		t.Error("different values or types share a pseudonym")
	}
	if _, err := Redact("x", nil, Redaction{Mode: RedactPseudonym}); !errors.Is(err, ErrNoPseudonymKey) {
		t.Errorf("missing key: %v", err)
	}
}

func TestRedactSkipsBadEntities(t *testing.T) {
	text := "abc def ghi"
	got, err := Redact(text, []Entity{{Type: "X", Start: 8, End: 11}, {Type: "Y", Start: 0, End: 3},
		{Type: "Z", Start: 1, End: 5}, {Type: "W", Start: 9, End: 99}}, Redaction{})
	if err != nil || got != "[Y] def [X]" {
		t.Errorf("got %q, %v", got, err)
	}
	if !strings.Contains(text, "abc") {
		t.Fatal("input changed")
	}
}
