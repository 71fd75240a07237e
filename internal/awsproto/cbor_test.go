package awsproto

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Request and response shapes modelled on Kinesis' (json tags only, as
// services write them).
type testRecord struct {
	Data            []byte  `json:"Data"`
	PartitionKey    string  `json:"PartitionKey"`
	ExplicitHashKey *string `json:"ExplicitHashKey,omitempty"`
}

type testInput struct {
	StreamName        string       `json:"StreamName,omitempty"`
	ShardId           string       `json:"ShardId,omitempty"`
	ShardIteratorType string       `json:"ShardIteratorType,omitempty"`
	Timestamp         *Timestamp   `json:"Timestamp,omitempty"`
	Limit             *int         `json:"Limit,omitempty"`
	Data              []byte       `json:"Data,omitempty"`
	Records           []testRecord `json:"Records,omitempty"`
}

type testOutputRecord struct {
	SequenceNumber              string    `json:"SequenceNumber"`
	ApproximateArrivalTimestamp Timestamp `json:"ApproximateArrivalTimestamp"`
	Data                        []byte    `json:"Data"`
	PartitionKey                string    `json:"PartitionKey"`
	EncryptionType              string    `json:"EncryptionType,omitempty"`
}

type testGetRecordsOutput struct {
	Records            []testOutputRecord `json:"Records"`
	NextShardIterator  *string            `json:"NextShardIterator,omitempty"`
	MillisBehindLatest int64              `json:"MillisBehindLatest"`
	ChildShards        []string           `json:"ChildShards,omitempty"`
	ClosedAt           Timestamp          `json:"ClosedAt,omitzero"`
	Internal           string             `json:"-"`
}

// parseAnnotatedHex reads the testdata .hex format: hex bytes, "quoted"
// UTF-8 text copied as is, and # comments to the end of a line.
func parseAnnotatedHex(text string) ([]byte, error) {
	var out []byte
	for n, line := range strings.Split(text, "\n") {
		for rest := line; ; {
			rest = strings.TrimLeft(rest, " \t\r")
			if rest == "" || rest[0] == '#' {
				break
			}
			if rest[0] == '"' {
				end := strings.IndexByte(rest[1:], '"')
				if end < 0 {
					return nil, fmt.Errorf("line %d: unterminated string", n+1)
				}
				out = append(out, rest[1:1+end]...)
				rest = rest[2+end:]
				continue
			}
			tok, after, _ := strings.Cut(rest, " ")
			b, err := hex.DecodeString(tok)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n+1, err)
			}
			out = append(out, b...)
			rest = after
		}
	}
	return out, nil
}

func readHexFile(t testing.TB, path string) []byte {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseAnnotatedHex(string(text))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

func cborRequest(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", ContentTypeCBOR)
	r.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
	return r
}

// TestDecodeRequestCBORGolden decodes the CBOR of testdata/cbor_request_*.hex
// and compares the result, shown as JSON, with the .golden file beside it.
func TestDecodeRequestCBORGolden(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "cbor_request_*.hex"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no request fixtures: %v", err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".hex")
		t.Run(name, func(t *testing.T) {
			if err := cbor.Wellformed(readHexFile(t, path)); err != nil {
				t.Fatalf("fixture is not well-formed CBOR: %v", err)
			}
			var got testInput
			if err := DecodeRequest(cborRequest(readHexFile(t, path)), &got); err != nil {
				t.Fatal(err)
			}
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, string(out)+"\n")
		})
	}
}

