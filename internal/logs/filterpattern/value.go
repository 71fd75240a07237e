package filterpattern

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// cmpOp is a comparison operator of a JSON or space-delimited condition.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

func (o cmpOp) String() string {
	return [...]string{"=", "!=", "<", "<=", ">", ">="}[o]
}

func (o cmpOp) relational() bool { return o >= opLt }

// valueKind says how the right-hand side of a condition compares.
type valueKind uint8

const (
	valString   valueKind = iota // exact text
	valWildcard                  // text with a leading and/or trailing *
	valNumber                    // unquoted numeric literal
	valRegex                     // %regex%
)

// wildcard shapes of valWildcard.
const (
	wildAny      = iota // "*": any value
	wildPrefix          // "abc*"
	wildSuffix          // "*abc"
	wildContains        // "*abc*"
)

// value is a compiled right-hand side of a comparison.
type value struct {
	kind  valueKind
	text  string  // valString: the text; valWildcard: the text without the outer stars; valNumber: the literal as written
	wild  int     // valWildcard shape
	num   float64 // valNumber
	regex *regexValue
}

// compileValue turns a value token into a value. Quoted strings never become
// numbers (so "400" compares as text) but do take * wildcards, as AWS's
// `{ $.eventType = "*" }` shows.
func compileValue(t token) (value, error) {
	switch t.kind {
	case tokRegex:
		re, err := compileRegexBody(t.text, t.pos)
		if err != nil {
			return value{}, err
		}
		return value{kind: valRegex, regex: re}, nil
	case tokWord:
		if isNumberLiteral(t.text) {
			f, err := strconv.ParseFloat(t.text, 64)
			if err != nil && !isRangeErr(err) {
				return value{}, errAt(t.pos, "Invalid number '%s'", t.text)
			}
			return value{kind: valNumber, text: t.text, num: f}, nil
		}
		return textValue(t.text), nil
	case tokString:
		return textValue(t.text), nil
	}
	return value{}, errAt(t.pos, "Expected a value, found %s", describe(t))
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// textValue classifies text by its * wildcards: only a leading or trailing *
// is a wildcard; one in the middle ("Ev*ent") is a literal character.
func textValue(s string) value {
	core := strings.TrimLeft(s, "*")
	lead := len(core) < len(s)
	trimmed := strings.TrimRight(core, "*")
	trail := len(trimmed) < len(core)
	switch {
	case s == "":
		return value{kind: valString}
	case trimmed == "":
		return value{kind: valWildcard, wild: wildAny}
	case lead && trail:
		return value{kind: valWildcard, wild: wildContains, text: trimmed}
	case lead:
		return value{kind: valWildcard, wild: wildSuffix, text: trimmed}
	case trail:
		return value{kind: valWildcard, wild: wildPrefix, text: trimmed}
	}
	return value{kind: valString, text: s}
}

// checkOp rejects operators a value cannot take: <, <=, >, >= need a number.
func checkOp(op cmpOp, v value, pos int, raw string) error {
	if op.relational() && v.kind != valNumber {
		return errAt(pos, "Operator '%s' requires a numeric value, got '%s'", op, raw)
	}
	return nil
}

// compare applies "subject op v". subject is the text of a scalar (a
// space-delimited field, or a JSON string, number or boolean); numeric says
// whether subject is a number (a JSON number, or a field that parses as one).
// Relational operators never match a non-numeric subject; = and != with a
// number compare numerically when the subject is numeric and as text otherwise.
func compare(op cmpOp, v *value, subject string, numeric bool) bool {
	switch v.kind {
	case valNumber:
		if numeric {
			f, err := strconv.ParseFloat(subject, 64)
			if err != nil && !isRangeErr(err) {
				return false
			}
			switch op {
			case opEq:
				return f == v.num
			case opNe:
				return f != v.num
			case opLt:
				return f < v.num
			case opLe:
				return f <= v.num
			case opGt:
				return f > v.num
			case opGe:
				return f >= v.num
			}
		}
		if op.relational() {
			return false
		}
		return (subject == v.text) == (op == opEq)
	case valString:
		return (subject == v.text) == (op == opEq)
	case valWildcard:
		return v.wildMatch(subject) == (op == opEq)
	case valRegex:
		return v.regex.match(subject) == (op == opEq)
	}
	return false
}

func (v *value) wildMatch(s string) bool {
	switch v.wild {
	case wildPrefix:
		return strings.HasPrefix(s, v.text)
	case wildSuffix:
		return strings.HasSuffix(s, v.text)
	case wildContains:
		return strings.Contains(s, v.text)
	}
	return true
}

// isNumberLiteral reports whether s is a number as filter patterns write them:
// an optional sign, digits with an optional fraction (or a fraction alone),
// and an optional exponent. strconv.ParseFloat alone would also take "Inf",
// "NaN", hex and underscores.
func isNumberLiteral(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && isDigit(s[i]) {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// regexValue is a compiled %regex% term.
type regexValue struct {
	source   string // between the % signs
	re       *regexp.Regexp
	literals []string // when the regex is only literals joined by |: substring searches instead
}

func (r *regexValue) match(s string) bool {
	if r.literals == nil {
		return r.re.MatchString(s)
	}
	for _, l := range r.literals {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// literalAlternatives returns the alternatives of a regex that is a literal
// or an alternation of literals (%REJECT|NODATA%), which Go's regexp
// searches an order of magnitude slower than strings.Contains does.
func literalAlternatives(re *syntax.Regexp) []string {
	literal := func(r *syntax.Regexp) bool { return r.Op == syntax.OpLiteral && r.Flags&syntax.FoldCase == 0 }
	switch {
	case literal(re):
		return []string{string(re.Rune)}
	case re.Op == syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			if !literal(sub) {
				return nil
			}
			out = append(out, string(sub.Rune))
		}
		return out
	}
	return nil
}

// compileRegex compiles a standalone %regex% pattern spanning pattern[start:end].
func compileRegex(pattern string, start, end int) (*regexValue, error) {
	return compileRegexBody(pattern[start+1:end-1], start+1)
}

// compileRegexBody checks AWS's restrictions on a regex (pos is where body
// starts in the pattern) and compiles it. AWS allows letters, digits, the
// symbols : _ # = @ / ; , - and space, and the operators ^ $ ? [ ] { } | \ *
// + . — no parentheses and no multi-byte characters. Go's RE2 syntax agrees
// with AWS's on that subset (\d \s \w \xhh, classes, counted repetition).
func compileRegexBody(body string, pos int) (*regexValue, error) {
	if body == "" {
		return nil, errAt(pos-1, "Invalid regular expression '%%%%': it is empty")
	}
	for i := 0; i < len(body); i++ {
		if !isRegexChar(body[i]) {
			return nil, errAt(pos+i, "Invalid character(s) in term '%%%s%%'", body)
		}
	}
	re, err := regexp.Compile(body)
	if err != nil {
		return nil, errAt(pos, "Invalid regular expression '%%%s%%'", body)
	}
	parsed, err := syntax.Parse(body, syntax.Perl)
	if err != nil {
		return nil, errAt(pos, "Invalid regular expression '%%%s%%'", body)
	}
	return &regexValue{source: body, re: re, literals: literalAlternatives(parsed.Simplify())}, nil
}

func isRegexChar(c byte) bool {
	if isLetter(c) || isDigit(c) {
		return true
	}
	return strings.IndexByte(":_#=@/;,- ^$?[]{}|\\*+.", c) >= 0
}
