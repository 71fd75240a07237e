package logs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// PutLogEvents JSON fast path. encoding/json spent about a quarter of a
// PutLogEvents call's CPU (1,000 events of 200 bytes) validating the body
// and decoding through reflection. This parser takes the shape SDKs send:
// one object whose members are strings, null, or logEvents, an array of
// objects of an integer timestamp and a string message. Messages without
// escapes are slices of one string copy of the body (no per-event
// allocation); escaped ones are decoded by encoding/json. Anything else
// (floats, unknown nesting, bad syntax) goes to the generic decoder on the
// same bytes, so its errors are exactly the generic ones.

func decodePutLogEvents(r *http.Request, in *putLogEventsInput) error {
	if awsproto.IsCBOR(r) || r.Body == nil || r.Body == http.NoBody {
		return awsproto.DecodeRequest(r, in)
	}
	var b bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= 64<<20 {
		b.Grow(int(n) + bytes.MinRead)
	}
	if _, err := io.Copy(&b, r.Body); err != nil {
		return awsproto.NewError(http.StatusBadRequest, "SerializationException", "failed to read the request body").WithCause(fmt.Errorf("read request body: %w", err))
	}
	body := b.Bytes()
	if fastPutLogEvents(body, in) {
		return nil
	}
	*in = putLogEventsInput{}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	return awsproto.DecodeRequest(r2, in)
}

type jsonCursor struct {
	b   string
	pos int
}

func (p *jsonCursor) ws() {
	for p.pos < len(p.b) {
		switch p.b[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonCursor) eat(c byte) bool {
	p.ws()
	if p.pos < len(p.b) && p.b[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// str reads a JSON string: a slice of the body when it has no escapes,
// else decoded by encoding/json. ok is false on anything malformed.
func (p *jsonCursor) str() (s string, ok bool) {
	p.ws()
	if p.pos >= len(p.b) || p.b[p.pos] != '"' {
		return "", false
	}
	start := p.pos + 1
	escaped := false // escapes or invalid UTF-8: decoded by encoding/json (which substitutes U+FFFD)
	for i := start; i < len(p.b); i++ {
		switch c := p.b[i]; {
		case c == '\\':
			escaped = true
			i++
		case c >= utf8.RuneSelf:
			if r, size := utf8.DecodeRuneInString(p.b[i:]); r == utf8.RuneError && size == 1 {
				escaped = true
			} else {
				i += size - 1
			}
		case c == '"':
			p.pos = i + 1
			if !escaped {
				return p.b[start:i], true
			}
			if err := json.Unmarshal(unsafe.Slice(unsafe.StringData(p.b[start-1:i+1]), i+2-start), &s); err != nil {
				return "", false
			}
			return s, true
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

// integer reads a JSON integer (no fraction or exponent).
func (p *jsonCursor) integer() (int64, bool) {
	p.ws()
	start := p.pos
	if p.pos < len(p.b) && p.b[p.pos] == '-' {
		p.pos++
	}
	for p.pos < len(p.b) && p.b[p.pos] >= '0' && p.b[p.pos] <= '9' {
		p.pos++
	}
	if p.pos < len(p.b) && (p.b[p.pos] == '.' || p.b[p.pos] == 'e' || p.b[p.pos] == 'E') {
		return 0, false
	}
	n, err := strconv.ParseInt(p.b[start:p.pos], 10, 64)
	return n, err == nil
}

func (p *jsonCursor) null() bool {
	p.ws()
	if len(p.b)-p.pos >= 4 && p.b[p.pos:p.pos+4] == "null" {
		p.pos += 4
		return true
	}
	return false
}

// fastPutLogEvents parses the canonical shape into in; false means "use
// the generic decoder" (in may be partly filled).
func fastPutLogEvents(body []byte, in *putLogEventsInput) bool {
	p := &jsonCursor{b: string(body)} // one copy; messages slice it
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return p.end()
	}
	for {
		key, ok := p.str()
		if !ok || !p.eat(':') {
			return false
		}
		switch key {
		case "logGroupName", "logStreamName", "sequenceToken":
			if p.null() {
				break
			}
			v, ok := p.str()
			if !ok {
				return false
			}
			switch key {
			case "logGroupName":
				in.LogGroupName = &v
			case "logStreamName":
				in.LogStreamName = &v
			default:
				in.SequenceToken = &v
			}
		case "logEvents":
			if !p.events(in) {
				return false
			}
		default:
			return false // entity and anything unknown: the generic decoder
		}
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return p.end()
		}
		return false
	}
}

func (p *jsonCursor) end() bool {
	p.ws()
	return p.pos == len(p.b)
}

func (p *jsonCursor) events(in *putLogEventsInput) bool {
	if in.LogEvents != nil || !p.eat('[') {
		return false
	}
	// Size the slices from a cheap count of braces (an overestimate);
	// events point into them, and appends past it leave old pointers valid.
	n := 0
	for i := p.pos; i < len(p.b); i++ {
		if p.b[i] == '{' {
			n++
		}
	}
	in.LogEvents = make([]inputLogEvent, 0, n)
	timestamps := make([]int64, 0, n)
	messages := make([]string, 0, n)
	if p.eat(']') {
		return true
	}
	for {
		if !p.eat('{') {
			return false
		}
		var ev inputLogEvent
		for {
			key, ok := p.str()
			if !ok || !p.eat(':') {
				return false
			}
			switch key {
			case "timestamp":
				if ev.Timestamp != nil {
					return false
				}
				ts, ok := p.integer()
				if !ok {
					return false
				}
				timestamps = append(timestamps, ts)
				ev.Timestamp = &timestamps[len(timestamps)-1]
			case "message":
				if ev.Message != nil {
					return false
				}
				m, ok := p.str()
				if !ok {
					return false
				}
				messages = append(messages, m)
				ev.Message = &messages[len(messages)-1]
			default:
				return false
			}
			if p.eat(',') {
				continue
			}
			if p.eat('}') {
				break
			}
			return false
		}
		in.LogEvents = append(in.LogEvents, ev)
		if p.eat(',') {
			continue
		}
		return p.eat(']')
	}
}

// putLogEventsOp is PutLogEvents with the fast decoder.
func (s *Service) putLogEventsOp(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in putLogEventsInput
	if err := decodePutLogEvents(r, &in); err != nil {
		return err
	}
	out, err := s.putLogEvents(r.Context(), &in)
	if err != nil {
		return err
	}
	return awsproto.WriteResponse(w, r, rt, out)
}
