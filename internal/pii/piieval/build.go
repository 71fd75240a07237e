package piieval

import (
	"strings"

	"github.com/tributary-dev/tributary/internal/pii"
)

// Label is one personal value in a document: its type and where it is.
type Label struct {
	Type       string // canonical pii type
	Value      string // as written in the document
	Start, End int    // byte offsets into Doc.Body
}

// Negative is one value that must come out of redaction unchanged.
type Negative struct {
	What       string // "order id", "sku", "uuid", ...
	Value      string
	Start, End int
}

// Doc is one generated document with its labels.
type Doc struct {
	Kind       string // "orders-en", "clickstream", "csv-customers", "ticket-ko", "log-nginx", ...
	Format     pii.Format
	Structured bool // JSON, NDJSON or CSV: NAME and ADDRESS there are held to the structured threshold
	Body       []byte
	PII        []Label
	Negatives  []Negative
}

// builder writes a document and records where its labelled values land.
type builder struct {
	buf []byte
	pii []Label
	neg []Negative
}

func (b *builder) w(parts ...string) {
	for _, p := range parts {
		b.buf = append(b.buf, p...)
	}
}

// p writes a personal value of type typ.
func (b *builder) p(typ, v string) {
	start := len(b.buf)
	b.buf = append(b.buf, v...)
	b.pii = append(b.pii, Label{Type: typ, Value: v, Start: start, End: len(b.buf)})
}

// n writes a hard negative.
func (b *builder) n(what, v string) {
	start := len(b.buf)
	b.buf = append(b.buf, v...)
	b.neg = append(b.neg, Negative{What: what, Value: v, Start: start, End: len(b.buf)})
}

func (b *builder) doc(kind string, f pii.Format, structured bool) Doc {
	return Doc{Kind: kind, Format: f, Structured: structured, Body: b.buf, PII: b.pii, Negatives: b.neg}
}

// ---- JSON ---------------------------------------------------------------------

// node is a JSON value to write: an object (ordered members), an array, a
// string (plain, personal or negative) or a literal (number, bool, null).
type node struct {
	obj      []member
	arr      []node
	isObj    bool
	isArr    bool
	lit      string
	str      string
	isStr    bool
	typ, neg string // label of a string or literal
	segs     []cell // a string written in labelled pieces (a URL with an email in its query)
}

type member struct {
	key string
	val node
}

func obj(kv ...any) node {
	n := node{isObj: true}
	for i := 0; i+1 < len(kv); i += 2 {
		n.obj = append(n.obj, member{kv[i].(string), kv[i+1].(node)})
	}
	return n
}
func arr(vs ...node) node            { return node{isArr: true, arr: vs} }
func str(v string) node              { return node{isStr: true, str: v} }
func pstr(typ, v string) node        { return node{isStr: true, str: v, typ: typ} }
func nstr(what, v string) node       { return node{isStr: true, str: v, neg: what} }
func segs(cs ...cell) node           { return node{isStr: true, segs: cs} }
func lit(v string) node              { return node{lit: v} }
func nlit(what, v string) node       { return node{lit: v, neg: what} }
func (m *node) add(k string, v node) { m.obj = append(m.obj, member{k, v}) }

// jsonEscape escapes what JSON requires and nothing more (non-ASCII and
// '&' stay as they are, as most producers write them).
func jsonEscape(s string) string {
	if !strings.ContainsAny(s, "\"\\\n\r\t") {
		return s
	}
	r := strings.NewReplacer(`"`, `\"`, `\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return r.Replace(s)
}

// json writes v; indent "" writes it on one line.
func (b *builder) json(v node, indent string, depth int) {
	nl := func(d int) {
		if indent != "" {
			b.w("\n", strings.Repeat(indent, d))
		}
	}
	colon := ":"
	if indent != "" {
		colon = ": "
	}
	switch {
	case v.isObj:
		b.w("{")
		for i, m := range v.obj {
			if i > 0 {
				b.w(",")
			}
			nl(depth + 1)
			b.w(`"`, jsonEscape(m.key), `"`, colon)
			b.json(m.val, indent, depth+1)
		}
		if len(v.obj) > 0 {
			nl(depth)
		}
		b.w("}")
	case v.isArr:
		b.w("[")
		for i, e := range v.arr {
			if i > 0 {
				b.w(",")
			}
			nl(depth + 1)
			b.json(e, indent, depth+1)
		}
		if len(v.arr) > 0 {
			nl(depth)
		}
		b.w("]")
	case v.isStr:
		b.w(`"`)
		if v.segs != nil {
			for _, s := range v.segs {
				b.value(s.typ, s.neg, jsonEscape(s.v))
			}
		} else {
			b.value(v.typ, v.neg, jsonEscape(v.str))
		}
		b.w(`"`)
	default:
		b.value(v.typ, v.neg, v.lit)
	}
}

func (b *builder) value(typ, neg, v string) {
	switch {
	case typ != "":
		b.p(typ, v)
	case neg != "":
		b.n(neg, v)
	default:
		b.w(v)
	}
}

// ---- CSV ------------------------------------------------------------------------

// cell is one CSV field: plain, personal (typ) or negative (neg).
type cell struct{ v, typ, neg string }

func c(v string) cell        { return cell{v: v} }
func pc(typ, v string) cell  { return cell{v: v, typ: typ} }
func nc(what, v string) cell { return cell{v: v, neg: what} }

// csvRow writes one record, quoting fields that need it (RFC 4180).
func (b *builder) csvRow(sep string, cells ...cell) {
	for i, f := range cells {
		if i > 0 {
			b.w(sep)
		}
		v := f.v
		quote := strings.ContainsAny(v, sep+"\"\n\r")
		if quote {
			b.w(`"`)
			v = strings.ReplaceAll(v, `"`, `""`)
		}
		b.value(f.typ, f.neg, v)
		if quote {
			b.w(`"`)
		}
	}
	b.w("\n")
}
