package filterpattern

import "strings"

// termsMatcher is an unstructured pattern. Every term is a case-sensitive
// substring test (ERROR matches ERRORCODE; Exception matches
// IllegalArgumentException).
type termsMatcher struct {
	include  []string // all must occur
	exclude  []string // none may occur (-term)
	optional []string // ?term: at least one must occur, but only when the pattern has no other terms
}

// compileTerms parses pattern[start:end]: blank-separated words and quoted
// phrases, each optionally prefixed by ? (OR) or - (NOT).
func compileTerms(pattern string, start, end int) (*termsMatcher, error) {
	m := &termsMatcher{}
	i := start
	for {
		for i < end && isBlank(pattern[i]) {
			i++
		}
		if i >= end {
			break
		}
		tokStart := i
		prefix := byte(0)
		if c := pattern[i]; c == '?' || c == '-' {
			prefix = c
			i++
		}
		var text string
		if i < end && pattern[i] == '"' {
			t, next, err := lexQuoted(pattern, i, end)
			if err != nil {
				return nil, err
			}
			if next < end && !isBlank(pattern[next]) {
				return nil, errAt(next, "Invalid character(s) in term '%s'", pattern[tokStart:wordEnd(pattern, next, end)])
			}
			if t == "" {
				// AWS refuses an empty phrase: "Invalid character(s) in term '\"\"'".
				return nil, errAt(tokStart, "Invalid character(s) in term '%s'", pattern[tokStart:next])
			}
			i = next
			if strings.TrimLeft(t, blanks) == "" {
				// A blank phrase (" ") is AWS's documented match-everything pattern.
				continue
			}
			text = t
		} else {
			j := wordEnd(pattern, i, end)
			word := pattern[i:j]
			if !isTermWord(word) {
				return nil, errAt(tokStart, "Invalid character(s) in term '%s'", pattern[tokStart:j])
			}
			i, text = j, word
		}
		switch prefix {
		case '?':
			m.optional = append(m.optional, text)
		case '-':
			m.exclude = append(m.exclude, text)
		default:
			m.include = append(m.include, text)
		}
	}
	if len(m.include) > 0 || len(m.exclude) > 0 {
		// AWS: combined with other terms, ?terms are ignored.
		m.optional = nil
	}
	return m, nil
}

func wordEnd(p string, i, end int) int {
	for i < end && !isBlank(p[i]) {
		i++
	}
	return i
}

// isTermWord is the alphabet of unquoted unstructured terms: AWS documents
// letters, digits and underscore (anything else must be quoted); . and -
// inside a word are taken too, as in its JSON values.
func isTermWord(w string) bool {
	if w == "" || w[0] == '-' {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !isLetter(c) && !isDigit(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

func (m *termsMatcher) matchesAll() bool {
	return len(m.include) == 0 && len(m.exclude) == 0 && len(m.optional) == 0
}

func (m *termsMatcher) match(s string) bool {
	for _, t := range m.include {
		if !strings.Contains(s, t) {
			return false
		}
	}
	for _, t := range m.exclude {
		if strings.Contains(s, t) {
			return false
		}
	}
	if len(m.optional) == 0 {
		return true
	}
	for _, t := range m.optional {
		if strings.Contains(s, t) {
			return true
		}
	}
	return false
}
