package s3

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"
)

// decodeListedObject extracts the fields a listing shows from a stored
// objectMeta record. A listing decodes a thousand records per page, and
// encoding/json's reflection (with the user metadata, tags and pieces it
// would also walk) dominated the cost; this scanner reads the top-level
// members it needs, skips the rest without allocating, and hands any record
// it does not fully understand (escaped strings, unexpected shapes) to
// encoding/json, so it is never less correct than json.Unmarshal.
func decodeListedObject(rec []byte, o *listedObject) error {
	*o = listedObject{}
	rec, _ = splitRecord(rec) // an inline body is not listed
	if listScanObject(rec, o) {
		if o.LastModified == nil {
			o.setLastModified(time.Time{}) // as encoding/json leaves a missing mtime
		}
		return nil
	}
	return listDecodeSlow(rec, o)
}

// listDecodeSlow is the encoding/json path.
func listDecodeSlow(rec []byte, o *listedObject) error {
	var m struct {
		Size         int64     `json:"size"`
		ETag         string    `json:"etag"`
		LastModified time.Time `json:"mtime"`
		StorageClass string    `json:"sc"`
		Checksum     struct {
			Algorithm string `json:"alg"`
			Type      string `json:"type"`
		} `json:"ck"`
	}
	if err := json.Unmarshal(rec, &m); err != nil {
		return err
	}
	*o = listedObject{Size: m.Size, ETag: []byte(m.ETag), StorageClass: []byte(m.StorageClass)}
	o.setLastModified(m.LastModified)
	o.Checksum.Algorithm, o.Checksum.Type = []byte(m.Checksum.Algorithm), []byte(m.Checksum.Type)
	return nil
}

// setLastModified renders t as a listing shows it.
func (o *listedObject) setLastModified(t time.Time) {
	o.LastModified = t.UTC().AppendFormat(o.lastModified[:0], s3TimeLayout)
}

// listScanObject is the fast path; false means "use encoding/json".
func listScanObject(rec []byte, o *listedObject) bool {
	sc := listScanner{b: rec}
	ok := sc.object(func(name []byte) bool {
		switch string(name) {
		case "size":
			n, ok := sc.integer()
			o.Size = n
			return ok
		case "etag":
			o.ETag = sc.plainString()
			return o.ETag != nil
		case "sc":
			o.StorageClass = sc.plainString()
			return o.StorageClass != nil
		case "mtime":
			s := sc.plainString()
			if s == nil {
				return false
			}
			if text, ok := listS3Time(o.lastModified[:0], s); ok {
				o.LastModified = text
				return true
			}
			t, err := time.Parse(time.RFC3339Nano, string(s))
			o.setLastModified(t)
			return err == nil
		case "ck":
			return sc.object(func(name []byte) bool {
				switch string(name) {
				case "alg":
					o.Checksum.Algorithm = sc.plainString()
					return o.Checksum.Algorithm != nil
				case "type":
					o.Checksum.Type = sc.plainString()
					return o.Checksum.Type != nil
				}
				return !listFoldsTo(name, "alg", "type") && sc.skipValue()
			})
		}
		// encoding/json matches member names case-insensitively; leave any
		// such spelling to it.
		return !listFoldsTo(name, "size", "etag", "sc", "mtime", "ck") && sc.skipValue()
	})
	sc.ws()
	return ok && sc.i == len(sc.b)
}

// listFoldsTo reports whether name equals one of names ignoring case, as
// encoding/json matches them (bytes.EqualFold: Unicode folding, so "ſ"
// matches "s" and the Kelvin sign "k"). names are lower-case ASCII.
func listFoldsTo(name []byte, names ...string) bool {
	folds := false
	for _, c := range name {
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			folds = true
			break
		}
	}
	if !folds {
		// Lower-case ASCII equals a lower-case ASCII name ignoring case
		// only if it equals it exactly, and the caller has ruled that out.
		return false
	}
	for _, n := range names {
		if bytes.EqualFold(name, []byte(n)) {
			return true
		}
	}
	return false
}

// listScanner walks JSON produced by encoding/json.Marshal.
type listScanner struct {
	b []byte
	i int
}

