package pii

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

// Policy says which entity types a Redactor looks for and how it rewrites each. Build one with ParsePolicy
// (from a policy document) or DefaultPolicy; it is read-only once handed to NewRedactor.
//
// The policy document (JSON; unknown members are an error):
//
//	{
//	  "version": 1,                        // required, 1
//	  "minScore": 0.6,                     // optional, (0, 1]; default DefaultMinScore (0.5)
//	  "language": "en",                    // optional, "en" or "ko": breaks ties between national formats
//	  "default": {"mode": "type"},         // rule for every type not listed in "types"; default {"mode":"type"}
//	  "types": {                           // per-type rules; names as Types() lists them, or KR_RRN/KR_FRN/KR_BRN
//	    "CREDIT_DEBIT_NUMBER": {"mode": "mask", "keep": 4, "maskChar": "*"},
//	    "EMAIL":    {"mode": "pseudonym"},
//	    "PASSWORD": {"mode": "remove"},
//	    "URL":      {"mode": "none"},
//	    "NAME":     {"mode": "type", "minScore": 0.8}
//	  },
//	  "pseudonymKeyEnv": "TRIBUTARY_PII_KEY" // environment variable holding the pseudonym key (the default name)
//	}
//
// Modes: "type" replaces the value with [TYPE]; "mask" replaces letters and digits with maskChar (default
// "*") except the last keep (default 4; 0 masks all), keeping separators; "pseudonym" replaces it with
// TYPE_<16 hex digits of HMAC-SHA256 under the key> (the same value gives the same pseudonym, so data can still
// be joined and distinct values counted); "remove" deletes it (see RedactRemove); "none" neither reports nor
// redacts the type. A rule's minScore overrides the document's for its type.
//
// The key is never part of the document, so documents can be stored and logged; pseudonym mode with no key
// is an error.
type Policy struct {
	MinScore float64 // findings scoring below are ignored; 0 means DefaultMinScore
	Language string  // "en" (or empty) or "ko"
	Default  Rule    // for types absent from Types
	Types    map[string]Rule
	// PseudonymKey is the HMAC key of pseudonym mode. ParsePolicy reads it from the environment variable the
	// document names. Never log it.
	PseudonymKey []byte
}

// Rule is what a Policy does with one entity type.
type Rule struct {
	Mode     RedactMode
	Ignore   bool    // "none": the type is neither reported nor redacted
	Keep     int     // RedactMask: characters left visible at the end (0: none)
	Mask     rune    // RedactMask: the mask character ('*' when 0)
	MinScore float64 // 0: the policy's MinScore
}

// DefaultPseudonymKeyEnv is the environment variable ParsePolicy reads the pseudonym key from when the
// document does not name another.
const DefaultPseudonymKeyEnv = "TRIBUTARY_PII_KEY"

// defaultKeep: a card masked as ************1234, the way receipts print it.
const defaultKeep = 4

// DefaultPolicy reports every type and replaces each with its type name, above DefaultMinScore.
func DefaultPolicy() *Policy {
	return &Policy{MinScore: DefaultMinScore, Default: Rule{Mode: RedactWithType, Keep: defaultKeep}}
}

type policyDoc struct {
	Version         *int                `json:"version"`
	MinScore        *float64            `json:"minScore"`
	Language        string              `json:"language"`
	Default         *ruleDoc            `json:"default"`
	Types           map[string]*ruleDoc `json:"types"`
	PseudonymKeyEnv *string             `json:"pseudonymKeyEnv"`
}

type ruleDoc struct {
	Mode     string   `json:"mode"`
	Keep     *int     `json:"keep"`
	MaskChar *string  `json:"maskChar"`
	MinScore *float64 `json:"minScore"`
}

// ParsePolicy parses a policy document (see Policy) and reads the pseudonym key from the environment when a
// rule needs it. Errors name the member at fault.
func ParsePolicy(doc []byte) (*Policy, error) {
	return ParsePolicyEnv(doc, os.LookupEnv)
}

