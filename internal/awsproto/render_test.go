package awsproto

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// dumpResponse renders a recorded response as status line, sorted headers,
// blank line, body: the golden-file format.
func dumpResponse(rec *httptest.ResponseRecorder) string {
	return dumpHead(rec) + rec.Body.String()
}

// dumpHead is dumpResponse without the body.
func dumpHead(rec *httptest.ResponseRecorder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d\n", rec.Code)
	names := make([]string, 0, len(rec.Header()))
	for k := range rec.Header() {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range rec.Header()[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	return b.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s mismatch\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestWriteErrorGolden(t *testing.T) {
	noSuchKey := NewError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").
		With("Key", "dir/a b&c.txt").WithResource("/mybucket/dir/a b&c.txt")
	notModified := NewError(http.StatusNotModified, "NotModified", "Not Modified")
	notModified.Header = http.Header{"Etag": {`"d41d8cd98f00b204e9800998ecf8427e"`}}
	skewed := NewError(http.StatusForbidden, "RequestTimeTooSkewed",
		"The difference between the request time and the current time is too large.").
		With("RequestTime", "20250101T000000Z").With("ServerTime", "2025-01-01T00:20:00Z").With("MaxAllowedSkewMilliseconds", "900000")

	tests := []struct {
		name   string
		method string
		route  Route
		err    error
	}{
		{"s3_no_such_key", http.MethodGet, Route{Service: "s3", Protocol: ProtocolRESTXML}, noSuchKey},
		{"s3_time_skewed_extras", http.MethodPut, Route{Service: "s3", Protocol: ProtocolRESTXML}, skewed},
		{"s3_head_no_body", http.MethodHead, Route{Service: "s3", Protocol: ProtocolRESTXML}, noSuchKey},
		{"s3_not_modified", http.MethodGet, Route{Service: "s3", Protocol: ProtocolRESTXML}, notModified},
		{"s3_unexpected_error", http.MethodGet, Route{Service: "s3", Protocol: ProtocolRESTXML}, errors.New("disk on fire")},
		{"s3_wrapped_error", http.MethodGet, Route{Service: "s3", Protocol: ProtocolRESTXML},
			fmt.Errorf("lookup: %w", NewError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", "b"))},
		{"s3control_no_such_access_point", http.MethodGet, Route{Service: "s3control", Protocol: ProtocolS3Control},
			NewError(http.StatusNotFound, "NoSuchAccessPoint", "The specified accesspoint does not exist")},
		{"json11_resource_not_found", http.MethodPost, Route{Service: "kinesis", Protocol: ProtocolJSON11},
			NewError(http.StatusBadRequest, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")},
		{"json10_unknown_operation", http.MethodPost, Route{Protocol: ProtocolJSON10}, UnknownOperation(Route{Protocol: ProtocolJSON10}, "Frobnicate")},
		{"json11_unexpected_error", http.MethodPost, Route{Service: "logs", Protocol: ProtocolJSON11}, errors.New("boom")},
		{"restjson_not_found_with_extra", http.MethodGet, Route{Service: "lambda", Protocol: ProtocolRESTJSON},
			NewError(http.StatusNotFound, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f").With("Type", "User")},
		{"query_sts_invalid_action", http.MethodPost, Route{Service: "sts", Protocol: ProtocolQuery},
			UnknownOperation(Route{Service: "sts", Protocol: ProtocolQuery}, "Frobnicate")},
		{"query_iam_receiver", http.MethodPost, Route{Service: "iam", Protocol: ProtocolQuery}, errors.New("boom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/", nil)
			r = r.WithContext(WithRequestID(context.Background(), "4442587FB7D0A2F9"))
			rec := httptest.NewRecorder()
			if tt.route.Protocol.S3Headers() {
				rec.Header().Set(HeaderS3RequestID, "4442587FB7D0A2F9")
				rec.Header().Set(HeaderS3HostID, "aG9zdC1pZA==")
			} else {
				rec.Header().Set(HeaderRequestID, "4442587FB7D0A2F9")
			}
			WriteError(rec, r, tt.route, tt.err)
			checkGolden(t, "error_"+tt.name, dumpResponse(rec))
		})
	}
}

func TestUnsupportedOperationPerProtocol(t *testing.T) {
	tests := []struct {
		proto  Protocol
		status int
		code   string
	}{
		{ProtocolJSON11, 400, "UnknownOperationException"},
		{ProtocolJSON10, 400, "UnknownOperationException"},
		{ProtocolRESTJSON, 404, "UnknownOperationException"},
		{ProtocolRESTXML, 501, "NotImplemented"},
		{ProtocolS3Control, 501, "NotImplemented"},
		{ProtocolQuery, 400, "InvalidAction"},
	}
	for _, tt := range tests {
		e := UnsupportedOperation(Route{Protocol: tt.proto, Operation: "DoThing"})
		if e.Status != tt.status || e.Code != tt.code || !strings.Contains(e.Message, "DoThing") {
			t.Errorf("%s: got %d %s %q, want %d %s mentioning DoThing", tt.proto, e.Status, e.Code, e.Message, tt.status, tt.code)
		}
	}
}