func (s *listScanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\t' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *listScanner) next(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// object reads {"name": value, ...}, calling member with s positioned at
// each value (or the whitespace before it, which every reader here skips);
// member must consume it.
func (s *listScanner) object(member func(name []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		name := s.plainString()
		if name == nil || !s.next(':') {
			return false
		}
		if !member(name) {
			return false
		}
		if s.next(',') {
			continue
		}
		return s.next('}')
	}
}

// plainString reads a string that encoding/json would decode to its very
// bytes and returns them: nil if the value is not such a string. Escapes,
// control characters (an error) and invalid UTF-8 (replaced by U+FFFD) go
// the slow path.
func (s *listScanner) plainString() []byte {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil
	}
	// One pass finds the closing quote and vets the bytes: the strings read
	// here are short (member names, ETags, times), too short for
	// bytes.IndexByte's setup to pay.
	rest := s.b[s.i+1:]
	ascii := true
	for end, c := range rest {
		switch {
		case c == '"':
			str := rest[:end:end]
			if !ascii && !utf8.Valid(str) {
				return nil
			}
			s.i += end + 2
			return str
		case c < 0x20 || c == '\\':
			return nil
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil
}

// integer reads a JSON integer as encoding/json.Marshal writes one: an
// optional minus and digits without a leading zero. Anything else, and
// anything that might overflow, is left to the slow path.
func (s *listScanner) integer() (int64, bool) {
	s.ws()
	neg := s.i < len(s.b) && s.b[s.i] == '-'
	if neg {
		s.i++
	}
	start := s.i
	var n int64
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		n = n*10 + int64(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 18 || digits > 1 && s.b[start] == '0' {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// skipValue skips any JSON value: strings (with escapes), nested objects and
// arrays, numbers and literals.
func (s *listScanner) skipValue() bool {
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"':
		return s.skipString()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if !s.skipString() {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return true
				}
			}
			s.i++
		}
		return false
	default:
		start := s.i
		for s.i < len(s.b) && s.b[s.i] != ',' && s.b[s.i] != '}' && s.b[s.i] != ']' &&
			s.b[s.i] != ' ' && s.b[s.i] != '\n' && s.b[s.i] != '\t' && s.b[s.i] != '\r' {
			s.i++
		}
		return s.i > start
	}
}

func (s *listScanner) skipString() bool {
	s.i++ // opening quote
	for {
		q := bytes.IndexByte(s.b[s.i:], '"')
		if q < 0 {
			return false
		}
		q += s.i
		// The quote is escaped if an odd run of backslashes precedes it.
		bs := 0
		for q-1-bs >= s.i && s.b[q-1-bs] == '\\' {
			bs++
		}
		s.i = q + 1
		if bs%2 == 0 {
			return true
		}
	}
}

// listS3Time renders t, a time as encoding/json writes a UTC time.Time
// ("2006-01-02T15:04:05.999999999Z", fraction optional), in S3's listing
// form "2006-01-02T15:04:05.000Z" (truncated to milliseconds, as
// time.Format does) without parsing it into a time.Time and formatting it
// back, which cost a listing a fifth of its time. False means another shape
// or a field out of range: time.Parse decides then.
func listS3Time(dst, t []byte) ([]byte, bool) {
	const whole = len("2006-01-02T15:04:05")
	if len(t) < whole+1 || len(t) > whole+len(".999999999Z") || t[len(t)-1] != 'Z' ||
		t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' {
		return nil, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range t[i : i+n] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, second := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > listDaysIn(month, year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 {
		return nil, false
	}
	frac := t[whole : len(t)-1]
	if len(frac) > 0 && (len(frac) < 2 || frac[0] != '.' || num(whole+1, len(frac)-1) < 0) {
		return nil, false
	}
	dst = append(append(dst, t[:whole]...), ".000Z"...)
	if len(frac) > 0 {
		copy(dst[whole+1:whole+4], frac[1:min(len(frac), 4)])
	}
	return dst, true
}

// listDaysIn is the number of days in month of year (proleptic Gregorian).
func listDaysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
