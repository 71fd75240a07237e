package filterpattern

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting as encoding/json does, so a hostile event
// cannot exhaust the stack; deeper events are not valid JSON here.
const maxJSONDepth = 10000

type jsonKind uint8

const (
	kindString jsonKind = iota
	kindNumber
	kindTrue
	kindFalse
	kindNull
	kindObject
	kindArray
)

// capture is a value a selector landed on, as a span of the event.
type capture struct {
	slot       uint16
	kind       jsonKind
	escaped    bool  // a string with backslash escapes (decode before comparing)
	start, end int32 // the raw text; a string's without its quotes
}

// jsonScan is the per-match state of a jsonMatcher: a single pass over the
// event that validates it as JSON and records what the selectors land on.
// Subtrees no selector reaches are only validated, never decoded, and
// nothing is allocated once the buffers have grown.
type jsonScan struct {
	paths []path
	s     string
	alive []uint16 // selector indexes still matching, one segment per nesting level
	caps  []capture
	last  []int32 // per selector: index in caps of its last capture, or -1
}

// scan reports whether s is one JSON object (with optional surrounding
// whitespace), recording captures as it goes.
func (sc *jsonScan) scan(s string) bool {
	sc.s = s
	sc.caps = sc.caps[:0]
	for i := range sc.last {
		sc.last[i] = -1
	}
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	sc.alive = sc.alive[:0]
	for k := range sc.paths {
		sc.alive = append(sc.alive, uint16(k))
	}
	i = sc.object(i+1, 0, 0, len(sc.alive))
	return i >= 0 && skipWS(s, i) == len(s)
}

// value scans the value at s[i]. The selectors alive[a:b] have matched the
// depth steps leading to it; those with no further step land on it.
func (sc *jsonScan) value(i, depth, a, b int) int {
	s := sc.s
	if i >= len(s) {
		return -1
	}
	var kind jsonKind
	start, next, escaped := i, -1, false
	switch s[i] {
	case '{':
		if depth >= maxJSONDepth {
			return -1
		}
		kind, next = kindObject, sc.object(i+1, depth, a, b)
	case '[':
		if depth >= maxJSONDepth {
			return -1
		}
		kind, next = kindArray, sc.array(i+1, depth, a, b)
	case '"':
		var end int
		end, escaped = scanString(s, i+1)
		if end < 0 {
			return -1
		}
		sc.capture(depth, a, b, capture{kind: kindString, escaped: escaped, start: int32(i + 1), end: int32(end)})
		return end + 1
	case 't':
		kind, next = kindTrue, literal(s, i, "true")
	case 'f':
		kind, next = kindFalse, literal(s, i, "false")
	case 'n':
		kind, next = kindNull, literal(s, i, "null")
	default:
		kind, next = kindNumber, scanNumber(s, i)
	}
	if next < 0 {
		return -1
	}
	sc.capture(depth, a, b, capture{kind: kind, start: int32(start), end: int32(next)})
	return next
}

func (sc *jsonScan) capture(depth, a, b int, c capture) {
	for _, k := range sc.alive[a:b] {
		if len(sc.paths[k].steps) == depth {
			c.slot = k
			sc.last[k] = int32(len(sc.caps))
			sc.caps = append(sc.caps, c)
		}
	}
}

// object scans the members of an object after its '{'.
func (sc *jsonScan) object(i, depth, a, b int) int {
	s := sc.s
	i = skipWS(s, i)
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return -1
		}
		keyEnd, escaped := scanString(s, i+1)
		if keyEnd < 0 {
			return -1
		}
		key := s[i+1 : keyEnd]
		i = skipWS(s, keyEnd+1)
		if i >= len(s) || s[i] != ':' {
			return -1
		}
		i = skipWS(s, i+1)
		ca := len(sc.alive)
		for _, k := range sc.alive[a:b] {
			if st := sc.paths[k].steps; len(st) > depth && keyMatches(st[depth], key, escaped) {
				sc.alive = append(sc.alive, k)
			}
		}
		if cb := len(sc.alive); cb > ca {
			i = sc.value(i, depth+1, ca, cb)
		} else {
			i = skipValue(s, i, depth+1)
		}
		sc.alive = sc.alive[:ca]
		if i < 0 {
			return -1
		}
		if i = skipWS(s, i); i >= len(s) {
			return -1
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}

