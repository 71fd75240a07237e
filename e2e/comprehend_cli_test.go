package e2e

import (
	"strings"
	"testing"
)

// The aws CLI against Comprehend's PII operations: entities with code-point
// offsets, labels, and AWS's errors for bad input.

// TestComprehendCLIDetectPii: detect-pii-entities finds each entity at
// offsets that slice the text by characters, after non-ASCII text too.
func TestComprehendCLIDetectPii(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	text := "Grüße — write to maria.lopez@example.com or call +1 415-555-0134; card 4111-1111-1111-1111, SSN 536-22-8841."
	out := s.awsJSON(t, "comprehend", "detect-pii-entities", "--language-code", "en", "--text", text)
	runes := []rune(text)
	var got []string
	prevEnd := 0
	for _, e := range asList(out["Entities"]) {
		b, end := int(num(e, "BeginOffset")), int(num(e, "EndOffset"))
		if b < prevEnd || end <= b || end > len(runes) {
			t.Fatalf("entity offsets %d-%d out of order or range: %v", b, end, out)
		}
		if sc, _ := e["Score"].(float64); sc <= 0.5 || sc > 1 {
			t.Errorf("score %v of %v", sc, e)
		}
		prevEnd = end
		got = append(got, str(e, "Type")+"="+string(runes[b:end]))
	}
	want := []string{"EMAIL=maria.lopez@example.com", "PHONE=+1 415-555-0134",
		"CREDIT_DEBIT_NUMBER=4111-1111-1111-1111", "SSN=536-22-8841"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("detect-pii-entities = %q, want %q", got, want)
	}

	// Korean is Tributary's extension.
	ko := s.awsJSON(t, "comprehend", "detect-pii-entities", "--language-code", "ko", "--text", "연락처 010-2345-6789 로 연락 주세요")
	if ents := asList(ko["Entities"]); len(ents) != 1 || str(ents[0], "Type") != "PHONE" || num(ents[0], "BeginOffset") != 4 || num(ents[0], "EndOffset") != 17 {
		t.Errorf("detect-pii-entities --language-code ko = %v", ko)
	}
	clean := s.awsJSON(t, "comprehend", "detect-pii-entities", "--language-code", "es", "--text", "Hoy hace buen tiempo.")
	if ents, ok := clean["Entities"].([]any); !ok || len(ents) != 0 {
		t.Errorf("detect-pii-entities of clean text = %v, want an empty Entities list", clean)
	}
}

// TestComprehendCLIContainsPii: contains-pii-entities names each type once.
func TestComprehendCLIContainsPii(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	out := s.awsJSON(t, "comprehend", "contains-pii-entities", "--language-code", "en",
		"--text", "Mail a@example.com and b@example.com from 203.0.113.9")
	var names []string
	for _, l := range asList(out["Labels"]) {
		names = append(names, str(l, "Name"))
		if sc, _ := l["Score"].(float64); sc <= 0.5 || sc > 1 {
			t.Errorf("label score %v", l)
		}
	}
	if got := strings.Join(names, ","); got != "EMAIL,IP_ADDRESS" {
		t.Errorf("contains-pii-entities labels = %s, want EMAIL,IP_ADDRESS", got)
	}
}

// TestComprehendCLIBadInput: AWS's error codes and messages.
func TestComprehendCLIBadInput(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	// The CLI takes a file:// text, so the 100 KB limit can be crossed.
	long := writeFile(t, t.TempDir()+"/long.txt", []byte(strings.Repeat("x", 100001)))
	for _, op := range []string{"detect-pii-entities", "contains-pii-entities"} {
		stderr := s.awsFail(t, "TextSizeLimitExceededException", "comprehend", op, "--language-code", "en", "--text", "file://"+long)
		if !strings.Contains(stderr, "Max length of request text allowed is 100000 bytes while in this request the text size is 100001 bytes") {
			t.Errorf("%s over 100 KB: %s", op, truncate(stderr, 500))
		}
		stderr = s.awsFail(t, "ValidationException", "comprehend", op, "--language-code", "fr", "--text", "Bonjour")
		if !strings.Contains(stderr, "Value 'fr' at 'languageCode' failed to satisfy constraint: Member must satisfy enum value set: [en, es, ko]") {
			t.Errorf("%s --language-code fr: %s", op, truncate(stderr, 500))
		}
	}
	s.awsFail(t, "UnknownOperationException", "comprehend", "detect-entities", "--language-code", "en", "--text", "hello")
}