func TestDecodeRequestCBORErrors(t *testing.T) {
	valid, err := cbor.Marshal(map[string]any{"StreamName": "s"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		hex     string
		message string // "" = any SerializationException message
	}{
		{"truncated map", `bf 6a "StreamName" 66 "str"`, "The request body is not valid CBOR"},
		{"missing break", `bf 6a "StreamName" 66 "stream"`, "The request body is not valid CBOR"},
		{"stray break", `ff`, "The request body is not valid CBOR"},
		{"reserved additional info", `1c`, "The request body is not valid CBOR"},
		{"invalid utf-8 text", `a1 6a "StreamName" 62 c3 28`, "The request body is not valid CBOR"},
		{"trailing item", hex.EncodeToString(valid) + ` a0`, "The request body holds more than one CBOR value"},
		{"text for an integer", `a1 65 "Limit" 63 "ten"`, "Unexpected text string value for Limit"},
		{"float for an integer", `a1 65 "Limit" fb 3f f8 00 00 00 00 00 00`, "Unexpected float or simple value for Limit"},
		{"integer overflow", `a1 65 "Limit" 1b ff ff ff ff ff ff ff ff`, "Unexpected integer value for Limit"},
		{"text for a blob array", `a1 67 "Records" 61 "x"`, "Unexpected text string value for Records"},
		{"bytes for a string", `a1 6a "StreamName" 41 41`, ""},
		{"array at top level", `81 a0`, "Unexpected array value for the request"},
		{"bad timestamp tag", `a1 69 "Timestamp" c2 41 01`, "Unexpected tag 2 value for Timestamp"},
		{"timestamp as map", `a1 69 "Timestamp" a0`, "Unexpected map value for Timestamp"},
		{"timestamp NaN", `a1 69 "Timestamp" f9 7e 00`, "Unexpected float or simple value for Timestamp"},
		{"nested too deep", strings.Repeat("81 ", 40) + "00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := parseAnnotatedHex(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			var got testInput
			err = DecodeRequest(cborRequest(body), &got)
			e := As(err)
			if e == nil || e.Code != "SerializationException" || e.Status != http.StatusBadRequest {
				t.Fatalf("err = %v, want 400 SerializationException", err)
			}
			if tt.message != "" && e.Message != tt.message {
				t.Errorf("message %q, want %q", e.Message, tt.message)
			}
		})
	}
}

func TestDecodeRequestCBOREmptyBody(t *testing.T) {
	got := testInput{StreamName: "kept"}
	if err := DecodeRequest(cborRequest(nil), &got); err != nil || got.StreamName != "kept" {
		t.Errorf("empty body: %v, %+v", err, got)
	}
}

func TestDecodeRequestPicksEncoding(t *testing.T) {
	tests := []struct {
		contentType string
		body        []byte
	}{
		{"application/x-amz-json-1.1", []byte(`{"StreamName":"s"}`)},
		{"", []byte(`{"StreamName":"s"}`)},
		{ContentTypeCBOR, []byte("\xa1\x6aStreamName\x61s")},
		{"Application/X-Amz-Cbor-1.1; charset=binary", []byte("\xa1\x6aStreamName\x61s")},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(tt.body))
		if tt.contentType != "" {
			r.Header.Set("Content-Type", tt.contentType)
		}
		var got testInput
		if err := DecodeRequest(r, &got); err != nil || got.StreamName != "s" {
			t.Errorf("%q: %v, %+v", tt.contentType, err, got)
		}
	}
	if IsCBOR(httptest.NewRequest(http.MethodPost, "/", nil)) {
		t.Error("IsCBOR without Content-Type")
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("Content-Type", "application/cbor")
	if IsCBOR(r) {
		t.Error("IsCBOR for plain application/cbor, which no AWS SDK sends")
	}
}

func testGetRecordsOutputValue() testGetRecordsOutput {
	iterator := "AAAAAAAAAAE="
	return testGetRecordsOutput{
		Records: []testOutputRecord{
			{SequenceNumber: "49546986683135544286507457936321625675700192471156785154",
				ApproximateArrivalTimestamp: Timestamp{time.UnixMilli(1700000000123)},
				Data:                        []byte{0x00, 0xff, 0x7f}, PartitionKey: "a"},
			{SequenceNumber: "49546986683135544286507457936321625675700192471156785155",
				ApproximateArrivalTimestamp: Timestamp{time.UnixMilli(1700000001000)},
				Data:                        []byte{}, PartitionKey: "pk", EncryptionType: "KMS"},
		},
		NextShardIterator:  &iterator,
		MillisBehindLatest: 0,
		Internal:           "never sent",
	}
}

