package pii

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON and NDJSON are tokenised as a stream (never parsed whole), so one document larger than memory is fine:
// memory holds the unflushed batch (about batchTarget bytes), the current token (at most MaxToken) and the
// open containers (at most maxDepth).
//
// Output rules: bytes outside redacted values are copied unchanged (whitespace, key order, number spelling,
// escapes), so the output has the same structure and keys. A redacted string is re-encoded (only '"', '\\' and
// control characters escaped); a redacted number becomes a string ("4111111111111111" → "[CREDIT_DEBIT_NUMBER]").
// Member names are never redacted. In "remove" mode a member whose whole value is the entity is removed with
// its comma (an array element likewise); an entity inside a longer string is cut out of it.
//
// Invalid input: JSON redacts from the last complete value on as text (Report.Fallback); NDJSON does so
// only to the end of the bad line and parses the next line afresh. A line break inside an NDJSON value, a
// token over MaxToken, nesting over maxDepth and a document cut off by EOF count as invalid.

// JSON parser states of a container frame.
const (
	stObjKeyOrEnd uint8 = iota // after '{'
	stObjKey                   // after ','
	stObjColon                 // after a key
	stObjValue                 // after ':'
	stObjCommaOrEnd
	stArrValueOrEnd // after '['
	stArrValue      // after ','
	stArrCommaOrEnd
)

type jframe struct {
	id      uint64
	array   bool
	state   uint8
	index   int
	key     []byte // current member key, at most maxKeyLen*4 bytes
	name    []byte // the key naming this container (arrays inherit it)
	parent  []byte // the key naming the enclosing object
	pathLen int
	// member bookkeeping for remove mode: the current member's start and the comma before it (-1: none).
	mstart, comma int64
}

// mevent is a member of a container, for remove mode.
type mevent struct {
	container    uint64
	start, comma int64
	end          int64
	leaf         int // index into the batch's leaves, -1: not scanned (always kept)
	close        bool
}

type cstate struct{ anyKept, drop bool }

type jsonRun struct {
	rn       *run
	nd       bool
	stack    []jframe
	nextID   uint64
	path     []byte
	lastSafe int64 // output can be flushed up to here: after a complete value or a bracket
	track    bool  // remove mode: keep member events
	events   []mevent
	cstates  map[uint64]*cstate
}

// json redacts JSON (nd false) or NDJSON.
func (rn *run) json(nd bool) error {
	j := &jsonRun{rn: rn, nd: nd, track: rn.r.anyRemove, nextID: 1}
	s := &rn.src
	pos := int64(0)
	if bytes.HasPrefix(s.buf[:s.n], utf8BOM) {
		pos = 3
	}
	j.lastSafe = pos
	for {
		if pos >= s.end() {
			if !s.more(rn.written) {
				if s.err != nil {
					return s.err
				}
				break
			}
			continue
		}
		c := s.at(pos)
		switch c {
		case ' ', '\t', '\r':
			b := s.slice(pos, s.end())
			i := 1
			for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') {
				i++
			}
			pos += int64(i)
			if len(j.stack) == 0 {
				j.lastSafe = pos
			}
			continue
		case '\n':
			if nd && len(j.stack) > 0 {
				if p, err := j.invalid(pos, "line ends inside a JSON value"); err != nil || p < 0 {
					return err
				} else {
					pos = p
				}
				continue
			}
			pos++
			if len(j.stack) == 0 {
				j.lastSafe = pos
			}
			continue
		}
		next, why, need := j.token(pos, c)
		if need {
			// Read until the buffered part of the token has doubled, so rescanning a long token stays linear.
			avail, grew := s.end()-pos, false
			for s.end()-pos < 2*avail+4096 && s.more(rn.written) {
				grew = true
			}
			if s.err != nil {
				return s.err
			}
			if grew {
				continue
			}
			why = "truncated JSON"
			if s.full {
				why = "JSON value longer than MaxToken"
			}
		}
		if why != "" {
			p, err := j.invalid(pos, why)
			if err != nil || p < 0 {
				return err
			}
			pos = p
			continue
		}
		pos = next
		if j.lastSafe-rn.written >= batchTarget {
			if err := j.flush(j.lastSafe); err != nil {
				return err
			}
		}
	}
	// EOF
	if len(j.stack) > 0 {
		_, err := j.invalid(s.end(), "truncated JSON")
		return err
	}
	return j.flush(s.end())
}

