package s3

import (
	"strconv"
	"strings"
)

// byteRange is a satisfiable range of an object: length bytes from start.
type byteRange struct {
	start, length int64
}

func (br byteRange) contentRange(size int64) string {
	return "bytes " + strconv.FormatInt(br.start, 10) + "-" + strconv.FormatInt(br.start+br.length-1, 10) + "/" + strconv.FormatInt(size, 10)
}

// parseRange interprets a Range header against an object of size bytes, as
// S3 does: one range per request, "bytes=a-b", "bytes=a-" or "bytes=-n".
// ok is false when the header must be ignored and the whole object served —
// no header, another unit, malformed syntax, or several ranges (S3 does not
// serve multipart/byteranges). An unsatisfiable range is 416 InvalidRange.
func parseRange(header string, size int64, resource string) (br byteRange, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !found {
		return br, false, nil
	}
	spec = strings.TrimSpace(spec)
	if strings.Contains(spec, ",") {
		return br, false, nil
	}
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return br, false, nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	unsatisfiable := errInvalidRange.WithResource(resource).
		With("RangeRequested", strings.TrimSpace(header)).With("ActualObjectSize", strconv.FormatInt(size, 10))
	if first == "" { // suffix range: the last n bytes
		n, okN := parseDigits(last)
		if !okN {
			return br, false, nil
		}
		if n == 0 || size == 0 {
			return br, false, unsatisfiable
		}
		n = min(n, size)
		return byteRange{start: size - n, length: n}, true, nil
	}
	a, okA := parseDigits(first)
	if !okA {
		return br, false, nil
	}
	end := size - 1
	if last != "" {
		b, okB := parseDigits(last)
		if !okB || b < a {
			return br, false, nil
		}
		end = min(b, size-1)
	}
	if a >= size {
		return br, false, unsatisfiable
	}
	return byteRange{start: a, length: end - a + 1}, true, nil
}

// parseDigits parses a non-empty run of ASCII digits that fits in an int64.
func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// pieceSpan is the part of one stored piece that a response needs.
type pieceSpan struct {
	piece  blobRef
	offset int64 // within the piece
	length int64
}

// spansFor maps [start, start+length) of an object onto its pieces, in order.
func spansFor(pieces []blobRef, start, length int64) []pieceSpan {
	var spans []pieceSpan
	var pos int64 // object offset of the current piece
	end := start + length
	for _, p := range pieces {
		pieceEnd := pos + p.Size
		if pieceEnd > start && pos < end && p.Size > 0 {
			from := max(start, pos)
			to := min(end, pieceEnd)
			spans = append(spans, pieceSpan{piece: p, offset: from - pos, length: to - from})
		}
		pos = pieceEnd
		if pos >= end {
			break
		}
	}
	return spans
}