// dumpCBORResponse is dumpResponse with the body as CBOR diagnostic
// notation plus a hex dump.
func dumpCBORResponse(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	diag, err := cbor.Diagnose(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("response body is not CBOR: %v", err)
	}
	return dumpHead(rec) + diag + "\n\n" + hex.Dump(rec.Body.Bytes())
}

func TestWriteResponseCBORGolden(t *testing.T) {
	tests := []struct {
		name  string
		value any
	}{
		{"get_records", testGetRecordsOutputValue()},
		{"empty_records", testGetRecordsOutput{Records: []testOutputRecord{}, MillisBehindLatest: 5}},
		{"nil_output", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			route := Route{Service: "kinesis", Operation: "GetRecords", Protocol: ProtocolJSON11}
			if err := WriteResponse(rec, cborRequest(nil), route, tt.value); err != nil {
				t.Fatal(err)
			}
			if got := rec.Header().Get("Content-Length"); got != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("Content-Length %s for %d bytes", got, rec.Body.Len())
			}
			checkGolden(t, "cbor_response_"+tt.name, dumpCBORResponse(t, rec))
		})
	}
}

func TestWriteResponseJSONMatchesWriteJSON(t *testing.T) {
	route := Route{Service: "kinesis", Operation: "GetRecords", Protocol: ProtocolJSON11}
	for _, v := range []any{testGetRecordsOutputValue(), nil, map[string]string{"a": "<&>"}} {
		viaResponse, viaJSON := httptest.NewRecorder(), httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if err := WriteResponse(viaResponse, r, route, v); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(viaJSON, r, route, http.StatusOK, v); err != nil {
			t.Fatal(err)
		}
		if dumpResponse(viaResponse) != dumpResponse(viaJSON) {
			t.Errorf("WriteResponse\n%s\nWriteJSON\n%s", dumpResponse(viaResponse), dumpResponse(viaJSON))
		}
		want := []byte("{}")
		if v != nil {
			var err error
			if want, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(viaJSON.Body.Bytes(), want) {
			t.Errorf("body %s, want json.Marshal's %s", viaJSON.Body.Bytes(), want)
		}
	}
}

func TestWriteResponseHEADAndEncodeError(t *testing.T) {
	route := Route{Service: "kinesis", Operation: "GetRecords", Protocol: ProtocolJSON11}
	for _, cborReq := range []bool{false, true} {
		r := httptest.NewRequest(http.MethodHead, "/", nil)
		if cborReq {
			r.Header.Set("Content-Type", ContentTypeCBOR)
		}
		rec := httptest.NewRecorder()
		if err := WriteResponse(rec, r, route, testGetRecordsOutputValue()); err != nil {
			t.Fatal(err)
		}
		if rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "0" {
			t.Errorf("cbor=%v HEAD: body %d bytes, Content-Length %s", cborReq, rec.Body.Len(), rec.Header().Get("Content-Length"))
		}

		r = httptest.NewRequest(http.MethodPost, "/", nil)
		if cborReq {
			r.Header.Set("Content-Type", ContentTypeCBOR)
		}
		rec = httptest.NewRecorder()
		err := WriteResponse(rec, r, route, map[string]any{"f": func() {}})
		if err == nil || !strings.Contains(err.Error(), "encode GetRecords response") {
			t.Errorf("cbor=%v unencodable value: err %v", cborReq, err)
		}
		if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
			t.Errorf("cbor=%v unencodable value wrote a response: %s", cborReq, dumpResponse(rec))
		}
	}
}

