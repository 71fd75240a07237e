package awsproto

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	type input struct {
		StreamName string `json:"StreamName"`
		ShardCount *int   `json:"ShardCount"`
	}
	tests := []struct {
		name    string
		body    string
		wantErr string // "" = success
		want    input
	}{
		{"object", `{"StreamName":"s","ShardCount":2}`, "", input{StreamName: "s", ShardCount: ptr(2)}},
		{"unknown members ignored", `{"StreamName":"s","Extra":true}`, "", input{StreamName: "s"}},
		{"empty body", ``, "", input{}},
		{"whitespace body", " \n", "", input{}},
		{"syntax error", `{"StreamName":`, "SerializationException", input{}},
		{"wrong type", `{"ShardCount":"two"}`, "SerializationException", input{}},
		{"trailing value", `{} {}`, "SerializationException", input{}},
		{"not an object", `[1]`, "SerializationException", input{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			var got input
			err := DecodeJSON(r, &got)
			if tt.wantErr != "" {
				e := As(err)
				if e == nil || e.Code != tt.wantErr || e.Status != http.StatusBadRequest {
					t.Fatalf("err = %v, want 400 %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.StreamName != tt.want.StreamName || (got.ShardCount == nil) != (tt.want.ShardCount == nil) ||
				(got.ShardCount != nil && *got.ShardCount != *tt.want.ShardCount) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestWriteJSONContentTypes(t *testing.T) {
	tests := []struct {
		proto Protocol
		ct    string
	}{
		{ProtocolJSON10, "application/x-amz-json-1.0"},
		{ProtocolJSON11, "application/x-amz-json-1.1"},
		{ProtocolRESTJSON, "application/json"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if err := WriteJSON(rec, r, Route{Protocol: tt.proto}, 200, map[string]int{"ShardCount": 1}); err != nil {
			t.Fatal(err)
		}
		if got := rec.Header().Get("Content-Type"); got != tt.ct {
			t.Errorf("%s: content type %q, want %q", tt.proto, got, tt.ct)
		}
		if rec.Body.String() != `{"ShardCount":1}` || rec.Header().Get("Content-Length") != "16" {
			t.Errorf("%s: body %q length %q", tt.proto, rec.Body.String(), rec.Header().Get("Content-Length"))
		}
	}
	rec := httptest.NewRecorder()
	if err := WriteJSON(rec, httptest.NewRequest(http.MethodPost, "/", nil), Route{Protocol: ProtocolJSON11}, 200, nil); err != nil {
		t.Fatal(err)
	}
	if rec.Body.String() != "{}" {
		t.Errorf("nil value body %q, want {}", rec.Body.String())
	}
}

func TestWriteXML(t *testing.T) {
	type location struct {
		XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
		Value   string   `xml:",chardata"`
	}
	rec := httptest.NewRecorder()
	if err := WriteXML(rec, http.StatusOK, location{Value: "eu-west-1"}); err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>`
	if rec.Body.String() != want {
		t.Errorf("body\n%s\nwant\n%s", rec.Body.String(), want)
	}
	if rec.Header().Get("Content-Type") != "application/xml" || rec.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
		t.Errorf("headers %v", rec.Header())
	}
}

func TestParseQuery(t *testing.T) {
	form := "Action=GetCallerIdentity&Version=2011-06-15&Policy=%7B%22a%22%3A1%7D"
	r := httptest.NewRequest(http.MethodPost, "/?Extra=1", strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	vals, err := ParseQuery(r)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}, "Policy": {`{"a":1}`}, "Extra": {"1"}}
	if vals.Encode() != want.Encode() {
		t.Errorf("got %v, want %v", vals, want)
	}
	// The body is still readable for signature checks and a second parse.
	again, err := ParseQuery(r)
	if err != nil || again.Get("Action") != "GetCallerIdentity" {
		t.Errorf("second parse: %v %v", again, err)
	}

	get := httptest.NewRequest(http.MethodGet, "/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	if vals, err := ParseQuery(get); err != nil || vals.Get("Action") != "GetCallerIdentity" {
		t.Errorf("query-string form: %v %v", vals, err)
	}

	bad := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=%zz"))
	bad.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := ParseQuery(bad); As(err) == nil || As(err).Code != "MalformedQueryString" {
		t.Errorf("bad form: err %v, want MalformedQueryString", err)
	}
}

func TestWriteQueryResponse(t *testing.T) {
	type result struct {
		Arn     string
		UserId  string
		Account string
	}
	rec := httptest.NewRecorder()
	route := Route{Service: "sts", Operation: "GetCallerIdentity", Protocol: ProtocolQuery}
	err := WriteQueryResponse(rec, route, result{"arn:aws:iam::000000000000:root", "000000000000", "000000000000"}, "REQ1")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "query_get_caller_identity", dumpResponse(rec))

	rec = httptest.NewRecorder()
	if err := WriteQueryResponse(rec, Route{Service: "iam", Operation: "DeleteUser", Protocol: ProtocolQuery}, nil, "REQ2"); err != nil {
		t.Fatal(err)
	}
	want := `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>REQ2</RequestId></ResponseMetadata></DeleteUserResponse>`
	if rec.Body.String() != want {
		t.Errorf("no-result body\n%s\nwant\n%s", rec.Body.String(), want)
	}
}

func TestValidationMessages(t *testing.T) {
	var v Validation
	if v.Err() != nil {
		t.Fatal("empty validation returned an error")
	}
	v.Add(strings.Repeat("x", 3), "streamName", ConstraintMaxLength(128))
	one := As(v.Err())
	wantOne := "1 validation error detected: Value 'xxx' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128"
	if one == nil || one.Code != "ValidationException" || one.Status != 400 || one.Message != wantOne {
		t.Fatalf("one violation: %+v\nwant message %q", one, wantOne)
	}
	v.AddNull("shardCount")
	v.Add("0", "limit", ConstraintMinValue(1))
	v.Add("bad name", "logGroupName", ConstraintPattern(`[\.\-_/#A-Za-z0-9]+`))
	v.Add("FOO", "shardLevelMetrics", ConstraintEnum("ALL", "IncomingBytes"))
	want := "5 validation errors detected: " +
		"Value 'xxx' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128; " +
		"Value null at 'shardCount' failed to satisfy constraint: Member must not be null; " +
		"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
		`Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+; ` +
		"Value 'FOO' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy enum value set: [ALL, IncomingBytes]"
	if got := v.Message(); got != want {
		t.Errorf("message\n%s\nwant\n%s", got, want)
	}
	if e := As(v.ErrWithCode("ValidationError")); e == nil || e.Code != "ValidationError" {
		t.Errorf("ErrWithCode: %v", e)
	}
}

func TestDecodeJSONMessages(t *testing.T) {
	type input struct {
		ShardCount *int `json:"ShardCount"`
	}
	tests := []struct{ body, message string }{
		{`{} {}`, "The request body holds more than one JSON value"},
		{`{"ShardCount":1} x`, "The request body holds more than one JSON value"},
		{`{"ShardCount":`, "The request body is not valid JSON"},
		{`{"ShardCount":1,}`, "The request body is not valid JSON"},
		{`{"ShardCount":"two"}`, "Unexpected string value for ShardCount"},
		{`"s"`, "Unexpected string value for the request"},
	}
	for _, tt := range tests {
		var got input
		e := As(DecodeJSON(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body)), &got))
		if e == nil || e.Code != "SerializationException" || e.Message != tt.message {
			t.Errorf("%s: got %+v, want SerializationException %q", tt.body, e, tt.message)
		}
	}
}

// onlyReader hides the body's io.WriterTo, as a network body has none.
type onlyReader struct{ io.Reader }

// failingBody fails mid-way with an AWS error, as the auth layer's
// checksumming body does on a digest mismatch.
type failingBody struct{ err error }

func (b failingBody) Read([]byte) (int, error) { return 0, b.err }

func TestReadBody(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	tests := []struct {
		name          string
		body          io.Reader
		contentLength int64
	}{
		{"in-memory body with length", bytes.NewReader(big), int64(len(big))},
		{"stream with length", onlyReader{bytes.NewReader(big)}, int64(len(big))},
		{"stream of unknown length", onlyReader{bytes.NewReader(big)}, -1},
		{"length beyond the preallocation cap", onlyReader{bytes.NewReader(big)}, maxPreallocatedBody + 1},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Body, r.ContentLength = io.NopCloser(tt.body), tt.contentLength
		got, err := readBody(r)
		if err != nil || !bytes.Equal(got, big) {
			t.Errorf("%s: %d bytes, %v", tt.name, len(got), err)
		}
	}

	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = io.NopCloser(failingBody{NewError(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "mismatch")})
	if e := As(DecodeRequest(r, new(map[string]any))); e == nil || e.Code != "XAmzContentSHA256Mismatch" {
		t.Errorf("read error: got %v, want the body's own AWS error", e)
	}
}

// jsonBody must produce the same response however the encoder splits its
// output across Writes.
func TestJSONBodySplitWrites(t *testing.T) {
	for _, chunks := range [][]string{
		{`{"a":1}` + "\n"},
		{`{"a"`, `:1}` + "\n"},
		{`{`, `"a":`, ``, `1}` + "\n"},
		{`{"a":1}`}, // never terminated: finish sends what came
	} {
		rec := httptest.NewRecorder()
		body := &jsonBody{w: rec, status: http.StatusOK, contentType: "application/x-amz-json-1.1"}
		for _, c := range chunks {
			if n, err := body.Write([]byte(c)); err != nil || n != len(c) {
				t.Fatalf("%q: Write = %d, %v", chunks, n, err)
			}
		}
		if err := body.finish(); err != nil {
			t.Fatal(err)
		}
		if rec.Body.String() != `{"a":1}` || rec.Header().Get("Content-Length") != "7" {
			t.Errorf("%q: body %q, Content-Length %s", chunks, rec.Body.String(), rec.Header().Get("Content-Length"))
		}
	}
}
