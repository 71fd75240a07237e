// Package eventstream writes AWS event-stream messages
// (application/vnd.amazon.eventstream), the framing of streamed responses
// such as Kinesis SubscribeToShard and CloudWatch Logs StartLiveTail.
//
// A message, all integers big-endian:
//
//	[u32 total length][u32 headers length][u32 CRC32 of the 8 bytes before]
//	[headers][payload]
//	[u32 CRC32 of everything before]
//
// CRC32 is IEEE; the frame adds 16 bytes to headers and payload. A header is
// [u8 name length][name][u8 value type][value], where the value is: 0 true,
// 1 false (no bytes), 2 int8, 3 int16, 4 int32, 5 int64, 6 bytes and
// 7 string ([u16 length][bytes]), 8 timestamp (int64 epoch milliseconds),
// 9 UUID (16 bytes).
package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"time"
)

// Limits clients enforce when decoding (botocore rejects larger headers and
// payloads; the SDKs' encoders cap header values at 32 KiB - 1).
const (
	MaxHeaderNameLen  = 255
	MaxHeaderValueLen = 1<<15 - 1
	MaxHeadersLen     = 128 << 10
	MaxPayloadLen     = 16 << 20
)

// preludeLen is the total and headers lengths plus the prelude CRC;
// frameOverhead adds the message CRC.
const (
	preludeLen    = 12
	frameOverhead = preludeLen + 4
)

// Header is one message header.
type Header struct {
	Name  string
	Value HeaderValue
}

// HeaderValue is a typed header value: BoolValue, Int8Value, Int16Value,
// Int32Value, Int64Value, BytesValue, StringValue, TimestampValue or
// UUIDValue.
type HeaderValue interface {
	// appendValue appends the type byte and the encoded value.
	appendValue(b []byte) ([]byte, error)
}

// Header value types, as the type byte says them.
const (
	typeTrue byte = iota
	typeFalse
	typeInt8
	typeInt16
	typeInt32
	typeInt64
	typeBytes
	typeString
	typeTimestamp
	typeUUID
)

type (
	BoolValue      bool
	Int8Value      int8
	Int16Value     int16
	Int32Value     int32
	Int64Value     int64
	BytesValue     []byte
	StringValue    string
	TimestampValue time.Time // written as epoch milliseconds
	UUIDValue      [16]byte
)

func (v BoolValue) appendValue(b []byte) ([]byte, error) {
	if v {
		return append(b, typeTrue), nil
	}
	return append(b, typeFalse), nil
}

func (v Int8Value) appendValue(b []byte) ([]byte, error) {
	return append(b, typeInt8, byte(v)), nil
}

func (v Int16Value) appendValue(b []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint16(append(b, typeInt16), uint16(v)), nil
}

func (v Int32Value) appendValue(b []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint32(append(b, typeInt32), uint32(v)), nil
}

func (v Int64Value) appendValue(b []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint64(append(b, typeInt64), uint64(v)), nil
}

func (v BytesValue) appendValue(b []byte) ([]byte, error) {
	return appendVariable(b, typeBytes, string(v))
}

func (v StringValue) appendValue(b []byte) ([]byte, error) {
	return appendVariable(b, typeString, string(v))
}

func (v TimestampValue) appendValue(b []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint64(append(b, typeTimestamp), uint64(time.Time(v).UnixMilli())), nil
}

func (v UUIDValue) appendValue(b []byte) ([]byte, error) {
	return append(append(b, typeUUID), v[:]...), nil
}

func appendVariable(b []byte, typ byte, v string) ([]byte, error) {
	if len(v) > MaxHeaderValueLen {
		return b, fmt.Errorf("header value of %d bytes exceeds %d", len(v), MaxHeaderValueLen)
	}
	b = binary.BigEndian.AppendUint16(append(b, typ), uint16(len(v)))
	return append(b, v...), nil
}