// invalid handles input that is not JSON at pos: flush what is complete, then redact as text (JSON: to EOF,
// returns -1; NDJSON: to the end of the line, returns where parsing resumes).
func (j *jsonRun) invalid(pos int64, why string) (int64, error) {
	rn := j.rn
	if err := j.flush(j.lastSafe); err != nil {
		return -1, err
	}
	rn.fallback(pos, why)
	stop := int64(-1)
	if j.nd {
		stop = pos
	}
	end, err := rn.text(j.lastSafe, stop)
	if err != nil || !j.nd {
		return -1, err
	}
	j.stack = j.stack[:0]
	j.path = j.path[:0]
	clear(j.cstates)
	j.lastSafe = end
	if end >= rn.src.end() && rn.src.eof {
		return -1, nil
	}
	return end, nil
}

// token handles the token starting with c at pos. It returns the position after it; a reason when the input
// is not JSON; need when the token may continue past the buffered input.
func (j *jsonRun) token(pos int64, c byte) (next int64, why string, need bool) {
	s := &j.rn.src
	var top *jframe
	if len(j.stack) > 0 {
		top = &j.stack[len(j.stack)-1]
	}
	switch c {
	case '{', '[':
		if !j.valueAllowed(top) {
			return 0, "unexpected " + quoteByte(c), false
		}
		if len(j.stack) >= maxDepth {
			return 0, "JSON nested too deep", false
		}
		j.beginMember(top, pos)
		if j.track {
			j.event(top, pos, pos, -1)
		}
		j.push(top, c == '[')
		j.lastSafe = pos + 1
		return pos + 1, "", false
	case '}', ']':
		if top == nil || top.array != (c == ']') {
			return 0, "unexpected " + quoteByte(c), false
		}
		if !top.array && top.state != stObjKeyOrEnd && top.state != stObjCommaOrEnd ||
			top.array && top.state != stArrValueOrEnd && top.state != stArrCommaOrEnd {
			return 0, "unexpected " + quoteByte(c), false
		}
		if j.track {
			j.events = append(j.events, mevent{container: top.id, close: true})
		}
		j.stack = j.stack[:len(j.stack)-1]
		if len(j.stack) > 0 {
			j.path = j.path[:j.stack[len(j.stack)-1].pathLen]
		} else {
			j.path = j.path[:0]
		}
		j.valueDone(pos + 1)
		return pos + 1, "", false
	case ':':
		if top == nil || top.array || top.state != stObjColon {
			return 0, "unexpected ':'", false
		}
		top.state = stObjValue
		return pos + 1, "", false
	case ',':
		switch {
		case top != nil && !top.array && top.state == stObjCommaOrEnd:
			top.state = stObjKey
		case top != nil && top.array && top.state == stArrCommaOrEnd:
			top.state = stArrValue
		default:
			return 0, "unexpected ','", false
		}
		top.comma = pos
		return pos + 1, "", false
	case '"':
		b := s.slice(pos, s.end())
		end, escaped, bad := scanJSONString(b)
		if bad != "" {
			return 0, bad, false
		}
		if end < 0 {
			return 0, "", true
		}
		raw := b[:end]
		if top != nil && !top.array && (top.state == stObjKeyOrEnd || top.state == stObjKey) {
			if top.state == stObjKeyOrEnd {
				top.comma = -1
			}
			top.mstart = pos
			top.key = top.key[:0]
			if escaped {
				top.key = jsonUnquote(top.key, raw)
			} else {
				top.key = append(top.key, raw[1:len(raw)-1]...)
			}
			if len(top.key) > 4*maxKeyLen {
				top.key = top.key[:4*maxKeyLen]
			}
			top.state = stObjColon
			return pos + int64(end), "", false
		}
		if !j.valueAllowed(top) {
			return 0, "unexpected string", false
		}
		j.beginMember(top, pos)
		flags := leafString
		if escaped {
			flags |= leafEscaped
		}
		leafIdx := -1
		if end > 2 {
			value := raw[1 : len(raw)-1]
			if escaped {
				j.rn.b.tmp = jsonUnquote(j.rn.b.tmp[:0], raw)
				value = j.rn.b.tmp
			}
			leafIdx = j.addLeaf(top, pos, pos+int64(end), flags, value)
		}
		if j.track {
			j.event(top, pos, pos+int64(end), leafIdx)
		}
		j.valueDone(pos + int64(end))
		return pos + int64(end), "", false
	case 't', 'f', 'n':
		lit := "null"
		if c == 't' {
			lit = "true"
		} else if c == 'f' {
			lit = "false"
		}
		if s.end()-pos < int64(len(lit)) && !s.eof {
			return 0, "", true
		}
		if !bytes.HasPrefix(s.slice(pos, s.end()), []byte(lit)) {
			return 0, "invalid literal", false
		}
		if !j.valueAllowed(top) {
			return 0, "unexpected " + lit, false
		}
		j.beginMember(top, pos)
		end := pos + int64(len(lit))
		if j.track {
			j.event(top, pos, end, -1)
		}
		j.valueDone(end)
		return end, "", false
	}
	if c == '-' || isDigit(c) {
		b := s.slice(pos, s.end())
		n := 0
		for n < len(b) && (isDigit(b[n]) || b[n] == '-' || b[n] == '+' || b[n] == '.' || b[n] == 'e' || b[n] == 'E') {
			n++
		}
		if n == len(b) && !s.eof {
			return 0, "", true
		}
		if !validJSONNumber(b[:n]) {
			return 0, "invalid number", false
		}
		if !j.valueAllowed(top) {
			return 0, "unexpected number", false
		}
		j.beginMember(top, pos)
		leafIdx := -1
		if n >= 3 {
			leafIdx = j.addLeaf(top, pos, pos+int64(n), leafNumber, b[:n])
		}
		if j.track {
			j.event(top, pos, pos+int64(n), leafIdx)
		}
		j.valueDone(pos + int64(n))
		return pos + int64(n), "", false
	}
	if c >= utf8.RuneSelf {
		return 0, "invalid character", false
	}
	return 0, "unexpected " + quoteByte(c), false
}

