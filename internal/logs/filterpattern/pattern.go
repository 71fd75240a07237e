package filterpattern

import (
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// MaxLength is the longest filter pattern AWS accepts, in characters. The
// services check it first (it is a ValidationException of the request
// member there); Compile refuses longer patterns too so that no caller can
// skip the limit.
const MaxLength = 1024

// Quotas of the JSON and space-delimited forms (CWL-UG regex and JSON pages).
const (
	maxRegexes           = 2 // regular expressions in one JSON or space-delimited pattern
	maxWildcardSelectors = 3 // selectors with a [*] or .* step in one JSON pattern
)

// Kind is the form of a compiled pattern, decided by its first non-blank
// character.
type Kind int

const (
	// MatchAll is the empty pattern (or one of blank quoted phrases only).
	MatchAll Kind = iota
	// Terms is an unstructured pattern: words and quoted phrases, ?OR and -NOT.
	Terms
	// JSON is a { ... } pattern over JSON log events.
	JSON
	// SpaceDelimited is a [ ... ] pattern over space-delimited log events.
	SpaceDelimited
	// Regex is a standalone %regex% pattern.
	Regex
)

func (k Kind) String() string {
	switch k {
	case MatchAll:
		return "MatchAll"
	case Terms:
		return "Terms"
	case JSON:
		return "JSON"
	case SpaceDelimited:
		return "SpaceDelimited"
	case Regex:
		return "Regex"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// SyntaxError reports a pattern Compile refuses. Msg is the detail AWS gives
// (for example "Invalid character(s) in term '@'"); the service renders it as
// an InvalidParameterException in its operation's wording ("Invalid filter
// pattern: ..." and similar).
type SyntaxError struct {
	Pos int    // byte offset in the pattern where the problem was found
	Msg string // AWS-style message, no trailing period
}

func (e *SyntaxError) Error() string { return e.Msg }

func errAt(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Pattern is a compiled filter pattern. It is immutable and safe for
// concurrent use; compile it once and match many events.
type Pattern struct {
	source string
	kind   Kind
	terms  *termsMatcher
	regex  *regexValue
	json   *jsonMatcher
	delim  *delimMatcher
}

// Compile parses a CloudWatch Logs filter pattern. Errors are *SyntaxError.
func Compile(pattern string) (*Pattern, error) {
	if n := utf8.RuneCountInString(pattern); n > MaxLength {
		return nil, errAt(0, "Filter pattern must be at most %d characters, got %d", MaxLength, n)
	}
	p := &Pattern{source: pattern}
	start := len(pattern) - len(strings.TrimLeft(pattern, blanks))
	end := len(strings.TrimRight(pattern, blanks))
	if start >= end {
		p.kind = MatchAll
		return p, nil
	}
	var err error
	switch body := pattern[start:end]; {
	case body[0] == '{':
		p.kind = JSON
		p.json, err = compileJSON(pattern, start, end)
	case body[0] == '[':
		p.kind = SpaceDelimited
		p.delim, err = compileDelimited(pattern, start, end)
	case isStandaloneRegex(body):
		p.kind = Regex
		p.regex, err = compileRegex(pattern, start, end)
	default:
		p.terms, err = compileTerms(pattern, start, end)
		if err == nil {
			p.kind = Terms
			if p.terms.matchesAll() {
				p.kind, p.terms = MatchAll, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// MustCompile is Compile for patterns known to be valid (tests, constants).
func MustCompile(pattern string) *Pattern {
	p, err := Compile(pattern)
	if err != nil {
		panic("filterpattern: " + pattern + ": " + err.Error())
	}
	return p
}

// Kind reports the form of the pattern.
func (p *Pattern) Kind() Kind { return p.kind }

// UsesRegex reports whether the pattern is, or contains, a %regex%: AWS
// allows at most five such filters (metric and subscription) per log group.
func (p *Pattern) UsesRegex() bool {
	switch {
	case p.kind == Regex:
		return true
	case p.json != nil:
		return p.json.regexes > 0
	case p.delim != nil:
		return p.delim.regexes > 0
	}
	return false
}

// String returns the pattern as it was given to Compile.
func (p *Pattern) String() string { return p.source }

// Match reports whether the log event message matches the pattern.
func (p *Pattern) Match(message string) bool {
	switch p.kind {
	case Terms:
		return p.terms.match(message)
	case JSON:
		return p.json.match(message)
	case SpaceDelimited:
		return p.delim.match(message)
	case Regex:
		return p.regex.match(message)
	}
	return true
}

// MatchBytes is Match for an event held in a byte slice (a record read from
// storage), without copying it: nothing derived from b outlives the call, so
// b may be reused as soon as MatchBytes returns.
func (p *Pattern) MatchBytes(b []byte) bool {
	return p.Match(unsafe.String(unsafe.SliceData(b), len(b)))
}

// MatchExtract is Match plus the values TestMetricFilter reports as
// extractedValues: for a space-delimited pattern "$name" for each named field
// and "$N" (1-based position) for fields matched by "..." or left unnamed;
// for every other kind an empty map, as AWS documents. extracted is nil when
// the event does not match.
func (p *Pattern) MatchExtract(message string) (ok bool, extracted map[string]string) {
	if p.kind == SpaceDelimited {
		return p.delim.matchExtract(message)
	}
	if !p.Match(message) {
		return false, nil
	}
	return true, map[string]string{}
}

// blanks are the characters Compile trims around a pattern.
const blanks = " \t\r\n"

// isStandaloneRegex reports whether a trimmed pattern is one %regex% term:
// it starts and ends with % and has no % in between. Anything else starting
// with % is an unstructured term and fails there.
func isStandaloneRegex(body string) bool {
	return len(body) >= 2 && body[0] == '%' && body[len(body)-1] == '%' &&
		!strings.Contains(body[1:len(body)-1], "%")
}
