package filterpattern

import (
	"strconv"
	"strings"
)

// fieldItem is one comma-separated item of a space-delimited pattern.
type fieldItem struct {
	ellipsis bool       // "...": any number of fields
	name     string     // "" for an unnamed field (extracted as $N)
	cond     *fieldCond // nil: any value
}

// fieldCond is a condition on one field: comparisons joined by && and ||.
type fieldCond struct {
	kind        exprKind
	left, right *fieldCond
	op          cmpOp
	val         value
}

// delimMatcher is a space-delimited pattern.
type delimMatcher struct {
	items    []fieldItem
	ellipses int
	regexes  int // %regex% values among the field conditions
}

// span is a field of an event: its text is s[start:end], without the quotes
// or brackets that made it one field.
type span struct{ start, end int }

// compileDelimited compiles pattern[start:end], which starts with '['.
func compileDelimited(pattern string, start, end int) (*delimMatcher, error) {
	if end-start < 2 || pattern[end-1] != ']' {
		return nil, errAt(start, "If a filter pattern starts with '[' it must end with ']'")
	}
	toks, err := lex(pattern, start+1, end-1)
	if err != nil {
		return nil, err
	}
	m := &delimMatcher{}
	if toks[0].kind == tokEOF {
		// "[]" names no field: every field is extracted by position, as AWS's
		// TestMetricFilter example shows.
		m.items, m.ellipses = []fieldItem{{ellipsis: true}}, 1
		return m, nil
	}
	names := map[string]bool{}
	regexes := 0
	for groupStart := 0; ; {
		groupEnd := groupStart
		for toks[groupEnd].kind != tokComma && toks[groupEnd].kind != tokEOF {
			groupEnd++
		}
		item, err := compileField(toks[groupStart:groupEnd], toks[groupEnd], &regexes)
		if err != nil {
			return nil, err
		}
		if item.name != "" {
			if names[item.name] {
				return nil, errAt(toks[groupStart].pos, "Duplicate field name '%s' in space-delimited filter pattern", item.name)
			}
			names[item.name] = true
		}
		// "..., ..." is one ellipsis.
		repeated := item.ellipsis && len(m.items) > 0 && m.items[len(m.items)-1].ellipsis
		if !repeated {
			if item.ellipsis {
				m.ellipses++
			}
			m.items = append(m.items, item)
		}
		if toks[groupEnd].kind == tokEOF {
			m.regexes = regexes
			return m, nil
		}
		groupStart = groupEnd + 1
	}
}

// compileField compiles the tokens of one item; end is the ',' or the end of
// the pattern that follows it.
func compileField(toks []token, end token, regexes *int) (fieldItem, error) {
	switch {
	case len(toks) == 0:
		return fieldItem{}, nil
	case len(toks) == 1 && toks[0].kind == tokWord && toks[0].text == "...":
		return fieldItem{ellipsis: true}, nil
	case len(toks) == 1 && toks[0].kind == tokWord:
		if !isFieldName(toks[0].text) {
			return fieldItem{}, errAt(toks[0].pos, "Invalid field name '%s'", toks[0].text)
		}
		return fieldItem{name: toks[0].text}, nil
	}
	p := &fieldParser{toks: append(toks[:len(toks):len(toks)], token{kind: tokEOF, pos: end.pos, raw: end.raw}), regexes: regexes}
	cond, err := p.parseOr()
	if err != nil {
		return fieldItem{}, err
	}
	if t := p.toks[p.i]; t.kind != tokEOF {
		return fieldItem{}, errAt(t.pos, "Unexpected '%s' in field of space-delimited filter pattern; separate fields with ','", t.raw)
	}
	return fieldItem{name: p.name, cond: cond}, nil
}