func quoteByte(c byte) string { return strconv.QuoteRune(rune(c)) }

func (j *jsonRun) valueAllowed(top *jframe) bool {
	if top == nil {
		return true // top level: NDJSON lines, or a sequence of JSON values
	}
	if top.array {
		return top.state == stArrValueOrEnd || top.state == stArrValue
	}
	return top.state == stObjValue
}

// beginMember notes where an array element starts (an object member starts at its key).
func (j *jsonRun) beginMember(top *jframe, pos int64) {
	if top != nil && top.array {
		if top.state == stArrValueOrEnd {
			top.comma = -1
		}
		top.mstart = pos
	}
}

// event records a member of the top frame (or a top-level value starting at start) ending at end.
func (j *jsonRun) event(top *jframe, start, end int64, leafIdx int) {
	ev := mevent{start: start, comma: -1, end: end, leaf: leafIdx}
	if top != nil {
		ev.container, ev.start, ev.comma = top.id, top.mstart, top.comma
	}
	j.events = append(j.events, ev)
}

func (j *jsonRun) push(top *jframe, array bool) {
	n := len(j.stack)
	if n < cap(j.stack) {
		j.stack = j.stack[:n+1]
	} else {
		j.stack = append(j.stack, jframe{})
	}
	f := &j.stack[n]
	f.id, j.nextID = j.nextID, j.nextID+1
	f.array, f.index, f.comma, f.mstart = array, 0, -1, -1
	f.state = stObjKeyOrEnd
	if array {
		f.state = stArrValueOrEnd
	}
	f.key = f.key[:0]
	switch {
	case top == nil:
		f.name, f.parent = f.name[:0], f.parent[:0]
	case top.array:
		f.name = append(f.name[:0], top.name...)
		f.parent = append(f.parent[:0], top.parent...)
	default:
		f.name = append(f.name[:0], top.key...)
		f.parent = append(f.parent[:0], top.name...)
	}
	if top != nil {
		j.path = appendPathElem(j.path, top, len(j.path) == 0)
	}
	f.pathLen = len(j.path)
}

// appendPathElem appends the current member of frame f to a path: ".key" or "[i]" (no dot when first).
func appendPathElem(path []byte, f *jframe, first bool) []byte {
	if f.array {
		path = append(path, '[')
		path = strconv.AppendInt(path, int64(f.index), 10)
		return append(path, ']')
	}
	if !first {
		path = append(path, '.')
	}
	return append(path, f.key...)
}

// valueDone moves the enclosing container past a complete value ending at end.
func (j *jsonRun) valueDone(end int64) {
	if len(j.stack) == 0 {
		j.lastSafe = end
		return
	}
	f := &j.stack[len(j.stack)-1]
	if f.array {
		f.state = stArrCommaOrEnd
		f.index++
	} else {
		f.state = stObjCommaOrEnd
	}
	j.lastSafe = end
}

// addLeaf queues a scalar for detection and returns its index in the batch.
func (j *jsonRun) addLeaf(top *jframe, start, end int64, flags uint8, value []byte) int {
	b := &j.rn.b
	l := leaf{start: start, end: end, flags: flags, ps: len(b.paths)}
	var key, parent []byte
	var group uint64
	if top != nil {
		if j.rn.reporting() { // paths are only for reported findings
			b.paths = append(b.paths, j.path...)
			b.paths = appendPathElem(b.paths, top, len(j.path) == 0)
		}
		group = top.id
		if top.array {
			key, parent = top.name, top.parent
		} else {
			key, parent = top.key, top.name
		}
	}
	l.pe = len(b.paths)
	b.add(j.rn.r.det, l, group, parent, key, value)
	return len(b.leaves) - 1
}

