package pii

import (
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Structured scanning (JSON, CSV) detects values in batches. Each value worth scanning becomes one line of a
// synthetic scan text that shows the Detector its key the way it reads key-value text:
//
//	customer "name":"Jane Doe"                (JSON: parent key, member key, value)
//	"email":"jane@example.com"                (CSV: column header, value)
//
// so context words in keys ("card_number", "전화번호") and the key-value pass (names, addresses, passwords,
// birth dates) apply to the value and to nothing else. A key path the key-value pass would not see as one key
// ("customer.name", "shipping.address", "name.first") is looked up in the key vocabulary here and reported
// through the detect hook. Values from different objects (rows) are separated by a brace, which ends the
// reach of context (the parent key is shown only when it has context words). Entities are then clipped to their value and mapped back to input offsets.

// leaf is one scanned value of a batch.
type leaf struct {
	start, end int64 // the value's token in the input, absolute: a JSON string with its quotes, a CSV field
	vs, ve     int   // the value in the scan text
	ks         int   // the key in the scan text
	ps, pe     int   // the path in batch.paths
	kk         keyKind
	flags      uint8
}

const (
	leafString  uint8 = 1 << iota // JSON string: the token has quotes
	leafEscaped                   // the token has escapes (JSON) or doubled quotes (CSV): decode to get the value
	leafNumber                    // JSON number: becomes a string when redacted
	leafCSV                       // CSV field
	leafQuoted                    // CSV field in quotes
)

// leafResult: what redaction did to a leaf with findings.
type leafResult struct {
	leaf    int
	removed bool // RedactRemove of the whole value
	rs, re  int  // the new token in run.repl (unless removed)
}

// batch collects the leaves of a stretch of structured input.
type batch struct {
	scan     []byte
	paths    []byte
	leaves   []leaf
	results  []leafResult
	group    uint64 // the object/row of the last leaf
	tmp      []byte
	val      []byte
	ents     []Entity
	entKinds []kind // entKinds[i] is the kind of ents[i]
	kkCache  *[kkSlots]kkSlot
	sc       scratch
}

func (b *batch) reset() {
	b.scan, b.paths, b.leaves, b.results = b.scan[:0], b.paths[:0], b.leaves[:0], b.results[:0]
}

// maxKeyLen: keys longer than this are cut in the scan text (context words are short).
const maxKeyLen = 64

// add renders one value. key and parent are the member key and its parent's key (raw bytes, may be empty);
// value is the decoded value; group identifies its object or row. d may be nil (nothing to detect).
func (b *batch) add(d *Detector, l leaf, group uint64, parent, key, value []byte) {
	if len(b.scan) > 0 {
		if group != b.group {
			b.scan = append(b.scan, "}\n"...)
		} else {
			b.scan = append(b.scan, '\n')
		}
	}
	b.group = group
	var useParent bool
	if d != nil {
		l.kk, useParent = b.keyKind(d, parent, key)
	}
	if useParent {
		b.scan = appendKey(b.scan, parent)
		b.scan = append(b.scan, ' ')
	}
	l.ks = len(b.scan) + 1
	b.scan = append(b.scan, '"')
	b.scan = appendKey(b.scan, key)
	b.scan = append(b.scan, '"', ':')
	quoted := l.flags&leafNumber == 0
	if quoted {
		b.scan = append(b.scan, '"')
	}
	l.vs = len(b.scan)
	b.scan = append(b.scan, value...)
	l.ve = len(b.scan)
	if l.flags&(leafEscaped|leafCSV) != 0 { // a plain JSON string has no quotes or line breaks to hide
		for i, c := range b.scan[l.vs:l.ve] {
			switch c {
			case '"':
				b.scan[l.vs+i] = '\''
			case '\n', '\r', '\t':
				b.scan[l.vs+i] = ' '
			}
		}
	}
	if quoted {
		b.scan = append(b.scan, '"')
	}
	b.leaves = append(b.leaves, l)
}

// kkSlots: the size of the key-kind cache (a power of two: the slot is a mask of the hash, not a division).
const kkSlots = 256

// kkSlot caches what a (parent, key) pair says: structured data repeats the same few keys on every row.
type kkSlot struct {
	parent, key string
	kk          keyKind
	useParent   bool
}

// keyKind returns the key kind of a value under parent/key, and whether the parent key carries context
// words worth showing the detector ("customer", "card"; not "items" or "payload", which only lengthen the scan).
func (b *batch) keyKind(d *Detector, parent, key []byte) (keyKind, bool) {
	h := uint32(fnvOffset)
	for _, c := range parent {
		h = (h ^ uint32(c)) * fnvPrime
	}
	h = (h ^ 0xff) * fnvPrime
	for _, c := range key {
		h = (h ^ uint32(c)) * fnvPrime
	}
	if b.kkCache == nil {
		b.kkCache = new([kkSlots]kkSlot)
	}
	sl := &b.kkCache[h%kkSlots]
	if sl.parent == string(parent) && sl.key == string(key) && (sl.key != "" || sl.parent != "") {
		return sl.kk, sl.useParent
	}
	kk := d.vocab.pathKeyKind(parent, key)
	useParent := false
	if len(parent) > 0 {
		s := scanner{d: d, text: string(appendKey(nil, parent))}
		s.scanWords()
		useParent = len(s.hits) > 0
	}
	if len(parent) <= maxKeyLen && len(key) <= maxKeyLen {
		*sl = kkSlot{parent: string(parent), key: string(key), kk: kk, useParent: useParent}
	}
	return kk, useParent
}

// appendKey appends a key for the scan text: at most maxKeyLen bytes (on a character boundary), characters
// that would end or split the key ('"', ':', '=', spaces, line breaks, brackets) as '_'.
func appendKey(dst, key []byte) []byte {
	if len(key) > maxKeyLen {
		n := maxKeyLen
		for n > 0 && !utf8.RuneStart(key[n]) {
			n--
		}
		key = key[:n]
	}
	for _, c := range key {
		switch c {
		case '"', '\'', ':', '=', ' ', '\t', '\n', '\r', '{', '}', '[', ']', '\\':
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}

// pathKeyKind: what the key of a value, or its parent and key together ("shipping"+"address",
// "name"+"first" as "firstname"), say about the value.
func (v *vocabulary) pathKeyKind(parent, key []byte) keyKind {
	var kbuf [maxKeyLen]byte
	k := normalizeKey(kbuf[:0], string(key))
	kk := v.keys[string(k)]
	if kk == keyUsername && (string(k) == "user" || string(k) == "userid") {
		kk = keyUserID
	}
	if len(parent) == 0 || kk != keyNone && kk != keyNameGeneric || len(k) == 0 {
		return kk
	}
	var pbuf [maxKeyLen]byte
	p := normalizeKey(pbuf[:0], string(parent))
	if len(p) == 0 {
		return kk
	}
	var cbuf [2 * maxKeyLen]byte
	for _, combo := range [2][2][]byte{{p, k}, {k, p}} {
		c := append(append(cbuf[:0], combo[0]...), combo[1]...)
		if ck := v.keys[string(c)]; ck != keyNone && ck != keyNameGeneric {
			return ck
		}
	}
	return kk
}

// detectBatch runs the detector over the batch and redacts every leaf with findings: findings are emitted in
// input order and b.results lists the rewritten leaves. csvQuote is the CSV delimiter (0 for JSON).
func (rn *run) detectBatch(delim byte) {
	b := &rn.b
	b.results = b.results[:0]
	if len(b.leaves) == 0 || rn.r.det == nil {
		return
	}
	// The scan text is only read until b.reset, and no entity text outlives this batch (redactLeaf copies what
	// it reports), so it is viewed in place rather than copied.
	text := unsafe.String(unsafe.SliceData(b.scan), len(b.scan))
	ents := rn.r.det.detect(&b.sc, text, func(s *scanner) {
		for _, l := range b.leaves {
			if l.kk != keyNone {
				s.structuredKeyValue(l.kk, l.ks, l.vs, l.ve)
			}
		}
	})
	kinds := b.sc.kinds[:len(ents)]
	li := 0
	for i := 0; i < len(ents); {
		e := ents[i]
		for li < len(b.leaves) && b.leaves[li].ve <= e.Start {
			li++
		}
		if li == len(b.leaves) {
			break
		}
		// Every entity overlapping this leaf, clipped to it.
		l := &b.leaves[li]
		b.ents, b.entKinds = b.ents[:0], b.entKinds[:0]
		for ; i < len(ents) && ents[i].Start < l.ve; i++ {
			e := ents[i]
			if e.End <= l.vs {
				continue
			}
			if !rn.r.accept(&e, kinds[i]) {
				continue
			}
			e.Start, e.End = max(e.Start, l.vs)-l.vs, min(e.End, l.ve)-l.vs
			b.ents = append(b.ents, e)
			b.entKinds = append(b.entKinds, kinds[i])
		}
		if len(b.ents) > 0 {
			rn.redactLeaf(li, delim)
		}
		li++
	}
}

// redactLeaf rewrites leaf li with the entities in b.ents (value-relative offsets).
func (rn *run) redactLeaf(li int, delim byte) {
	b := &rn.b
	l := &b.leaves[li]
	raw := rn.src.slice(l.start, l.end)
	var value []byte
	switch {
	case l.flags&leafString != 0 && l.flags&leafEscaped != 0:
		b.tmp = jsonUnquote(b.tmp[:0], raw)
		value = b.tmp
	case l.flags&leafString != 0:
		value = raw[1 : len(raw)-1]
	case l.flags&leafQuoted != 0:
		b.tmp = csvUnquote(b.tmp[:0], raw)
		value = b.tmp
	default:
		value = raw
	}
	res := leafResult{leaf: li}
	for i, e := range b.ents {
		k := b.entKinds[i]
		if rn.r.rules[k].Mode == RedactRemove && wholeValue(value, e.Start, e.End) {
			res.removed = true
		}
	}
	newValue := b.val[:0]
	if !res.removed {
		last := 0
		for i, e := range b.ents {
			if e.Start < last {
				continue
			}
			newValue = append(newValue, value[last:e.Start]...)
			red := rn.r.redaction(b.entKinds[i])
			var v string
			if red.Mode == RedactMask || red.Mode == RedactPseudonym {
				v = string(value[e.Start:e.End]) // the other modes do not look at the value
			}
			newValue = red.appendTo(newValue, e.Type, v)
			last = e.End
		}
		newValue = append(newValue, value[last:]...)
	}
	b.val = newValue
	var path string
	if rn.reporting() {
		path = string(b.paths[l.ps:l.pe])
	}
	for i, e := range b.ents {
		fe := e
		if rn.reporting() {
			fe.Text = string(value[e.Start:e.End])
		}
		fe.Start, fe.End = int(rn.rawOffset(l, raw, e.Start)), int(rn.rawOffset(l, raw, e.End))
		rn.emit(fe, b.entKinds[i], path)
	}
	res.rs = len(rn.repl)
	switch {
	case res.removed && l.flags&leafCSV != 0:
		if l.flags&leafQuoted != 0 {
			rn.repl = append(rn.repl, '"', '"')
		}
	case res.removed:
	case l.flags&leafCSV != 0:
		rn.repl = appendCSVField(rn.repl, newValue, delim, l.flags&leafQuoted != 0)
	default:
		rn.repl = appendJSONString(rn.repl, newValue)
	}
	res.re = len(rn.repl)
	b.results = append(b.results, res)
}

// wholeValue: [a, b) is all of value but surrounding spaces.
func wholeValue(value []byte, a, b int) bool {
	return strings.TrimSpace(string(value[:a])) == "" && strings.TrimSpace(string(value[b:])) == ""
}

// rawOffset maps an offset in a leaf's value to an absolute input offset.
func (rn *run) rawOffset(l *leaf, raw []byte, off int) int64 {
	switch {
	case l.flags&leafString != 0 && l.flags&leafEscaped == 0:
		return l.start + 1 + int64(off)
	case l.flags&leafString != 0:
		return l.start + int64(jsonRawOffset(raw, off))
	case l.flags&leafQuoted != 0:
		return l.start + int64(csvRawOffset(raw, off))
	}
	return l.start + int64(off)
}

// structuredKeyValue reports a value whose key path names its content, with the limits the key-value pass
// applies to values it finds itself.
func (s *scanner) structuredKeyValue(kk keyKind, ks, vs, ve int) {
	v := s.text[vs:ve]
	limit := 128
	if kk == keyAddress {
		limit = 400
	}
	if v == "" || len(v) > limit || v == "null" || v == "true" || v == "false" {
		return
	}
	s.keyValue(kk, ks, vs, ve)
}