// Encoder writes messages to a stream. It flushes the stream after every
// message when it can (an http.ResponseWriter that is, or wraps, an
// http.Flusher), so each event reaches the client as it is written. An
// Encoder is not safe for concurrent use.
type Encoder struct {
	w      io.Writer
	flush  func() error
	buf    []byte  // prelude and headers of the message being written, reused
	crcBuf [4]byte // its message CRC
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder {
	e := &Encoder{w: w}
	switch f := w.(type) {
	case http.ResponseWriter:
		// ResponseController also reaches a Flusher behind Unwrap and
		// reports a connection that is gone.
		rc := http.NewResponseController(f)
		e.flush = func() error {
			if err := rc.Flush(); !errors.Is(err, http.ErrNotSupported) {
				return err
			}
			return nil
		}
	case http.Flusher:
		e.flush = func() error { f.Flush(); return nil }
	}
	return e
}

// Event writes an event message: :message-type event, :event-type
// eventType and, unless contentType is empty, :content-type.
func (e *Encoder) Event(eventType, contentType string, payload []byte) error {
	headers := []Header{{":event-type", StringValue(eventType)}}
	if contentType != "" {
		headers = append(headers, Header{":content-type", StringValue(contentType)})
	}
	return e.Message(append(headers, Header{":message-type", StringValue("event")}), payload)
}

// Exception writes an exception message (a modelled error that ends the
// stream, such as ResourceInUseException): :message-type exception,
// :exception-type code and, unless contentType is empty, :content-type.
// The payload is the error shape, typically {"message":"..."}.
func (e *Encoder) Exception(code, contentType string, payload []byte) error {
	headers := []Header{{":exception-type", StringValue(code)}}
	if contentType != "" {
		headers = append(headers, Header{":content-type", StringValue(contentType)})
	}
	return e.Message(append(headers, Header{":message-type", StringValue("exception")}), payload)
}

// Error writes an error message (an unmodelled service error): :message-type
// error with :error-code and :error-message headers and no payload.
func (e *Encoder) Error(code, message string) error {
	return e.Message([]Header{
		{":error-code", StringValue(code)},
		{":error-message", StringValue(message)},
		{":message-type", StringValue("error")},
	}, nil)
}

// Message writes one message with the given headers, in order, and payload,
// then flushes. It checks the limits clients enforce and writes nothing
// when a header or the payload breaks one.
func (e *Encoder) Message(headers []Header, payload []byte) error {
	if len(payload) > MaxPayloadLen {
		return fmt.Errorf("event stream payload of %d bytes exceeds %d", len(payload), MaxPayloadLen)
	}
	b := append(e.buf[:0], make([]byte, preludeLen)...) // prelude, filled in below
	for i, h := range headers {
		if len(h.Name) == 0 || len(h.Name) > MaxHeaderNameLen {
			return fmt.Errorf("event stream header name %q: length must be 1 to %d", h.Name, MaxHeaderNameLen)
		}
		if h.Value == nil {
			return fmt.Errorf("event stream header %s has no value", h.Name)
		}
		for _, prev := range headers[:i] {
			if prev.Name == h.Name {
				return fmt.Errorf("event stream header %s given twice", h.Name)
			}
		}
		b = append(append(b, byte(len(h.Name))), h.Name...)
		var err error
		if b, err = h.Value.appendValue(b); err != nil {
			return fmt.Errorf("event stream header %s: %w", h.Name, err)
		}
	}
	headersLen := len(b) - preludeLen
	if headersLen > MaxHeadersLen {
		return fmt.Errorf("event stream headers of %d bytes exceed %d", headersLen, MaxHeadersLen)
	}
	total := frameOverhead + headersLen + len(payload)
	binary.BigEndian.PutUint32(b[0:4], uint32(total))
	binary.BigEndian.PutUint32(b[4:8], uint32(headersLen))
	binary.BigEndian.PutUint32(b[8:12], crc32.ChecksumIEEE(b[0:8]))
	crc := crc32.Update(crc32.ChecksumIEEE(b), crc32.IEEETable, payload)
	e.buf = b

	// The payload is written from the caller's slice rather than copied
	// behind the headers: events can be megabytes.
	if _, err := e.w.Write(b); err != nil {
		return err
	}
	if len(payload) > 0 {
		if _, err := e.w.Write(payload); err != nil {
			return err
		}
	}
	if _, err := e.w.Write(binary.BigEndian.AppendUint32(e.crcBuf[:0], crc)); err != nil {
		return err
	}
	if e.flush != nil {
		return e.flush()
	}
	return nil
}
