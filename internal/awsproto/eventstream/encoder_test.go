package eventstream

import (
	"bytes"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// readVector reads a testdata .hex file: hex digits, # comments.
func readVector(t *testing.T, name string) []byte {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", name+".hex"))
	if err != nil {
		t.Fatal(err)
	}
	var digits strings.Builder
	for _, line := range strings.Split(string(text), "\n") {
		line, _, _ = strings.Cut(line, "#")
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// TestEncoderMatchesVectors encodes the messages of AWS's event-stream test
// vectors and compares the frames byte for byte.
func TestEncoderMatchesVectors(t *testing.T) {
	foo := []byte("{'foo':'bar'}")
	tests := []struct {
		name    string
		headers []Header
		payload []byte
	}{
		{"empty_message", nil, nil},
		{"payload_no_headers", nil, foo},
		{"payload_one_str_header", []Header{{"content-type", StringValue("application/json")}}, foo},
		{"int32_header", []Header{{"event-type", Int32Value(40972)}}, foo},
		{"all_headers", []Header{
			{"event-type", Int32Value(40972)},
			{"content-type", StringValue("application/json")},
			{"bool false", BoolValue(false)},
			{"bool true", BoolValue(true)},
			{"byte", Int8Value(-49)},
			{"byte buf", BytesValue("I'm a little teapot!")},
			{"timestamp", TimestampValue(time.UnixMilli(8675309))},
			{"int16", Int16Value(42)},
			{"int64", Int64Value(42424242)},
			{"uuid", UUIDValue{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		}, foo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := NewEncoder(&buf).Message(tt.headers, tt.payload); err != nil {
				t.Fatal(err)
			}
			if want := readVector(t, tt.name); !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("frame\n%x\nwant\n%x", buf.Bytes(), want)
			}
		})
	}
}

// decodeAll reads every message of a stream with the SDK's decoder.
func decodeAll(t *testing.T, stream []byte) []sdk.Message {
	t.Helper()
	dec := sdk.NewDecoder()
	r := bytes.NewReader(stream)
	var msgs []sdk.Message
	for r.Len() > 0 {
		m, err := dec.Decode(r, nil)
		if err != nil {
			t.Fatalf("message %d: %v", len(msgs), err)
		}
		msgs = append(msgs, m.Clone())
	}
	return msgs
}

func headerString(m sdk.Message, name string) string {
	v := m.Headers.Get(name)
	if v == nil {
		return "<absent>"
	}
	return v.String()
}

// TestEncoderRoundTripSDK writes a SubscribeToShard-like stream and reads it
// back with aws-sdk-go-v2's decoder, which checks both CRCs.
func TestEncoderRoundTripSDK(t *testing.T) {
	var stream bytes.Buffer
	enc := NewEncoder(&stream)
	event := []byte(`{"Records":[],"ContinuationSequenceNumber":"1","MillisBehindLatest":0}`)
	if err := enc.Event("initial-response", "application/json", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := enc.Event("SubscribeToShardEvent", "application/x-amz-cbor-1.1", event); err != nil {
		t.Fatal(err)
	}
	if err := enc.Event("ping", "", nil); err != nil {
		t.Fatal(err)
	}
	if err := enc.Exception("ResourceInUseException", "application/json", []byte(`{"message":"taken over"}`)); err != nil {
		t.Fatal(err)
	}
	if err := enc.Error("InternalFailure", "boom"); err != nil {
		t.Fatal(err)
	}

	msgs := decodeAll(t, stream.Bytes())
	want := []struct {
		headers map[string]string
		payload string
	}{
		{map[string]string{":message-type": "event", ":event-type": "initial-response", ":content-type": "application/json"}, "{}"},
		{map[string]string{":message-type": "event", ":event-type": "SubscribeToShardEvent", ":content-type": "application/x-amz-cbor-1.1"}, string(event)},
		{map[string]string{":message-type": "event", ":event-type": "ping", ":content-type": "<absent>"}, ""},
		{map[string]string{":message-type": "exception", ":exception-type": "ResourceInUseException", ":content-type": "application/json"}, `{"message":"taken over"}`},
		{map[string]string{":message-type": "error", ":error-code": "InternalFailure", ":error-message": "boom"}, ""},
	}
	if len(msgs) != len(want) {
		t.Fatalf("decoded %d messages, want %d", len(msgs), len(want))
	}
	for i, w := range want {
		for name, value := range w.headers {
			if got := headerString(msgs[i], name); got != value {
				t.Errorf("message %d header %s = %q, want %q", i, name, got, value)
			}
		}
		if string(msgs[i].Payload) != w.payload {
			t.Errorf("message %d payload %q, want %q", i, msgs[i].Payload, w.payload)
		}
	}
}

// TestEncoderMatchesSDKEncoder compares frames with the SDK's own encoder
// for every header type, extremes included.
func TestEncoderMatchesSDKEncoder(t *testing.T) {
	ts := time.Date(2024, 2, 29, 12, 0, 0, 123e6, time.UTC)
	ours := []Header{
		{"t", BoolValue(true)}, {"f", BoolValue(false)},
		{"i8", Int8Value(-128)}, {"i16", Int16Value(-32768)}, {"i32", Int32Value(-1 << 31)}, {"i64", Int64Value(-1 << 63)},
		{"bytes", BytesValue(bytes.Repeat([]byte{0xff}, MaxHeaderValueLen))},
		{"empty", StringValue("")}, {"string", StringValue("ünïcødé")},
		{"ts", TimestampValue(ts)}, {"uuid", UUIDValue{0xde, 0xad, 0xbe, 0xef}},
		{strings.Repeat("n", MaxHeaderNameLen), StringValue("long name")},
	}
	theirs := sdk.Headers{
		{Name: "t", Value: sdk.BoolValue(true)}, {Name: "f", Value: sdk.BoolValue(false)},
		{Name: "i8", Value: sdk.Int8Value(-128)}, {Name: "i16", Value: sdk.Int16Value(-32768)},
		{Name: "i32", Value: sdk.Int32Value(-1 << 31)}, {Name: "i64", Value: sdk.Int64Value(-1 << 63)},
		{Name: "bytes", Value: sdk.BytesValue(bytes.Repeat([]byte{0xff}, MaxHeaderValueLen))},
		{Name: "empty", Value: sdk.StringValue("")}, {Name: "string", Value: sdk.StringValue("ünïcødé")},
		{Name: "ts", Value: sdk.TimestampValue(ts)}, {Name: "uuid", Value: sdk.UUIDValue{0xde, 0xad, 0xbe, 0xef}},
		{Name: strings.Repeat("n", MaxHeaderNameLen), Value: sdk.StringValue("long name")},
	}
	payload := bytes.Repeat([]byte("payload "), 1000)
	var got, want bytes.Buffer
	if err := NewEncoder(&got).Message(ours, payload); err != nil {
		t.Fatal(err)
	}
	if err := sdk.NewEncoder().Encode(&want, sdk.Message{Headers: theirs, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("frames differ: ours %d bytes, SDK's %d bytes", got.Len(), want.Len())
	}
	if msgs := decodeAll(t, got.Bytes()); len(msgs) != 1 || !bytes.Equal(msgs[0].Payload, payload) {
		t.Errorf("decoded %d messages", len(msgs))
	}
}

func TestEncoderRejectsWhatClientsCannotRead(t *testing.T) {
	tests := []struct {
		name    string
		headers []Header
		payload []byte
	}{
		{"payload over 16 MiB", nil, make([]byte, MaxPayloadLen+1)},
		{"empty header name", []Header{{"", StringValue("x")}}, nil},
		{"header name over 255", []Header{{strings.Repeat("n", MaxHeaderNameLen+1), StringValue("x")}}, nil},
		{"string value over 32 KiB", []Header{{"s", StringValue(strings.Repeat("v", MaxHeaderValueLen+1))}}, nil},
		{"bytes value over 32 KiB", []Header{{"b", BytesValue(make([]byte, MaxHeaderValueLen+1))}}, nil},
		{"headers over 128 KiB", []Header{
			{"a", BytesValue(make([]byte, MaxHeaderValueLen))}, {"b", BytesValue(make([]byte, MaxHeaderValueLen))},
			{"c", BytesValue(make([]byte, MaxHeaderValueLen))}, {"d", BytesValue(make([]byte, MaxHeaderValueLen))},
			{"e", BytesValue(make([]byte, 100))},
		}, nil},
		{"duplicate header", []Header{{":event-type", StringValue("a")}, {":event-type", StringValue("b")}}, nil},
		{"nil value", []Header{{"x", nil}}, nil},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := NewEncoder(&buf).Message(tt.headers, tt.payload); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %d bytes", tt.name, buf.Len())
		}
	}
	// Exactly at the limits is fine.
	var buf bytes.Buffer
	if err := NewEncoder(&buf).Message([]Header{{"s", StringValue(strings.Repeat("v", MaxHeaderValueLen))}}, make([]byte, MaxPayloadLen)); err != nil {
		t.Errorf("at the limits: %v", err)
	}
}

// flushCounter is a ResponseWriter that records, at each flush, how many
// bytes had been written.
type flushCounter struct {
	httptest.ResponseRecorder
	flushedAt []int
}

func (f *flushCounter) Flush() { f.flushedAt = append(f.flushedAt, f.Body.Len()) }

// wrapper hides its writer's Flush behind Unwrap, as middleware does.
type wrapper struct{ http.ResponseWriter }

func (w wrapper) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// flushOnlyWriter is an io.Writer with Flush but no ResponseWriter methods.
type flushOnlyWriter struct {
	bytes.Buffer
	flushes int
}

func (f *flushOnlyWriter) Flush() { f.flushes++ }

func TestEncoderFlushesEachMessage(t *testing.T) {
	for _, wrapped := range []bool{false, true} {
		fc := &flushCounter{ResponseRecorder: *httptest.NewRecorder()}
		var w io.Writer = fc
		if wrapped {
			w = wrapper{fc}
		}
		enc := NewEncoder(w)
		var ends []int
		for _, payload := range []string{"{}", `{"a":1}`, ""} {
			if err := enc.Event("e", "application/json", []byte(payload)); err != nil {
				t.Fatal(err)
			}
			ends = append(ends, fc.Body.Len())
		}
		if len(fc.flushedAt) != len(ends) {
			t.Fatalf("wrapped=%v: %d flushes for %d messages", wrapped, len(fc.flushedAt), len(ends))
		}
		for i := range ends {
			if fc.flushedAt[i] != ends[i] {
				t.Errorf("wrapped=%v: flush %d after %d bytes, message ended at %d", wrapped, i, fc.flushedAt[i], ends[i])
			}
		}
	}

	fw := &flushOnlyWriter{}
	if err := NewEncoder(fw).Event("e", "", nil); err != nil || fw.flushes != 1 {
		t.Errorf("io.Writer with Flush: %d flushes, %v", fw.flushes, err)
	}
	// A ResponseWriter that cannot flush still gets its messages.
	noFlush := struct{ http.ResponseWriter }{httptest.NewRecorder()}
	if err := NewEncoder(noFlush).Event("e", "", nil); err != nil {
		t.Errorf("ResponseWriter without Flush: %v", err)
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestEncoderReportsWriteErrors(t *testing.T) {
	gone := io.ErrClosedPipe
	if err := NewEncoder(failingWriter{gone}).Event("e", "", []byte("x")); err != gone {
		t.Errorf("got %v, want %v", err, gone)
	}
}
