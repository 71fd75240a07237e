package s3

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
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
	*o = listedObject{Size: m.Size, ETag: []byte(m.ETag), LastModified: m.LastModified, StorageClass: []byte(m.StorageClass)}
	o.Checksum.Algorithm, o.Checksum.Type = []byte(m.Checksum.Algorithm), []byte(m.Checksum.Type)
	return nil
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
			t, err := time.Parse(time.RFC3339Nano, string(s))
			o.LastModified = t
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

// listFoldsTo reports whether name equals one of names ignoring case.
func listFoldsTo(name []byte, names ...string) bool {
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
// each value; member must consume it.
func (s *listScanner) object(member func(name []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		s.ws()
		name := s.plainString()
		if name == nil || !s.next(':') {
			return false
		}
		s.ws()
		if !member(name) {
			return false
		}
		if s.next(',') {
			continue
		}
		return s.next('}')
	}
}

// plainString reads a string without escapes and returns its bytes (nil if
// the value is not such a string: escaped strings go the slow path).
func (s *listScanner) plainString() []byte {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil
	}
	rest := s.b[s.i+1:]
	end := bytes.IndexByte(rest, '"')
	if end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		return nil
	}
	s.i += end + 2
	return rest[:end:end]
}

func (s *listScanner) integer() (int64, bool) {
	s.ws()
	start := s.i
	for s.i < len(s.b) && (s.b[s.i] == '-' || s.b[s.i] >= '0' && s.b[s.i] <= '9') {
		s.i++
	}
	n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	return n, err == nil
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
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return true
		}
		s.i++
	}
	return false
}