// ParsePolicyEnv is ParsePolicy with the environment passed in.
func ParsePolicyEnv(doc []byte, lookupEnv func(string) (string, bool)) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	var d policyDoc
	if err := dec.Decode(&d); err != nil {
		return nil, policyJSONError(doc, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("policy: trailing data after the document")
	}
	if d.Version == nil {
		return nil, errors.New(`policy: "version" is required (1)`)
	}
	if *d.Version != 1 {
		return nil, fmt.Errorf(`policy: unsupported "version" %d (want 1)`, *d.Version)
	}
	p := DefaultPolicy()
	if d.MinScore != nil {
		if err := checkScore("minScore", *d.MinScore); err != nil {
			return nil, err
		}
		p.MinScore = *d.MinScore
	}
	switch lang := strings.ToLower(d.Language); lang {
	case "", "en", "ko":
		p.Language = lang
	default:
		return nil, fmt.Errorf(`policy: "language" %q: want "en" or "ko"`, d.Language)
	}
	if d.Default != nil {
		r, err := d.Default.rule("default")
		if err != nil {
			return nil, err
		}
		p.Default = r
	}
	names := make([]string, 0, len(d.Types))
	for name := range d.Types {
		names = append(names, name)
	}
	slices.Sort(names) // the first error is the same every time
	for _, name := range names {
		canon, ok := CanonicalType(name)
		if !ok {
			return nil, fmt.Errorf("policy: types: unknown entity type %q (known: %s)", name, strings.Join(Types(), ", "))
		}
		if p.Types == nil {
			p.Types = map[string]Rule{}
		}
		if _, dup := p.Types[canon]; dup {
			return nil, fmt.Errorf("policy: types: %q given twice (aliases count)", canon)
		}
		rd := d.Types[name]
		if rd == nil {
			return nil, fmt.Errorf("policy: types.%s: want an object with a mode", name)
		}
		r, err := rd.rule("types." + name)
		if err != nil {
			return nil, err
		}
		p.Types[canon] = r
	}
	if p.needsKey() {
		env := DefaultPseudonymKeyEnv
		if d.PseudonymKeyEnv != nil {
			env = *d.PseudonymKeyEnv
		}
		if env == "" {
			return nil, errors.New(`policy: "pseudonymKeyEnv" is empty`)
		}
		key, _ := lookupEnv(env)
		if key == "" {
			return nil, fmt.Errorf("policy: pseudonym mode needs a key: set the environment variable %s", env)
		}
		p.PseudonymKey = []byte(key)
	}
	return p, nil
}

func policyJSONError(doc []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line := 1 + bytes.Count(doc[:min(int(syn.Offset), len(doc))], []byte("\n"))
		return fmt.Errorf("policy: invalid JSON on line %d: %v", line, err)
	case errors.As(err, &typ):
		return fmt.Errorf("policy: %s: want %s, got %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return errors.New("policy: empty document")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("policy: truncated JSON document")
	}
	return fmt.Errorf("policy: %v", err) // unknown field "x"
}

func checkScore(where string, f float64) error {
	if !(f > 0 && f <= 1) {
		return fmt.Errorf("policy: %s: %v is not in (0, 1]", where, f)
	}
	return nil
}

func (rd *ruleDoc) rule(where string) (Rule, error) {
	r := Rule{Keep: defaultKeep}
	switch strings.ToLower(rd.Mode) {
	case "type":
		r.Mode = RedactWithType
	case "mask":
		r.Mode = RedactMask
	case "pseudonym":
		r.Mode = RedactPseudonym
	case "remove":
		r.Mode = RedactRemove
	case "none":
		r.Ignore = true
	case "":
		return r, fmt.Errorf(`policy: %s: "mode" is required (type, mask, pseudonym, remove or none)`, where)
	default:
		return r, fmt.Errorf("policy: %s.mode: unknown mode %q (want type, mask, pseudonym, remove or none)", where, rd.Mode)
	}
	if rd.Keep != nil || rd.MaskChar != nil {
		if r.Mode != RedactMask {
			return r, fmt.Errorf(`policy: %s: "keep" and "maskChar" apply to mode "mask" only`, where)
		}
	}
	if rd.Keep != nil {
		if *rd.Keep < 0 || *rd.Keep > 64 {
			return r, fmt.Errorf("policy: %s.keep: %d is not in 0..64", where, *rd.Keep)
		}
		r.Keep = *rd.Keep
	}
	if rd.MaskChar != nil {
		c, size := utf8.DecodeRuneInString(*rd.MaskChar)
		if size == 0 || size != len(*rd.MaskChar) || c == utf8.RuneError || c < 0x20 || c == '"' || c == '\\' {
			return r, fmt.Errorf("policy: %s.maskChar: want one printable character other than '\"' and '\\\\', got %q",
				where, *rd.MaskChar)
		}
		r.Mask = c
	}
	if rd.MinScore != nil {
		if err := checkScore(where+".minScore", *rd.MinScore); err != nil {
			return r, err
		}
		r.MinScore = *rd.MinScore
	}
	return r, nil
}

// rule returns the rule for a canonical type.
func (p *Policy) rule(typ string) Rule {
	if r, ok := p.Types[typ]; ok {
		return r
	}
	return p.Default
}

func (p *Policy) needsKey() bool {
	if !p.Default.Ignore && p.Default.Mode == RedactPseudonym {
		return true
	}
	for _, r := range p.Types {
		if !r.Ignore && r.Mode == RedactPseudonym {
			return true
		}
	}
	return false
}