// flush detects the batch and outputs input up to `to` with its values redacted.
func (j *jsonRun) flush(to int64) error {
	rn := j.rn
	rn.detectBatch(0)
	res := rn.b.results
	if !j.track {
		for _, r := range res {
			l := &rn.b.leaves[r.leaf]
			rn.edits = append(rn.edits, edit{start: l.start, end: l.end, rs: r.rs, re: r.re})
		}
	} else {
		if j.cstates == nil {
			j.cstates = map[uint64]*cstate{}
		}
		ri := 0
		for _, ev := range j.events {
			st := j.cstates[ev.container]
			if ev.close {
				delete(j.cstates, ev.container)
				continue
			}
			if st == nil {
				st = &cstate{}
				j.cstates[ev.container] = st
			}
			var r *leafResult
			if ev.leaf >= 0 {
				for ri < len(res) && res[ri].leaf < ev.leaf {
					ri++
				}
				if ri < len(res) && res[ri].leaf == ev.leaf {
					r = &res[ri]
				}
			}
			if r != nil && r.removed {
				from := ev.start
				if ev.comma >= 0 {
					from = ev.comma
				}
				rn.edits = append(rn.edits, edit{start: from, end: ev.end})
				if !st.anyKept {
					st.drop = true
				}
				continue
			}
			if st.drop && ev.comma >= 0 {
				rn.edits = append(rn.edits, edit{start: ev.comma, end: ev.comma + 1})
			}
			st.drop, st.anyKept = false, true
			if r != nil {
				l := &rn.b.leaves[r.leaf]
				rn.edits = append(rn.edits, edit{start: l.start, end: l.end, rs: r.rs, re: r.re})
			}
		}
		j.events = j.events[:0]
	}
	rn.b.reset()
	return rn.commit(to)
}

// scanJSONString finds the end of the string token at b[0] ('"'): end is the offset after the closing quote,
// -1 when b ends first; escaped reports backslash escapes; bad names invalid content.
func scanJSONString(b []byte) (end int, escaped bool, bad string) {
	// Fast path: most strings have no escapes or control characters before their closing quote.
	if q := bytes.IndexByte(b[1:], '"'); q >= 0 {
		plain := true
		for _, c := range b[1 : q+1] {
			if c < 0x20 || c == '\\' {
				plain = false
				break
			}
		}
		if plain {
			return q + 2, false, ""
		}
	}
	for i := 1; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, escaped, ""
		case c == '\\':
			if i+1 >= len(b) {
				return -1, escaped, ""
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return -1, escaped, ""
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return -1, escaped, "invalid \\u escape in string"
					}
				}
				i += 6
			default:
				return -1, escaped, "invalid escape in string"
			}
			escaped = true
		case c < 0x20:
			return -1, escaped, "control character in string"
		default:
			i++
		}
	}
	return -1, escaped, ""
}

// jsonUnquote appends the decoded value of a valid string token (with quotes) to dst. Lone surrogates become
// U+FFFD, as encoding/json does; bytes that are not UTF-8 are kept.
func jsonUnquote(dst, raw []byte) []byte {
	raw = raw[1 : len(raw)-1]
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		r, n := jsonEscape(raw[i:])
		dst = utf8.AppendRune(dst, r)
		i += n
	}
	return dst
}

// jsonEscape decodes the escape at b[0] ('\\'): the rune and the bytes it takes.
func jsonEscape(b []byte) (rune, int) {
	switch b[1] {
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r := hex4(b[2:6])
		if utf16.IsSurrogate(r) {
			if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
				if r2 := utf16.DecodeRune(r, hex4(b[8:12])); r2 != utf8.RuneError {
					return r2, 12
				}
			}
			return utf8.RuneError, 6
		}
		return r, 6
	}
	return rune(b[1]), 2
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// jsonRawOffset maps an offset in a string's decoded value to an offset in its token (raw, with quotes).
func jsonRawOffset(raw []byte, off int) int {
	d := 0
	i := 1
	for i < len(raw)-1 && d < off {
		if raw[i] != '\\' {
			i++
			d++
			continue
		}
		r, n := jsonEscape(raw[i:])
		i += n
		d += utf8.RuneLen(r)
	}
	return i
}

// appendJSONString appends v as a JSON string: '"', '\\' and control characters escaped, everything else
// (including bytes that are not UTF-8, kept from the input) as is.
func appendJSONString(dst, v []byte) []byte {
	dst = append(dst, '"')
	for _, c := range v {
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// validJSONNumber: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func validJSONNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && isDigit(b[i]) {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}