func isFieldName(s string) bool {
	if s == "" || isDigit(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

// fieldParser parses "name op value" comparisons joined by && and ||
// (&& binds tighter). Every comparison must name the field it belongs to:
// [a, b = 1 && c > 2] is refused, as AWS refuses it.
type fieldParser struct {
	toks    []token
	i       int
	name    string
	regexes *int
}

func (p *fieldParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *fieldParser) parseOr() (*fieldCond, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.toks[p.i].kind == tokOr {
		p.next()
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &fieldCond{kind: exprOr, left: left, right: right}
	}
	return left, nil
}

func (p *fieldParser) parseAnd() (*fieldCond, error) {
	left, err := p.parseCmp()
	if err != nil {
		return nil, err
	}
	for p.toks[p.i].kind == tokAnd {
		p.next()
		right, err := p.parseCmp()
		if err != nil {
			return nil, err
		}
		left = &fieldCond{kind: exprAnd, left: left, right: right}
	}
	return left, nil
}

func (p *fieldParser) parseCmp() (*fieldCond, error) {
	n := p.next()
	if n.kind != tokWord || !isFieldName(n.text) {
		return nil, errAt(n.pos, "Expected a field name, found %s", describe(n))
	}
	if p.name == "" {
		p.name = n.text
	} else if n.text != p.name {
		return nil, errAt(n.pos, "Field '%s' cannot have a condition on '%s'; put each field's conditions in its own position", p.name, n.text)
	}
	o := p.next()
	if o.kind != tokOp {
		return nil, errAt(o.pos, "Expected an operator after field '%s', found %s", n.text, describe(o))
	}
	v := p.next()
	val, err := compileValue(v)
	if err != nil {
		return nil, err
	}
	if err := checkOp(o.op, val, o.pos, v.raw); err != nil {
		return nil, err
	}
	if val.kind == valRegex {
		if *p.regexes++; *p.regexes > maxRegexes {
			return nil, errAt(v.pos, "A filter pattern can have at most %d regular expressions", maxRegexes)
		}
	}
	return &fieldCond{kind: exprCond, op: o.op, val: val}, nil
}

func (c *fieldCond) eval(text string) bool {
	switch c.kind {
	case exprAnd:
		return c.left.eval(text) && c.right.eval(text)
	case exprOr:
		return c.left.eval(text) || c.right.eval(text)
	}
	return compare(c.op, &c.val, text, c.val.kind == valNumber && isNumberLiteral(text))
}

func (it *fieldItem) accepts(text string) bool { return it.cond == nil || it.cond.eval(text) }

// match reports whether the event's fields line up with the items: every
// field is accounted for (by its item or by a "..."), and every condition
// holds.
func (m *delimMatcher) match(s string) bool {
	if m.ellipses == 0 {
		// Fields map to items one to one: check them as they are split and
		// stop at the first failing condition.
		i := 0
		for k := range m.items {
			f, next, ok := nextField(s, i)
			if !ok || !m.items[k].accepts(s[f.start:f.end]) {
				return false
			}
			i = next
		}
		_, _, more := nextField(s, i)
		return !more
	}
	var buf [64]span
	return m.align(s, splitFields(s, buf[:0]), nil)
}

func (m *delimMatcher) matchExtract(s string) (bool, map[string]string) {
	var buf [64]span
	var posBuf [32]int
	fields := splitFields(s, buf[:0])
	pos := posBuf[:0]
	for range m.items {
		pos = append(pos, -1)
	}
	if !m.align(s, fields, pos) {
		return false, nil
	}
	out := make(map[string]string, len(fields))
	named := make([]bool, len(fields))
	for k, it := range m.items {
		if it.ellipsis {
			continue
		}
		f := fields[pos[k]]
		named[pos[k]] = true
		key := it.name
		if key == "" {
			key = strconv.Itoa(pos[k] + 1)
		}
		out["$"+key] = s[f.start:f.end]
	}
	for i, f := range fields {
		if !named[i] {
			out["$"+strconv.Itoa(i+1)] = s[f.start:f.end]
		}
	}
	return true, out
}

// align matches items to fields the way a glob matches characters, "..."
// being the star: leftmost placement, backtracking only to the last "...",
// so it is linear in practice and O(items*fields) at worst. When pos is not
// nil it receives the field index of each non-ellipsis item.
func (m *delimMatcher) align(s string, fields []span, pos []int) bool {
	it, f := 0, 0
	star, mark := -1, 0
	for f < len(fields) {
		switch {
		case it < len(m.items) && m.items[it].ellipsis:
			star, mark = it, f
			it++
		case it < len(m.items) && m.items[it].accepts(s[fields[f].start:fields[f].end]):
			if pos != nil {
				pos[it] = f
			}
			it++
			f++
		case star >= 0:
			it = star + 1
			mark++
			f = mark
		default:
			return false
		}
	}
	for it < len(m.items) && m.items[it].ellipsis {
		it++
	}
	return it == len(m.items)
}

// splitFields appends every field of s to dst.
func splitFields(s string, dst []span) []span {
	for i := 0; ; {
		f, next, ok := nextField(s, i)
		if !ok {
			return dst
		}
		dst = append(dst, f)
		i = next
	}
}

// nextField finds the field at or after s[i]. Fields are separated by runs of
// blanks; one that starts with " or [ runs to the first matching " or ]
// followed by a blank or the end of the event (so it may hold blanks), and
// its text excludes the quotes or brackets. Without such a closing character
// it is an ordinary field.
func nextField(s string, i int) (f span, next int, ok bool) {
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	if i >= len(s) {
		return span{}, i, false
	}
	if c := s[i]; c == '"' || c == '[' {
		closer := byte('"')
		if c == '[' {
			closer = ']'
		}
		for j := i + 1; j < len(s); {
			k := strings.IndexByte(s[j:], closer)
			if k < 0 {
				break
			}
			end := j + k
			if end+1 == len(s) || isBlank(s[end+1]) {
				return span{i + 1, end}, end + 1, true
			}
			j = end + 1
		}
	}
	j := i
	for j < len(s) && !isBlank(s[j]) {
		j++
	}
	return span{i, j}, j, true
}
