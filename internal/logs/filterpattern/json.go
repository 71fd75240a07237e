package filterpattern

import (
	"strings"
	"sync"
)

// condTest is what a JSON condition checks about its selector.
type condTest uint8

const (
	testCompare   condTest = iota // selector op value
	testIsNull                    // IS NULL
	testIsTrue                    // IS TRUE
	testIsFalse                   // IS FALSE
	testNotExists                 // NOT EXISTS
)

type exprKind uint8

const (
	exprCond exprKind = iota
	exprAnd
	exprOr
)

// jsonExpr is a node of a JSON pattern's boolean expression.
type jsonExpr struct {
	kind        exprKind
	left, right *jsonExpr // exprAnd, exprOr
	slot        int       // exprCond: index of the selector in jsonMatcher.paths
	test        condTest
	op          cmpOp
	val         value
}

// jsonMatcher evaluates a JSON pattern: one pass over the event collects the
// values its selectors land on (validating the whole event as JSON on the
// way), then the expression is evaluated on them.
type jsonMatcher struct {
	paths   []path // distinct selectors; a condition refers to one by index
	expr    *jsonExpr
	scratch sync.Pool // *jsonScan, reused so matching does not allocate
	regexes int       // %regex% values among the conditions
}

func newJSONMatcher(paths []path, expr *jsonExpr) *jsonMatcher {
	return &jsonMatcher{paths: paths, expr: expr}
}

// compileJSON compiles the JSON pattern pattern[start:end], which starts with '{'.
func compileJSON(pattern string, start, end int) (*jsonMatcher, error) {
	if end-start < 2 || pattern[end-1] != '}' {
		return nil, errAt(start, "If a filter pattern starts with '{' it must end with '}'")
	}
	toks, err := lex(pattern, start+1, end-1)
	if err != nil {
		return nil, err
	}
	p := &jsonParser{toks: toks, slots: map[string]int{}}
	if p.peek().kind == tokEOF {
		return nil, errAt(start, "Invalid JSON filter pattern '%s': it has no condition", pattern[start:end])
	}
	expr, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errAt(t.pos, "Unexpected '%s' in JSON filter pattern; conditions combine with && and ||", t.raw)
	}
	m := newJSONMatcher(p.paths, expr)
	m.regexes = p.regexes
	return m, nil
}

type jsonParser struct {
	toks      []token
	i         int
	slots     map[string]int // canonical selector → index in paths
	paths     []path
	regexes   int
	wildcards int
}

func (p *jsonParser) peek() token { return p.toks[p.i] }

func (p *jsonParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// parseOr parses a || b || ...; && binds tighter, parentheses tightest.
func (p *jsonParser) parseOr() (*jsonExpr, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tokOr {
		p.next()
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &jsonExpr{kind: exprOr, left: left, right: right}
	}
	return left, nil
}

func (p *jsonParser) parseAnd() (*jsonExpr, error) {
	left, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tokAnd {
		p.next()
		right, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		left = &jsonExpr{kind: exprAnd, left: left, right: right}
	}
	return left, nil
}

func (p *jsonParser) parsePrimary() (*jsonExpr, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, errAt(c.pos, "Missing ')' in JSON filter pattern, found %s", describe(c))
		}
		return e, nil
	case tokSelector:
		return p.parseCond(t)
	}
	return nil, errAt(t.pos, "Expected a selector such as $.field, found %s", describe(t))
}

