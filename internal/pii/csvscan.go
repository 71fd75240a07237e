package pii

import (
	"bytes"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// CSV and TSV follow RFC 4180 as encoding/csv reads it: a field in double quotes may hold the delimiter, line
// breaks and doubled quotes; a quote inside an unquoted field is taken literally (encoding/csv's LazyQuotes).
// Every row and column is kept: an unchanged field is copied byte for byte, a redacted one is written the way
// encoding/csv's Writer would (quoted when it was quoted or now needs quotes); "remove" empties the field.
//
// The first row is a header, and its names give the columns' values context, when every cell is a short,
// distinct name with a letter and nothing that looks like data (no '@', no all-digit cell); otherwise it is
// scanned as data. A quoted field that does not end in a quote followed by a delimiter or a line break, or that
// EOF cuts off, makes the rest of the input fall back to text.

// maxColumns: header names are kept for this many columns; later columns have none.
const maxColumns = 4096

type csvField struct {
	start, end int64 // raw, with quotes
	quoted     bool
	escaped    bool // doubled quotes inside
}

// csv redacts CSV (delim ',') or TSV (delim '\t').
func (rn *run) csv(delim byte) error {
	s := &rn.src
	pos := int64(0)
	if bytes.HasPrefix(s.buf[:s.n], utf8BOM) {
		pos = 3
	}
	lastSafe := pos
	var headers [][]byte
	var first []csvField // fields of the first row, until the header is decided
	row, col := 0, 0
	var colName []byte
	for {
		if pos >= s.end() && !s.more(rn.written) {
			if s.err != nil {
				return s.err
			}
			break
		}
		f, next, why, need := csvNextField(s, pos, delim)
		if need {
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
			why = "unterminated quoted field"
			if s.full {
				why = "field longer than MaxToken"
			}
		}
		if why != "" {
			if row > 0 {
				if err := rn.csvFlush(delim, lastSafe); err != nil {
					return err
				}
			}
			rn.fallback(pos, why)
			_, err := rn.text(rn.written, -1)
			return err
		}
		endOfRow := next >= s.end() || s.at(next-1) == '\n'
		if row == 0 {
			first = append(first, f)
			if endOfRow {
				headers = csvHeader(s, first)
				for i, f := range first {
					if headers == nil {
						rn.csvLeaf(f, 0, nil, strconv.AppendInt(append(colName[:0], "column "...), int64(i+1), 10))
					}
				}
				first = nil
			}
		} else {
			var name []byte
			if col < len(headers) {
				name = headers[col]
			} else {
				name = strconv.AppendInt(append(colName[:0], "column "...), int64(col+1), 10)
			}
			rn.csvLeaf(f, uint64(row), name, name)
		}
		lastSafe = f.end
		pos = next
		col++
		if endOfRow {
			row, col = row+1, 0
		}
		if row > 0 && lastSafe-rn.written >= batchTarget {
			if err := rn.csvFlush(delim, lastSafe); err != nil {
				return err
			}
		}
	}
	return rn.csvFlush(delim, s.end())
}

// csvNextField reads the field at pos: the field, where the next one starts (after the delimiter or line
// break), or a reason it is invalid, or need when the buffered input ends inside it.
func csvNextField(s *source, pos int64, delim byte) (f csvField, next int64, why string, need bool) {
	b := s.slice(pos, s.end())
	f.start = pos
	i := 0
	if len(b) > 0 && b[0] == '"' {
		f.quoted = true
		for i = 1; ; {
			q := bytes.IndexByte(b[i:], '"')
			if q < 0 {
				return f, 0, "", true
			}
			i += q + 1
			if i == len(b) {
				if !s.eof {
					return f, 0, "", true
				}
				break
			}
			if b[i] == '"' {
				f.escaped = true
				i++
				continue
			}
			break
		}
		f.end = pos + int64(i)
		switch {
		case i == len(b):
			return f, f.end, "", false
		case b[i] == delim || b[i] == '\n':
			return f, f.end + 1, "", false
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			return f, f.end + 2, "", false
		case b[i] == '\r' && i+1 == len(b) && !s.eof:
			return f, 0, "", true
		}
		return f, 0, "extraneous character after a quoted field", false
	}
	for i < len(b) && b[i] != delim && b[i] != '\n' {
		i++
	}
	if i == len(b) && !s.eof {
		return f, 0, "", true
	}
	f.end = pos + int64(i)
	next = f.end
	if i < len(b) {
		next++
	}
	if i > 0 && b[i-1] == '\r' && i < len(b) && b[i] == '\n' {
		f.end--
	}
	return f, next, "", false
}

// csvHeader returns the column names when the first row is a header, else nil.
func csvHeader(s *source, fields []csvField) [][]byte {
	seen := map[string]bool{}
	names := make([][]byte, 0, len(fields))
	for i, f := range fields {
		v := csvValue(s, f, nil)
		if len(v) == 0 || len(v) > maxKeyLen || seen[string(v)] || bytes.IndexByte(v, '@') >= 0 || allDigits(string(v)) ||
			!bytes.ContainsFunc(v, unicode.IsLetter) {
			return nil
		}
		seen[string(v)] = true
		if i < maxColumns {
			names = append(names, v)
		}
	}
	return names
}

// csvValue appends a field's value to dst (a copy).
func csvValue(s *source, f csvField, dst []byte) []byte {
	raw := s.slice(f.start, f.end)
	if f.quoted {
		return csvUnquote(dst, raw)
	}
	return append(dst, raw...)
}

// csvLeaf queues a field for detection under a column name; path is what findings report.
func (rn *run) csvLeaf(f csvField, row uint64, name, path []byte) {
	if f.end-f.start < 3 && !f.quoted || f.end-f.start < 5 && f.quoted {
		return // too short to hold anything
	}
	b := &rn.b
	l := leaf{start: f.start, end: f.end, flags: leafCSV, ps: len(b.paths)}
	if rn.reporting() {
		b.paths = append(b.paths, path...)
	}
	l.pe = len(b.paths)
	raw := rn.src.slice(f.start, f.end)
	value := raw
	if f.quoted {
		l.flags |= leafQuoted
		if f.escaped {
			l.flags |= leafEscaped
		}
		b.tmp = csvUnquote(b.tmp[:0], raw)
		value = b.tmp
	}
	b.add(rn.r.det, l, row, nil, name, value)
}

func (rn *run) csvFlush(delim byte, to int64) error {
	rn.detectBatch(delim)
	for _, r := range rn.b.results {
		l := &rn.b.leaves[r.leaf]
		rn.edits = append(rn.edits, edit{start: l.start, end: l.end, rs: r.rs, re: r.re})
	}
	rn.b.reset()
	return rn.commit(to)
}

// csvUnquote appends the value of a quoted field (raw, with its quotes) to dst.
func csvUnquote(dst, raw []byte) []byte {
	raw = raw[1 : len(raw)-1]
	for i := 0; i < len(raw); i++ {
		dst = append(dst, raw[i])
		if raw[i] == '"' && i+1 < len(raw) && raw[i+1] == '"' {
			i++
		}
	}
	return dst
}

// csvRawOffset maps an offset in a quoted field's value to an offset in the field (raw, with quotes).
func csvRawOffset(raw []byte, off int) int {
	i, d := 1, 0
	for i < len(raw)-1 && d < off {
		if raw[i] == '"' {
			i++
		}
		i++
		d++
	}
	return i
}

// appendCSVField appends a field as encoding/csv's Writer would write it: in quotes (doubling quotes inside)
// when quoted is set or the value needs them.
func appendCSVField(dst, v []byte, delim byte, quoted bool) []byte {
	if !quoted && !csvNeedsQuotes(v, delim) {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for _, c := range v {
		if c == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// csvNeedsQuotes mirrors encoding/csv's fieldNeedsQuotes.
func csvNeedsQuotes(v []byte, delim byte) bool {
	if len(v) == 0 {
		return false
	}
	if string(v) == `\.` || bytes.IndexByte(v, delim) >= 0 || bytes.ContainsAny(v, "\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRune(v)
	return unicode.IsSpace(r)
}
