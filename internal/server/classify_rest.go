package server

import (
	"net/url"
	"strings"
)

// restTable matches REST-JSON and S3 Control requests against the modelled
// request URI templates. Among matching templates the most specific wins:
// more literal path segments, then more literal query parameters, then more
// required query parameters.
type restTable struct {
	byMethod map[string][]*restTemplate
	roots    map[string]bool // "first/second" literal path roots
}

type restTemplate struct {
	op       *restOperation
	segments []templateSegment
	literals []queryLiteral
	// specificity, compared in order
	literalSegments int
}

type templateSegment struct {
	literal string // when label == ""
	label   string
	greedy  bool // {Label+}: one or more segments
}

// queryLiteral is a sub-resource from a request URI: "uploads" (present) or
// "list-type=2" (present with that value).
type queryLiteral struct {
	name     string
	value    string
	hasValue bool
}

func parseQueryLiterals(q []string) []queryLiteral {
	out := make([]queryLiteral, 0, len(q))
	for _, s := range q {
		name, value, hasValue := strings.Cut(s, "=")
		out = append(out, queryLiteral{name: name, value: value, hasValue: hasValue})
	}
	return out
}

func (l queryLiteral) matches(q url.Values) bool {
	if !q.Has(l.name) {
		return false
	}
	return !l.hasValue || q.Get(l.name) == l.value
}

func newRestTable(ops []restOperation) *restTable {
	t := &restTable{byMethod: map[string][]*restTemplate{}, roots: map[string]bool{}}
	for i := range ops {
		op := &ops[i]
		tmpl := &restTemplate{op: op, literals: parseQueryLiterals(op.Query)}
		for _, seg := range splitPath(op.Path) {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				label := seg[1 : len(seg)-1]
				greedy := strings.HasSuffix(label, "+")
				tmpl.segments = append(tmpl.segments, templateSegment{label: strings.TrimSuffix(label, "+"), greedy: greedy})
				continue
			}
			tmpl.segments = append(tmpl.segments, templateSegment{literal: seg})
			tmpl.literalSegments++
		}
		if len(tmpl.segments) >= 2 && tmpl.segments[0].label == "" && tmpl.segments[1].label == "" {
			t.roots[tmpl.segments[0].literal+"/"+tmpl.segments[1].literal] = true
		}
		t.byMethod[op.Method] = append(t.byMethod[op.Method], tmpl)
	}
	return t
}

// splitPath splits "/a/b/" into ["a", "b"]: one leading and one trailing
// slash are not segments (clients differ on the trailing slash of
// collection paths).
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// hasRoot reports whether the raw path starts with one of the table's
// two-segment literal roots.
func (t *restTable) hasRoot(rawPath string) bool {
	segs := splitPath(rawPath)
	return len(segs) >= 2 && t.roots[segs[0]+"/"+segs[1]]
}

// match returns the most specific operation for method and raw path, with
// its decoded path parameters, or nil when none matches.
func (t *restTable) match(method, rawPath string, q url.Values) (*restOperation, map[string]string, error) {
	segs := splitPath(rawPath)
	var best *restTemplate
	var bestParams map[string]string
	for _, tmpl := range t.byMethod[method] {
		if !tmpl.queryMatches(q) {
			continue
		}
		params := map[string]string{}
		if !matchSegments(tmpl.segments, segs, params) {
			continue
		}
		if best == nil || tmpl.moreSpecificThan(best) {
			best, bestParams = tmpl, params
		}
	}
	if best == nil {
		return nil, nil, nil
	}
	decoded := make(map[string]string, len(bestParams))
	for k, raw := range bestParams {
		v, err := decodePath(raw)
		if err != nil {
			return nil, nil, err
		}
		decoded[k] = v
	}
	return best.op, decoded, nil
}

func (t *restTemplate) queryMatches(q url.Values) bool {
	for _, l := range t.literals {
		if !l.matches(q) {
			return false
		}
	}
	for _, name := range t.op.RequiredQuery {
		if !q.Has(name) {
			return false
		}
	}
	return true
}

func (t *restTemplate) moreSpecificThan(o *restTemplate) bool {
	if t.literalSegments != o.literalSegments {
		return t.literalSegments > o.literalSegments
	}
	if len(t.literals) != len(o.literals) {
		return len(t.literals) > len(o.literals)
	}
	return len(t.op.RequiredQuery) > len(o.op.RequiredQuery)
}

// matchSegments matches raw path segments against a template, recording
// raw label values in params. A greedy label takes one or more segments,
// longest first, so a literal may follow it ({name+}/policy).
func matchSegments(tmpl []templateSegment, segs []string, params map[string]string) bool {
	if len(tmpl) == 0 {
		return len(segs) == 0
	}
	if len(segs) == 0 {
		return false
	}
	ts := tmpl[0]
	switch {
	case ts.label == "":
		return segs[0] == ts.literal && matchSegments(tmpl[1:], segs[1:], params)
	case !ts.greedy:
		if segs[0] == "" || !matchSegments(tmpl[1:], segs[1:], params) {
			return false
		}
		params[ts.label] = segs[0]
		return true
	default:
		for n := len(segs); n >= 1; n-- {
			if matchSegments(tmpl[1:], segs[n:], params) {
				params[ts.label] = strings.Join(segs[:n], "/")
				return true
			}
		}
		return false
	}
}