// parseCond parses what follows a selector: an operator and a value, IS
// NULL|TRUE|FALSE, or NOT EXISTS.
func (p *jsonParser) parseCond(sel token) (*jsonExpr, error) {
	path, err := parseSelector(sel.text, sel.pos)
	if err != nil {
		return nil, err
	}
	if path.wildcard {
		if p.wildcards++; p.wildcards > maxWildcardSelectors {
			return nil, errAt(sel.pos, "A filter pattern can have at most %d wildcard selectors", maxWildcardSelectors)
		}
	}
	e := &jsonExpr{kind: exprCond, slot: p.slot(path)}
	t := p.next()
	switch {
	case t.kind == tokOp:
		v := p.next()
		e.op = t.op
		if e.val, err = compileValue(v); err != nil {
			return nil, err
		}
		if err := checkOp(e.op, e.val, t.pos, v.raw); err != nil {
			return nil, err
		}
		if e.val.kind == valRegex {
			if p.regexes++; p.regexes > maxRegexes {
				return nil, errAt(v.pos, "A filter pattern can have at most %d regular expressions", maxRegexes)
			}
		}
		return e, nil
	case isKeyword(t, "IS"):
		k := p.next()
		switch {
		case isKeyword(k, "NULL"):
			e.test = testIsNull
		case isKeyword(k, "TRUE"):
			e.test = testIsTrue
		case isKeyword(k, "FALSE"):
			e.test = testIsFalse
		case isKeyword(k, "NOT"):
			return nil, errAt(k.pos, "IS NOT is not supported")
		default:
			return nil, errAt(k.pos, "Expected NULL, TRUE or FALSE after IS, found %s", describe(k))
		}
		return e, nil
	case isKeyword(t, "NOT"):
		if k := p.next(); !isKeyword(k, "EXISTS") {
			return nil, errAt(k.pos, "Expected EXISTS after NOT, found %s", describe(k))
		}
		e.test = testNotExists
		return e, nil
	case isKeyword(t, "EXISTS"):
		return nil, errAt(t.pos, "EXISTS is not supported; use NOT EXISTS or = *")
	}
	return nil, errAt(t.pos, "Expected an operator after selector '%s', found %s", sel.text, describe(t))
}

func (p *jsonParser) slot(path path) int {
	key := path.canonical()
	if i, ok := p.slots[key]; ok {
		return i
	}
	p.slots[key] = len(p.paths)
	p.paths = append(p.paths, path)
	return len(p.paths) - 1
}

func isKeyword(t token, word string) bool {
	return t.kind == tokWord && strings.EqualFold(t.text, word)
}

// describe names a token for an error message.
func describe(t token) string {
	if t.kind == tokEOF && t.raw == "" {
		return "the end of the pattern"
	}
	return "'" + t.raw + "'"
}

func (m *jsonMatcher) getScan() *jsonScan {
	if sc, ok := m.scratch.Get().(*jsonScan); ok {
		return sc
	}
	return &jsonScan{paths: m.paths, last: make([]int32, len(m.paths))}
}

func (m *jsonMatcher) putScan(sc *jsonScan) {
	sc.s = ""
	m.scratch.Put(sc)
}

func (m *jsonMatcher) match(message string) bool {
	sc := m.getScan()
	ok := sc.scan(message) && m.expr.eval(sc)
	m.putScan(sc)
	return ok
}

// lookup returns the text of the scalar selector 0 lands on (Selector.Lookup).
func (m *jsonMatcher) lookup(message string) (string, bool) {
	sc := m.getScan()
	defer m.putScan(sc)
	if !sc.scan(message) {
		return "", false
	}
	if sc.last[0] < 0 {
		return "", false
	}
	c := &sc.caps[sc.last[0]] // the last duplicate key wins
	if m.paths[0].wildcard {
		c = &sc.caps[0] // every capture is selector 0's: the first match counts
	}
	text, _, ok := sc.scalar(c)
	return text, ok
}

func (e *jsonExpr) eval(sc *jsonScan) bool {
	switch e.kind {
	case exprAnd:
		return e.left.eval(sc) && e.right.eval(sc)
	case exprOr:
		return e.left.eval(sc) || e.right.eval(sc)
	}
	if e.test == testNotExists {
		return sc.last[e.slot] < 0
	}
	if sc.last[e.slot] < 0 {
		return false
	}
	if !sc.paths[e.slot].wildcard {
		return e.holds(sc, &sc.caps[sc.last[e.slot]])
	}
	// A wildcard selector holds when any of the values it lands on does.
	for i := range sc.caps {
		if c := &sc.caps[i]; int(c.slot) == e.slot && e.holds(sc, c) {
			return true
		}
	}
	return false
}

// holds applies the condition to one value its selector landed on. A
// selector landing on an object or array never matches (not even !=).
func (e *jsonExpr) holds(sc *jsonScan, c *capture) bool {
	switch e.test {
	case testIsNull:
		return c.kind == kindNull
	case testIsTrue:
		return c.kind == kindTrue
	case testIsFalse:
		return c.kind == kindFalse
	}
	text, numeric, ok := sc.scalar(c)
	if !ok {
		return false
	}
	return compare(e.op, &e.val, text, numeric)
}