func TestWriteErrorCBORGolden(t *testing.T) {
	tests := []struct {
		name  string
		route Route
		err   error
	}{
		{"resource_not_found", Route{Service: "kinesis", Protocol: ProtocolJSON11},
			NewError(http.StatusBadRequest, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")},
		{"unexpected_error", Route{Service: "kinesis", Protocol: ProtocolJSON11}, errors.New("boom")},
		{"serialization", Route{Service: "kinesis", Protocol: ProtocolJSON11},
			errSerialization("The request body is not valid CBOR", nil).With("Extra", "x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cborRequest(nil).WithContext(WithRequestID(context.Background(), "4442587FB7D0A2F9"))
			rec := httptest.NewRecorder()
			rec.Header().Set(HeaderRequestID, "4442587FB7D0A2F9")
			WriteError(rec, r, tt.route, tt.err)
			checkGolden(t, "error_cbor_"+tt.name, dumpCBORResponse(t, rec))

			var body map[string]string
			if err := cbor.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body["__type"] != rec.Header().Get(HeaderErrorType) || body["message"] == "" {
				t.Errorf("body %v, X-Amzn-ErrorType %q", body, rec.Header().Get(HeaderErrorType))
			}
		})
	}
}

// A CBOR Content-Type only makes errors CBOR for the JSON protocols: an S3
// object may well be uploaded with that type.
func TestWriteErrorCBOROnlyForJSONProtocols(t *testing.T) {
	tests := []struct {
		proto Protocol
		ct    string
	}{
		{ProtocolJSON10, ContentTypeCBOR},
		{ProtocolJSON11, ContentTypeCBOR},
		{ProtocolRESTJSON, ContentTypeCBOR},
		{ProtocolRESTXML, "application/xml"},
		{ProtocolS3Control, "application/xml"},
		{ProtocolQuery, "text/xml"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		WriteError(rec, cborRequest(nil), Route{Protocol: tt.proto}, NewError(http.StatusBadRequest, "Bad", "bad"))
		if got := rec.Header().Get("Content-Type"); got != tt.ct {
			t.Errorf("%s: Content-Type %q, want %q", tt.proto, got, tt.ct)
		}
	}
}

// textEnum marshals itself as text, as enum types commonly do.
type textEnum int

func (e textEnum) MarshalText() ([]byte, error) { return []byte("enum-" + strconv.Itoa(int(e))), nil }

func (e *textEnum) UnmarshalText(b []byte) error {
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "enum-"))
	*e = textEnum(n)
	return err
}

// jsonPoint has its own JSON form, an array, which CBOR must follow.
type jsonPoint struct{ X, Y int }

func (p jsonPoint) MarshalJSON() ([]byte, error) { return json.Marshal([]int{p.X, p.Y}) }

func (p *jsonPoint) UnmarshalJSON(b []byte) error {
	var xy []int
	if err := json.Unmarshal(b, &xy); err != nil || len(xy) != 2 {
		return fmt.Errorf("point: %s", b)
	}
	p.X, p.Y = xy[0], xy[1]
	return nil
}

type mirrorShape struct {
	Name     string            `json:"name"`
	Untagged int               // no tag: the Go name, as in JSON
	Skipped  string            `json:"-"`
	Empty    string            `json:"empty,omitempty"`
	Blob     []byte            `json:"blob"`
	When     Timestamp         `json:"when"`
	Kind     textEnum          `json:"kind"`
	Point    jsonPoint         `json:"point"`
	Raw      json.RawMessage   `json:"raw"`
	Tags     map[string]string `json:"tags"`
	Any      any               `json:"any"`
	Range    emptyable         `json:"range,omitempty"` // a struct: never omitted, as in JSON
}

type emptyable struct {
	Start string `json:"start,omitempty"`
}

// TestCBORMirrorsJSON checks that a shape means the same in CBOR as in JSON:
// names and omissions from json tags, TextMarshaler and json.Marshaler
// types, and that both encodings decode back to the same value.
func TestCBORMirrorsJSON(t *testing.T) {
	in := mirrorShape{
		Name: "n", Untagged: 7, Skipped: "x", Blob: []byte{1, 2}, When: Timestamp{time.UnixMilli(1700000000123).UTC()},
		Kind: 3, Point: jsonPoint{4, 5}, Raw: json.RawMessage(`{"k":[1,"v",true,null,1.5]}`),
		Tags: map[string]string{"b": "2", "a": "1"}, Any: map[string]any{"z": "y"},
	}
	b, err := cborEnc.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	diag, err := cbor.Diagnose(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"any": {"z": "y"}, "raw": {"k": [1, "v", true, null, 1.5]}, "blob": h'0102', "kind": "enum-3", "name": "n", "tags": {"a": "1", "b": "2"}, "when": 1700000000123, "point": [4, 5], "range": {}, "Untagged": 7}`
	if diag != want {
		t.Errorf("encoded\n%s\nwant\n%s", diag, want)
	}

	var fromCBOR, fromJSON mirrorShape
	r := cborRequest(b)
	if err := DecodeRequest(r, &fromCBOR); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := DecodeRequest(httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(j)), &fromJSON); err != nil {
		t.Fatal(err)
	}
	in.Skipped = ""
	fromCBOR.Raw, fromJSON.Raw, in.Raw = compactJSON(t, fromCBOR.Raw), compactJSON(t, fromJSON.Raw), compactJSON(t, in.Raw)
	if !reflect.DeepEqual(fromCBOR, in) {
		t.Errorf("CBOR round trip\n%+v\nwant\n%+v", fromCBOR, in)
	}
	if !reflect.DeepEqual(fromJSON, fromCBOR) {
		t.Errorf("JSON decodes to\n%+v\nCBOR to\n%+v", fromJSON, fromCBOR)
	}
}

func compactJSON(t *testing.T, raw json.RawMessage) json.RawMessage {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return b.Bytes()
}

// FuzzDecodeRequestCBOR: any body decodes or is a 400 SerializationException,
// never a panic or another error.
func FuzzDecodeRequestCBOR(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "cbor_request_*.hex"))
	for _, path := range paths {
		f.Add(readHexFile(f, path))
	}
	for _, seed := range []string{"", "\xa0", "\xbf\xff", "\x9f\xff", "\xc1\x1b\x00\x00\x01\x8b\xcf\xe5\x68\x7b", "\x5f\x41\x00\xff", "\xf6"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in testInput
		checkDecodeOutcome(t, DecodeRequest(cborRequest(body), &in))
		var shape mirrorShape
		checkDecodeOutcome(t, DecodeRequest(cborRequest(body), &shape))
		var anything any
		checkDecodeOutcome(t, DecodeRequest(cborRequest(body), &anything))
	})
}

func checkDecodeOutcome(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if e := As(err); e == nil || e.Code != "SerializationException" || e.Status != http.StatusBadRequest {
		t.Fatalf("err = %v, want nil or 400 SerializationException", err)
	}
}

func TestMarshalEventPayload(t *testing.T) {
	event := struct {
		Records                    []testOutputRecord `json:"Records"`
		ContinuationSequenceNumber string             `json:"ContinuationSequenceNumber"`
	}{testGetRecordsOutputValue().Records[:1], "1"}

	payload, ct, err := MarshalEventPayload(cborRequest(nil), event)
	if err != nil || ct != ContentTypeCBOR {
		t.Fatalf("CBOR: %q %v", ct, err)
	}
	diag, err := cbor.Diagnose(payload)
	want := `{"Records": [{"Data": h'00ff7f', "PartitionKey": "a", "SequenceNumber": "49546986683135544286507457936321625675700192471156785154", "ApproximateArrivalTimestamp": 1700000000123}], "ContinuationSequenceNumber": "1"}`
	if err != nil || diag != want {
		t.Errorf("CBOR payload\n%s (%v)\nwant\n%s", diag, err, want)
	}

	payload, ct, err = MarshalEventPayload(httptest.NewRequest(http.MethodPost, "/", nil), event)
	wantJSON := `{"Records":[{"SequenceNumber":"49546986683135544286507457936321625675700192471156785154","ApproximateArrivalTimestamp":1700000000.123,"Data":"AP9/","PartitionKey":"a"}],"ContinuationSequenceNumber":"1"}`
	if err != nil || ct != "application/json" || string(payload) != wantJSON {
		t.Errorf("JSON: %q %s %v", ct, payload, err)
	}
}
