package filterpattern

import (
	"strconv"
	"strings"
)

// stepKind is one step of a JSON property selector.
type stepKind uint8

const (
	stepField    stepKind = iota // .name or ['name']
	stepIndex                    // [N]
	stepAnyField                 // .*
	stepAnyIndex                 // [*]
)

type step struct {
	kind  stepKind
	name  string
	index int
}

// path is a parsed selector.
type path struct {
	steps    []step
	wildcard bool // has a .* or [*] step (at most one)
}

// canonical renders the path in one spelling so equal selectors share a slot.
func (p path) canonical() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range p.steps {
		switch s.kind {
		case stepField:
			b.WriteString("['")
			b.WriteString(s.name)
			b.WriteString("']")
		case stepIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case stepAnyField:
			b.WriteString(".*")
		case stepAnyIndex:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

// parseSelector parses a property selector (pos is its offset in the
// pattern): $ then steps .name, .*, [N], [*] and ['key'] / .['key'] for keys
// with other characters. Names are letters, digits, - and _. An index must
// follow a property ($[0] is refused: the root is an object), and a selector
// holds at most one wildcard step.
func parseSelector(s string, pos int) (path, error) {
	bad := func(format string, args ...any) (path, error) {
		return path{}, errAt(pos, format, args...)
	}
	if len(s) < 2 || s[0] != '$' {
		return bad("Invalid selector '%s': selectors start with '$.'", s)
	}
	var p path
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			switch {
			case i < len(s) && s[i] == '*':
				p.steps = append(p.steps, step{kind: stepAnyField})
				i++
			case i < len(s) && s[i] == '[':
				key, next, ok := quotedKey(s, i)
				if !ok {
					return bad("Invalid selector '%s'", s)
				}
				p.steps = append(p.steps, step{kind: stepField, name: key})
				i = next
			default:
				j := i
				for j < len(s) && isSelectorNameChar(s[j]) {
					j++
				}
				if j == i {
					return bad("Invalid selector '%s': expected a property name after '.'", s)
				}
				p.steps = append(p.steps, step{kind: stepField, name: s[i:j]})
				i = j
			}
		case '[':
			if key, next, ok := quotedKey(s, i); ok {
				p.steps = append(p.steps, step{kind: stepField, name: key})
				i = next
				continue
			}
			if len(p.steps) == 0 {
				return bad("Invalid selector '%s': an array index must follow a property", s)
			}
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return bad("Invalid selector '%s'", s)
			}
			inner := s[i+1 : i+j]
			switch {
			case inner == "*":
				p.steps = append(p.steps, step{kind: stepAnyIndex})
			case inner != "" && len(inner) <= 9 && isDigits(inner):
				n, _ := strconv.Atoi(inner)
				p.steps = append(p.steps, step{kind: stepIndex, index: n})
			default:
				return bad("Invalid selector '%s': invalid array index '[%s]'", s, inner)
			}
			i += j + 1
		default:
			return bad("Invalid selector '%s'", s)
		}
	}
	if len(p.steps) == 0 {
		return bad("Invalid selector '%s': selectors start with '$.'", s)
	}
	for _, st := range p.steps {
		if st.kind == stepAnyField || st.kind == stepAnyIndex {
			if p.wildcard {
				return bad("Invalid selector '%s': a selector can have at most one wildcard", s)
			}
			p.wildcard = true
		}
	}
	return p, nil
}

// quotedKey reads ['key'] or ["key"] at s[i] == '['.
func quotedKey(s string, i int) (key string, next int, ok bool) {
	if i+1 >= len(s) || (s[i+1] != '\'' && s[i+1] != '"') {
		return "", 0, false
	}
	q := s[i+1]
	j := strings.IndexByte(s[i+2:], q)
	if j < 0 {
		return "", 0, false
	}
	end := i + 2 + j
	if end+1 >= len(s) || s[end+1] != ']' {
		return "", 0, false
	}
	return s[i+2 : end], end + 2, true
}

func isSelectorNameChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == '-'
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// Selector is a JSON property selector on its own, as metric filters use one
// for metricValue ("$.latency") and dimension values.
type Selector struct {
	source string
	scan   *jsonMatcher
}

// ParseSelector parses a selector such as "$.latency" or "$.objs[1].id".
// Errors are *SyntaxError.
func ParseSelector(s string) (*Selector, error) {
	p, err := parseSelector(s, 0)
	if err != nil {
		return nil, err
	}
	return &Selector{source: s, scan: newJSONMatcher([]path{p}, nil)}, nil
}

// String returns the selector as given.
func (s *Selector) String() string { return s.source }

// Lookup returns the scalar the selector lands on in a JSON object message:
// a string's decoded text, a number as written, or true/false. ok is false
// when the message is not a JSON object, the property is missing, or it is
// null, an object or an array. With a wildcard step the first match counts.
func (s *Selector) Lookup(message string) (v string, ok bool) {
	return s.scan.lookup(message)
}