// array scans the elements of an array after its '['.
func (sc *jsonScan) array(i, depth, a, b int) int {
	s := sc.s
	i = skipWS(s, i)
	if i < len(s) && s[i] == ']' {
		return i + 1
	}
	for n := 0; ; n++ {
		ca := len(sc.alive)
		for _, k := range sc.alive[a:b] {
			st := sc.paths[k].steps
			if len(st) > depth && (st[depth].kind == stepAnyIndex || st[depth].kind == stepIndex && st[depth].index == n) {
				sc.alive = append(sc.alive, k)
			}
		}
		if cb := len(sc.alive); cb > ca {
			i = sc.value(i, depth+1, ca, cb)
		} else {
			i = skipValue(s, i, depth+1)
		}
		sc.alive = sc.alive[:ca]
		if i < 0 {
			return -1
		}
		if i = skipWS(s, i); i >= len(s) {
			return -1
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case ']':
			return i + 1
		default:
			return -1
		}
	}
}

func keyMatches(st step, key string, escaped bool) bool {
	switch st.kind {
	case stepAnyField:
		return true
	case stepField:
		if escaped {
			return decodeJSONString(key) == st.name
		}
		return key == st.name
	}
	return false
}

// scalar returns the text of a captured scalar and whether it is a number;
// ok is false for null, objects and arrays.
func (sc *jsonScan) scalar(c *capture) (text string, numeric, ok bool) {
	switch c.kind {
	case kindString:
		raw := sc.s[c.start:c.end]
		if c.escaped {
			raw = decodeJSONString(raw)
		}
		return raw, false, true
	case kindNumber:
		return sc.s[c.start:c.end], true, true
	case kindTrue:
		return "true", false, true
	case kindFalse:
		return "false", false, true
	}
	return "", false, false
}

// skipValue validates the value at s[i] and returns the index after it, or -1.
func skipValue(s string, i, depth int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '{':
		if depth >= maxJSONDepth {
			return -1
		}
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == '}' {
			return i + 1
		}
		for {
			if i >= len(s) || s[i] != '"' {
				return -1
			}
			end, _ := scanString(s, i+1)
			if end < 0 {
				return -1
			}
			i = skipWS(s, end+1)
			if i >= len(s) || s[i] != ':' {
				return -1
			}
			if i = skipValue(s, skipWS(s, i+1), depth+1); i < 0 {
				return -1
			}
			if i = skipWS(s, i); i >= len(s) {
				return -1
			}
			switch s[i] {
			case ',':
				i = skipWS(s, i+1)
			case '}':
				return i + 1
			default:
				return -1
			}
		}
	case '[':
		if depth >= maxJSONDepth {
			return -1
		}
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == ']' {
			return i + 1
		}
		for {
			if i = skipValue(s, i, depth+1); i < 0 {
				return -1
			}
			if i = skipWS(s, i); i >= len(s) {
				return -1
			}
			switch s[i] {
			case ',':
				i = skipWS(s, i+1)
			case ']':
				return i + 1
			default:
				return -1
			}
		}
	case '"':
		end, _ := scanString(s, i+1)
		if end < 0 {
			return -1
		}
		return end + 1
	case 't':
		return literal(s, i, "true")
	case 'f':
		return literal(s, i, "false")
	case 'n':
		return literal(s, i, "null")
	}
	return scanNumber(s, i)
}

func skipWS(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func literal(s string, i int, lit string) int {
	if strings.HasPrefix(s[i:], lit) {
		return i + len(lit)
	}
	return -1
}

// scanString returns the index of the closing quote of the string whose
// content starts at s[i], and whether it has escapes; -1 if it is invalid
// (unterminated, a bad escape, or a raw control character).
func scanString(s string, i int) (end int, escaped bool) {
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			return i, escaped
		case c == '\\':
			escaped = true
			if i+1 >= len(s) {
				return -1, false
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					return -1, false
				}
				i += 6
			default:
				return -1, false
			}
		case c < 0x20:
			return -1, false
		default:
			i++
		}
	}
	return -1, false
}

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		c := s[i]
		if !isDigit(c) && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// scanNumber returns the index after the JSON number at s[i], or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(s string, i int) int {
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return -1
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return -1
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i
}

// decodeJSONString decodes the escapes of a validated JSON string body.
// Unpaired surrogates become U+FFFD, as encoding/json decodes them.
func decodeJSONString(raw string) string {
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(raw[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if pair := utf16.DecodeRune(r, hex4(raw[i+2:i+6])); pair != utf8.RuneError {
						b = utf8.AppendRune(b, pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default: // " \ /
			b = append(b, raw[i+1])
		}
		i += 2
	}
	return string(b)
}

func hex4(s string) rune {
	n, _ := strconv.ParseUint(s, 16, 32)
	return rune(n)
}
