package kinesis

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
)

// PutRecords JSON fast path. encoding/json spends most of a PutRecords call
// validating the document and decoding the base64 blobs through reflection
// (measured: about two thirds of the handler's CPU at 500 × 1 KiB). This
// parser accepts only the canonical shape — one object with the exact
// member names, Records an array of objects of Data / PartitionKey /
// ExplicitHashKey strings without escapes — decodes every blob into one
// arena and takes every key from one copy of the body. Anything else
// (escapes, nulls, unknown or duplicate members, bad base64, trailing
// data) goes to the generic decoder on the same bytes, so errors stay
// exactly the generic ones.

// readRequestBody reads the whole body into buf, sized from Content-Length.
func readRequestBody(r *http.Request, buf *byteBuffer) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	b := bytes.NewBuffer(buf.b[:0])
	if n := r.ContentLength; n > 0 && n <= 64<<20 {
		b.Grow(int(n) + bytes.MinRead)
	}
	_, err := io.Copy(b, r.Body)
	buf.b = b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return buf.b, nil
}

// decodePutRecords decodes a PutRecords request: the fast path for
// canonical JSON, the generic decoder otherwise. The fast path reads the
// body into bodyBuf and decodes the blobs into arena (both pooled by the
// caller; in's Data slices point into arena).
func decodePutRecords(r *http.Request, in *putRecordsInput, bodyBuf, arena *byteBuffer) error {
	if isCBOR(r) {
		return decode(r, in)
	}
	body, err := readRequestBody(r, bodyBuf)
	if err != nil {
		return err
	}
	if fastPutRecords(body, in, arena) {
		return nil
	}
	*in = putRecordsInput{}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	return decode(r2, in)
}

type jsonScanner struct {
	b    []byte
	pos  int
	fail bool
}

