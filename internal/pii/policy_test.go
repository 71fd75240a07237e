package pii

import (
	"strings"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	env := map[string]string{"TRIBUTARY_PII_KEY": "k1", "OTHER_KEY": "k2"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	good := `{"version":1,"minScore":0.6,"language":"ko","default":{"mode":"type"},
		"types":{"CREDIT_DEBIT_NUMBER":{"mode":"mask","keep":4,"maskChar":"#"},"email":{"mode":"pseudonym"},
		"PASSWORD":{"mode":"remove"},"URL":{"mode":"none"},"KR_RRN":{"mode":"mask","keep":0},"NAME":{"mode":"type","minScore":0.8}}}`
	p, err := ParsePolicyEnv([]byte(good), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if p.MinScore != 0.6 || p.Language != "ko" || string(p.PseudonymKey) != "k1" {
		t.Errorf("policy %+v", p)
	}
	want := map[string]Rule{
		TypeCreditDebitNumber: {Mode: RedactMask, Keep: 4, Mask: '#'},
		TypeEmail:             {Mode: RedactPseudonym, Keep: 4},
		TypePassword:          {Mode: RedactRemove, Keep: 4},
		TypeURL:               {Ignore: true, Keep: 4},
		TypeKRResidentNumber:  {Mode: RedactMask},
		TypeName:              {Mode: RedactWithType, Keep: 4, MinScore: 0.8},
	}
	for typ, r := range want {
		if got := p.rule(typ); got != r {
			t.Errorf("%s: got %+v want %+v", typ, got, r)
		}
	}
	if p.rule(TypePhone) != (Rule{Mode: RedactWithType, Keep: 4}) {
		t.Errorf("default rule %+v", p.rule(TypePhone))
	}
	p, err = ParsePolicyEnv([]byte(`{"version":1,"default":{"mode":"pseudonym"},"pseudonymKeyEnv":"OTHER_KEY"}`), lookup)
	if err != nil || string(p.PseudonymKey) != "k2" {
		t.Errorf("key env: %v %v", p, err)
	}

	bad := []struct{ doc, want string }{
		{``, "empty document"},
		{`{"version":1`, "truncated"},
		{`{"version":1,}`, "invalid JSON on line 1"},
		{"{\n\"version\":1,\n\"types\":{\"EMAIL\":{\"mode\":\"type\"}}\n,}", "line 4"},
		{`{}`, `"version" is required`},
		{`{"version":2}`, `unsupported "version" 2`},
		{`{"version":1,"minScore":0}`, "minScore: 0 is not in (0, 1]"},
		{`{"version":1,"minScore":1.5}`, "not in (0, 1]"},
		{`{"version":1,"minScore":"high"}`, "minScore: want float64, got string"},
		{`{"version":1,"language":"fr"}`, `"language" "fr"`},
		{`{"version":1,"extra":true}`, `unknown field "extra"`},
		{`{"version":1,"types":{"EMAILS":{"mode":"type"}}}`, `unknown entity type "EMAILS"`},
		{`{"version":1,"types":{"KR_RRN":{"mode":"type"},"KR_RESIDENT_REGISTRATION_NUMBER":{"mode":"mask"}}}`, "given twice"},
		{`{"version":1,"types":{"EMAIL":{}}}`, `types.EMAIL: "mode" is required`},
		{`{"version":1,"types":{"EMAIL":null}}`, "want an object"},
		{`{"version":1,"types":{"EMAIL":{"mode":"hash"}}}`, `types.EMAIL.mode: unknown mode "hash"`},
		{`{"version":1,"types":{"EMAIL":{"mode":"type","keep":2}}}`, `"keep" and "maskChar" apply to mode "mask" only`},
		{`{"version":1,"types":{"EMAIL":{"mode":"mask","keep":-1}}}`, "keep: -1 is not in 0..64"},
		{`{"version":1,"types":{"EMAIL":{"mode":"mask","maskChar":"ab"}}}`, "maskChar: want one printable character"},
		{`{"version":1,"default":{"mode":"type","minScore":-1}}`, "default.minScore"},
		{`{"version":1,"types":{"EMAIL":{"mode":"pseudonym"}},"pseudonymKeyEnv":"NO_SUCH"}`, "set the environment variable NO_SUCH"},
		{`{"version":1} {}`, "trailing data"},
	}
	for _, tc := range bad {
		_, err := ParsePolicyEnv([]byte(tc.doc), lookup)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.doc, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "k1") {
			t.Errorf("error leaks the key: %v", err)
		}
	}
}

func TestNewRedactorNeedsKey(t *testing.T) {
	p := DefaultPolicy()
	p.Default.Mode = RedactPseudonym
	if _, err := NewRedactor(p); err != ErrNoPseudonymKey {
		t.Errorf("got %v", err)
	}
}