func (p *jsonScanner) ws() {
	for p.pos < len(p.b) {
		switch p.b[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// expect consumes c after whitespace.
func (p *jsonScanner) expect(c byte) bool {
	p.ws()
	if p.pos < len(p.b) && p.b[p.pos] == c {
		p.pos++
		return true
	}
	p.fail = true
	return false
}

// peek returns the next non-space byte (0 at the end).
func (p *jsonScanner) peek() byte {
	p.ws()
	if p.pos < len(p.b) {
		return p.b[p.pos]
	}
	return 0
}

// str reads a string without escapes or control characters and returns
// its [start, end) in the body.
func (p *jsonScanner) str() (int, int) {
	if !p.expect('"') {
		return 0, 0
	}
	start := p.pos
	i := bytes.IndexByte(p.b[p.pos:], '"')
	if i < 0 {
		p.fail = true
		return 0, 0
	}
	end := start + i
	for _, c := range p.b[start:end] {
		if c == '\\' || c < 0x20 || c >= 0x80 {
			// Escapes, control characters and non-ASCII (which
			// encoding/json checks and may rewrite) take the generic path.
			p.fail = true
			return 0, 0
		}
	}
	p.pos = end + 1
	return start, end
}

// blob reads a base64 string value quickly: it only finds the closing
// quote. Whatever it lets through that JSON would refuse inside a string
// (a backslash, control characters, non-ASCII) is refused by the base64
// decoder later, except CR and LF, which the decoder skips: those are
// refused here.
func (p *jsonScanner) blob() (int, int) {
	if !p.expect('"') {
		return 0, 0
	}
	start := p.pos
	i := bytes.IndexByte(p.b[p.pos:], '"')
	if i < 0 {
		p.fail = true
		return 0, 0
	}
	end := start + i
	if bytes.IndexByte(p.b[start:end], '\n') >= 0 || bytes.IndexByte(p.b[start:end], '\r') >= 0 {
		p.fail = true
		return 0, 0
	}
	p.pos = end + 1
	return start, end
}

func fastPutRecords(body []byte, in *putRecordsInput, arenaBuf *byteBuffer) bool {
	p := &jsonScanner{b: body}
	if !p.expect('{') {
		return false
	}
	var recordsStart, recordsEnd int
	seen := map[string]bool{}
	var name, arn, id [2]int
	first := true
	for p.peek() != '}' {
		if !first && !p.expect(',') {
			return false
		}
		first = false
		ks, ke := p.str()
		if p.fail || !p.expect(':') {
			return false
		}
		key := string(body[ks:ke])
		if seen[key] {
			return false
		}
		seen[key] = true
		switch key {
		case "StreamName":
			name[0], name[1] = p.str()
		case "StreamARN":
			arn[0], arn[1] = p.str()
		case "StreamId":
			id[0], id[1] = p.str()
		case "Records":
			p.ws()
			recordsStart = p.pos
			if !p.skipRecords() {
				return false
			}
			recordsEnd = p.pos
		default:
			return false
		}
		if p.fail {
			return false
		}
	}
	p.pos++
	p.ws()
	if p.pos != len(body) || !seen["Records"] {
		return false
	}
	// Second pass over Records, now that the sizes are known: one arena
	// for every blob, one slice of entries.
	count, dataLen := p.recordStats(recordsStart, recordsEnd)
	if cap(arenaBuf.b) < dataLen {
		arenaBuf.b = make([]byte, dataLen)
	}
	arena := arenaBuf.b[:dataLen]
	strs := make([]string, 0, 2*count)
	entries := make([]putRecordsEntry, 0, count)
	p.pos = recordsStart
	p.expect('[')
	for p.peek() != ']' {
		if len(entries) > 0 {
			p.expect(',')
		}
		var e putRecordsEntry
		p.expect('{')
		firstMember := true
		var has [3]bool
		for p.peek() != '}' {
			if !firstMember && !p.expect(',') {
				return false
			}
			firstMember = false
			ks, ke := p.str()
			p.expect(':')
			key := string(body[ks:ke]) // no allocation: compared, not kept
			var vs, ve int
			if key == "Data" {
				vs, ve = p.blob()
			} else {
				vs, ve = p.str()
			}
			if p.fail {
				return false
			}
			switch key {
			case "Data":
				if has[0] {
					return false
				}
				has[0] = true
				n, err := base64.StdEncoding.Decode(arena, body[vs:ve])
				if err != nil {
					return false
				}
				e.Data, arena = arena[:n:n], arena[n:]
			case "PartitionKey":
				if has[1] {
					return false
				}
				has[1] = true
				strs = append(strs, string(body[vs:ve]))
				e.PartitionKey = &strs[len(strs)-1]
			case "ExplicitHashKey":
				if has[2] {
					return false
				}
				has[2] = true
				strs = append(strs, string(body[vs:ve]))
				e.ExplicitHashKey = &strs[len(strs)-1]
			default:
				return false
			}
		}
		p.pos++
		entries = append(entries, e)
	}
	if p.fail {
		return false
	}
	in.Records = entries
	if seen["StreamName"] {
		v := string(body[name[0]:name[1]])
		in.StreamName = &v
	}
	if seen["StreamARN"] {
		v := string(body[arn[0]:arn[1]])
		in.StreamARN = &v
	}
	if seen["StreamId"] {
		v := string(body[id[0]:id[1]])
		in.StreamId = &v
	}
	return true
}

// skipRecords checks the Records array's shape: objects of plain strings.
func (p *jsonScanner) skipRecords() bool {
	if !p.expect('[') {
		return false
	}
	firstRec := true
	for p.peek() != ']' {
		if !firstRec && !p.expect(',') {
			return false
		}
		firstRec = false
		if !p.expect('{') {
			return false
		}
		firstMember := true
		for p.peek() != '}' {
			if !firstMember && !p.expect(',') {
				return false
			}
			firstMember = false
			ks, ke := p.str()
			p.expect(':')
			if string(p.b[ks:ke]) == "Data" {
				p.blob()
			} else {
				p.str()
			}
			if p.fail {
				return false
			}
		}
		p.pos++
	}
	p.pos++
	return !p.fail
}

// recordStats counts the records and bounds their decoded data size
// (every string's decoded length; keys are short, so the bound is close).
func (p *jsonScanner) recordStats(start, end int) (count, dataLen int) {
	seg := p.b[start:end]
	count = bytes.Count(seg, []byte("{"))
	// Base64 decodes to at most 3/4 of its length; counting the whole
	// segment over-allocates only by the keys and punctuation.
	return count, base64.StdEncoding.DecodedLen(len(seg))
}
