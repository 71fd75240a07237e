package s3

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

func TestPutGetRoundTrip(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	body := []byte("hello world\n")
	rec := h.put("bkt", "dir/a b+c.txt", body, map[string]string{
		"Content-Type":         "text/plain",
		"Content-Encoding":     "gzip,aws-chunked",
		"Content-Disposition":  `attachment; filename="a.txt"`,
		"Content-Language":     "en",
		"Cache-Control":        "no-cache",
		"Expires":              "Thu, 01 Dec 2030 16:00:00 GMT",
		"X-Amz-Meta-Color":     "blue",
		"x-amz-meta-Owner":     "Ana",
		"X-Amz-Tagging":        "team=data&env=prod%20eu",
		"X-Amz-Storage-Class":  "STANDARD_IA",
		"X-Amz-Checksum-Crc32": "rwg7LQ==", "X-Amz-Sdk-Checksum-Algorithm": "CRC32",
	})
	if rec.Header().Get("ETag") != `"6f5902ac237024bdd0c176cb93063dc4"` {
		t.Fatalf("etag %q", rec.Header().Get("ETag"))
	}
	if rec.Header().Get("X-Amz-Checksum-Crc32") != "rwg7LQ==" || rec.Header().Get("X-Amz-Checksum-Type") != "FULL_OBJECT" {
		t.Fatalf("checksum headers %v", rec.Header())
	}

	get := h.get("bkt", "dir/a b+c.txt", map[string]string{"X-Amz-Checksum-Mode": "ENABLED"})
	if get.Body.String() != string(body) || get.Code != 200 {
		t.Fatalf("get %d %q", get.Code, get.Body.String())
	}
	want := map[string]string{
		"Content-Type":                 "text/plain",
		"Content-Encoding":             "gzip",
		"Content-Disposition":          `attachment; filename="a.txt"`,
		"Content-Language":             "en",
		"Cache-Control":                "no-cache",
		"Expires":                      "Thu, 01 Dec 2030 16:00:00 GMT",
		"Content-Length":               "12",
		"Accept-Ranges":                "bytes",
		"ETag":                         `"6f5902ac237024bdd0c176cb93063dc4"`,
		"Last-Modified":                "Tue, 04 Mar 2025 05:06:07 GMT",
		"X-Amz-Meta-Color":             "blue",
		"X-Amz-Meta-Owner":             "Ana",
		"X-Amz-Tagging-Count":          "2",
		"X-Amz-Storage-Class":          "STANDARD_IA",
		"X-Amz-Checksum-Crc32":         "rwg7LQ==",
		"X-Amz-Checksum-Type":          "FULL_OBJECT",
		"X-Amz-Server-Side-Encryption": "AES256",
	}
	for k, v := range want {
		if got := headerValue(get.Header(), k); got != v {
			t.Errorf("GET %s = %q, want %q", k, got, v)
		}
	}
	if _, ok := get.Header()["x-amz-meta-color"]; !ok {
		t.Errorf("user metadata not sent in lower case: %v", get.Header())
	}
	head := h.ok(otReq{op: "HeadObject", method: "HEAD", bucket: "bkt", key: "dir/a b+c.txt"})
	if head.Body.Len() != 0 || head.Header().Get("Content-Length") != "12" || head.Header().Get("X-Amz-Checksum-Crc32") != "" {
		t.Fatalf("head: %v body %q (checksum only with checksum mode)", head.Header(), head.Body.String())
	}
	tags := h.ok(otReq{op: "GetObjectTagging", method: "GET", bucket: "bkt", key: "dir/a b+c.txt", query: "tagging"})
	if !strings.Contains(tags.Body.String(), "<Tag><Key>team</Key><Value>data</Value></Tag><Tag><Key>env</Key><Value>prod eu</Value></Tag>") {
		t.Fatalf("tags %s", tags.Body.String())
	}
}

// headerValue reads a header whether it was set canonically or in lower case.
func headerValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	if v, ok := h[strings.ToLower(name)]; ok && len(v) > 0 {
		return v[0]
	}
	return ""
}

func TestPutObjectDefaults(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "empty", nil, nil)
	get := h.get("bkt", "empty", map[string]string{"X-Amz-Checksum-Mode": "ENABLED"})
	if get.Header().Get("Content-Type") != "binary/octet-stream" || get.Header().Get("ETag") != `"d41d8cd98f00b204e9800998ecf8427e"` ||
		get.Header().Get("Content-Length") != "0" || get.Header().Get("X-Amz-Storage-Class") != "" || get.Header().Get("X-Amz-Tagging-Count") != "" {
		t.Fatalf("defaults: %v", get.Header())
	}
	if get.Header().Get("Content-Encoding") != "" {
		t.Fatalf("content-encoding set")
	}
	// Overwrite replaces the object and frees the old blob.
	h.put("bkt", "empty", []byte("now with data"), nil)
	if n := len(h.blobIDs()); n != 1 {
		t.Fatalf("%d blobs after overwrite", n)
	}
	if h.get("bkt", "empty", nil).Body.String() != "now with data" {
		t.Fatal("overwrite not visible")
	}
}

func TestPutObjectErrors(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	minus1 := int64(-1)
	tooBig := int64(5<<30 + 1)
	tests := []struct {
		name   string
		q      otReq
		code   string
		status int
	}{
		{"no bucket", otReq{bucket: "nobkt", key: "k", body: []byte("x")}, "NoSuchBucket", 404},
		{"no length", otReq{bucket: "bkt", key: "k", body: []byte("x"), contentLength: &minus1}, "MissingContentLength", 411},
		{"too large", otReq{bucket: "bkt", key: "k", body: []byte("x"), contentLength: &tooBig}, "EntityTooLarge", 400},
		{"short body", otReq{bucket: "bkt", key: "k", body: []byte("xyz"), contentLength: ptrInt64(10)}, "IncompleteBody", 400},
		{"bad storage class", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Storage-Class": "COLD"}}, "InvalidStorageClass", 400},
		{"metadata too large", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Meta-Big": strings.Repeat("v", 2046)}}, "MetadataTooLarge", 400},
		{"tag header duplicate", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Tagging": "a=1&a=2"}}, "InvalidArgument", 400},
		{"tag header bad escape", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Tagging": "a=%zz"}}, "InvalidArgument", 400},
		{"tag header too many", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Tagging": "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11"}}, "BadRequest", 400},
		{"tag header aws prefix", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Tagging": "aws%3Ax=1"}}, "InvalidTag", 400},
		{"content-md5 invalid", otReq{bucket: "bkt", key: "k", body: []byte("x"), header: map[string]string{"Content-MD5": "nope"}}, "InvalidDigest", 400},
		{"content-md5 mismatch", otReq{bucket: "bkt", key: "k", body: []byte("x"), header: map[string]string{"Content-MD5": md5B64("y")}}, "BadDigest", 400},
		{"checksum malformed", otReq{bucket: "bkt", key: "k", body: []byte("x"), header: map[string]string{"X-Amz-Checksum-Crc32": "AAAA"}}, "InvalidRequest", 400},
		{"two checksums", otReq{bucket: "bkt", key: "k", body: []byte("x"), header: map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA==", "X-Amz-Checksum-Sha1": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}}, "InvalidRequest", 400},
		{"object lock", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Object-Lock-Mode": "GOVERNANCE"}}, "InvalidRequest", 400},
		{"sse-kms", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Server-Side-Encryption": "aws:kms"}}, "NotImplemented", 501},
		{"sse unknown", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Server-Side-Encryption": "ROT13"}}, "InvalidArgument", 400},
		{"sse-c", otReq{bucket: "bkt", key: "k", header: map[string]string{"X-Amz-Server-Side-Encryption-Customer-Algorithm": "AES256"}}, "NotImplemented", 501},
		{"if-none-match etag", otReq{bucket: "bkt", key: "k", header: map[string]string{"If-None-Match": `"abc"`}}, "NotImplemented", 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.op, tt.q.method = "PutObject", "PUT"
			e := h.fail(tt.q, tt.code, tt.status)
			if e.Resource == "" {
				t.Errorf("no resource on %s", e.Code)
			}
			h.fail(otReq{op: "HeadObject", method: "HEAD", bucket: "bkt", key: "k"}, "NoSuchKey", 404)
			if ids := h.blobIDs(); len(ids) != 0 {
				t.Fatalf("blobs left behind: %v", ids)
			}
		})
	}
}

func ptrInt64(v int64) *int64 { return &v }

func md5B64(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// TestPutObjectChecksums covers each algorithm: a correct value (header or
// aws-chunked trailer) is stored and returned; a wrong one is BadDigest and
// leaves neither an object nor a blob.
func TestPutObjectChecksums(t *testing.T) {
	body := []byte("The quick brown fox jumps over the lazy dog")
	for _, alg := range checksumAlgorithms {
		for _, viaTrailer := range []bool{false, true} {
			name := alg
			if viaTrailer {
				name += "/trailer"
			}
			t.Run(name, func(t *testing.T) {
				h := newOTHarness(t)
				h.createBucket("bkt")
				good := checksumOf(alg, body)
				bad := checksumOf(alg, []byte("something else"))
				req := func(value string) otReq {
					q := otReq{op: "PutObject", method: "PUT", bucket: "bkt", key: "k", body: body, header: map[string]string{}}
					if viaTrailer {
						q.header["X-Amz-Trailer"] = checksumHeader(alg)
						q.trailer = http.Header{}
						q.trailer.Set(checksumHeader(alg), value)
					} else {
						q.header[checksumHeader(alg)] = value
					}
					return q
				}
				e := h.fail(req(bad), "BadDigest", 400)
				if !strings.Contains(e.Message, alg) {
					t.Errorf("message %q", e.Message)
				}
				h.fail(otReq{op: "HeadObject", method: "HEAD", bucket: "bkt", key: "k"}, "NoSuchKey", 404)
				if ids := h.blobIDs(); len(ids) != 0 {
					t.Fatalf("blob left behind: %v", ids)
				}
				rec := h.ok(req(good))
				if rec.Header().Get(checksumHeader(alg)) != good {
					t.Fatalf("PUT response checksum %q", rec.Header().Get(checksumHeader(alg)))
				}
				get := h.get("bkt", "k", map[string]string{"X-Amz-Checksum-Mode": "ENABLED"})
				if get.Header().Get(checksumHeader(alg)) != good || get.Header().Get("X-Amz-Checksum-Type") != "FULL_OBJECT" {
					t.Fatalf("GET checksum headers %v", get.Header())
				}
				// A ranged GET never carries the full-object checksum.
				rng := h.get("bkt", "k", map[string]string{"X-Amz-Checksum-Mode": "ENABLED", "Range": "bytes=0-3"})
				if rng.Code != 206 || rng.Header().Get(checksumHeader(alg)) != "" {
					t.Fatalf("ranged GET %d %v", rng.Code, rng.Header())
				}
			})
		}
	}
}

func TestPutObjectChecksumAlgorithmOnly(t *testing.T) {
	// x-amz-sdk-checksum-algorithm without a value: the server computes it.
	h := newOTHarness(t)
	h.createBucket("bkt")
	rec := h.put("bkt", "k", []byte("abc"), map[string]string{"X-Amz-Sdk-Checksum-Algorithm": "SHA256"})
	if rec.Header().Get("X-Amz-Checksum-Sha256") != checksumOf(algSHA256, []byte("abc")) {
		t.Fatalf("%v", rec.Header())
	}
	// The trailer was announced but never came.
	h.fail(otReq{op: "PutObject", method: "PUT", bucket: "bkt", key: "t", body: []byte("abc"),
		header: map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"}}, "InvalidRequest", 400)
	if n := len(h.blobIDs()); n != 1 {
		t.Fatalf("%d blobs", n)
	}
}

func TestConditionalPut(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	create := map[string]string{"If-None-Match": "*"}
	h.put("bkt", "k", []byte("v1"), create)
	e := h.fail(otReq{op: "PutObject", method: "PUT", bucket: "bkt", key: "k", body: []byte("v2"), header: create}, "PreconditionFailed", 412)
	if e.Extra["Condition"] != "If-None-Match" {
		t.Fatalf("condition %v", e.Extra)
	}
	etag1 := `"` + otMD5Hex([]byte("v1")) + `"`
	h.fail(otReq{op: "PutObject", method: "PUT", bucket: "bkt", key: "k", body: []byte("v2"), header: map[string]string{"If-Match": `"0000"`}}, "PreconditionFailed", 412)
	h.fail(otReq{op: "PutObject", method: "PUT", bucket: "bkt", key: "missing", body: []byte("v2"), header: map[string]string{"If-Match": etag1}}, "NoSuchKey", 404)
	h.put("bkt", "k", []byte("v2"), map[string]string{"If-Match": etag1})
	if got := h.get("bkt", "k", nil).Body.String(); got != "v2" {
		t.Fatalf("got %q", got)
	}
	// Unquoted ETags are accepted too.
	h.put("bkt", "k", []byte("v3"), map[string]string{"If-Match": otMD5Hex([]byte("v2"))})
	if n := len(h.blobIDs()); n != 1 {
		t.Fatalf("%d blobs", n)
	}
}

// TestConditionalPutDecidedAtCommit: the condition is evaluated again in the
// transaction that installs the object, so a writer that passed the early
// check but lost the race is refused and its blob discarded.
func TestConditionalPutDecidedAtCommit(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	wc := writeCondition{ifNoneMatch: "*"}
	existed, err := h.svc.precheckWrite(httpReq(), "bkt", "k", wc)
	if err != nil || existed {
		t.Fatalf("precheck: %v %v", existed, err)
	}
	h.put("bkt", "k", []byte("winner"), nil) // lands while the loser streams
	loser := &objectMeta{Key: "k", ETag: "x", Pieces: []blobRef{{BlobID: h.storeBlob([]byte("loser")), Size: 5}}}
	err = h.svc.putObjectRecord("bkt", loser, wc.commitCheck("bkt", "k", existed), nil)
	if e := asAWS(err); e == nil || e.Code != "PreconditionFailed" {
		t.Fatalf("got %v", err)
	}
	// If-Match whose object was deleted meanwhile: 409 ConditionalRequestConflict.
	wm := writeCondition{ifMatch: "*"}
	existed, _ = h.svc.precheckWrite(httpReq(), "bkt", "k", wm)
	h.ok(otReq{op: "DeleteObject", method: "DELETE", bucket: "bkt", key: "k"})
	err = h.svc.putObjectRecord("bkt", loser, wm.commitCheck("bkt", "k", existed), nil)
	if e := asAWS(err); e == nil || e.Code != "ConditionalRequestConflict" || e.Status != 409 {
		t.Fatalf("got %v", err)
	}
}

func TestGetObjectErrors(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "k", []byte("0123456789"), nil)
	h.put("bkt", "cold", []byte("zzz"), map[string]string{"X-Amz-Storage-Class": "GLACIER"})
	tests := []struct {
		name   string
		q      otReq
		code   string
		status int
	}{
		{"no bucket", otReq{bucket: "nobkt", key: "k"}, "NoSuchBucket", 404},
		{"no key", otReq{bucket: "bkt", key: "nokey"}, "NoSuchKey", 404},
		{"version id", otReq{bucket: "bkt", key: "k", query: "versionId=abc"}, "InvalidArgument", 400},
		{"part number zero", otReq{bucket: "bkt", key: "k", query: "partNumber=0"}, "InvalidArgument", 400},
		{"part number text", otReq{bucket: "bkt", key: "k", query: "partNumber=x"}, "InvalidArgument", 400},
		{"part number and range", otReq{bucket: "bkt", key: "k", query: "partNumber=1", header: map[string]string{"Range": "bytes=0-1"}}, "InvalidRequest", 400},
		{"part 2 of single", otReq{bucket: "bkt", key: "k", query: "partNumber=2"}, "InvalidPartNumber", 416},
		{"archived", otReq{bucket: "bkt", key: "cold"}, "InvalidObjectState", 403},
	}
	for _, tt := range tests {
		tt.q.op, tt.q.method = "GetObject", "GET"
		e := h.fail(tt.q, tt.code, tt.status)
		if e.Resource == "" {
			t.Errorf("%s: no resource", tt.name)
		}
	}
	e := h.fail(otReq{op: "GetObject", method: "GET", bucket: "bkt", key: "nokey"}, "NoSuchKey", 404)
	if e.Resource != "/bkt/nokey" || e.Extra["Key"] != "nokey" {
		t.Fatalf("NoSuchKey %+v", e)
	}
	// HEAD of an archived object works; versionId=null is the current object.
	h.ok(otReq{op: "HeadObject", method: "HEAD", bucket: "bkt", key: "cold"})
	h.ok(otReq{op: "GetObject", method: "GET", bucket: "bkt", key: "k", query: "versionId=null"})
}

func TestResponseOverrides(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "k", []byte("x"), map[string]string{"Content-Type": "text/plain", "Cache-Control": "max-age=1"})
	q := "response-content-type=application%2Fjson&response-content-language=fr&response-expires=Wed%2C%2021%20Oct%202015%2007%3A28%3A00%20GMT" +
		"&response-cache-control=no-store&response-content-disposition=inline&response-content-encoding=identity"
	for _, op := range []string{"GetObject", "HeadObject"} {
		rec := h.ok(otReq{op: op, method: "GET", bucket: "bkt", key: "k", query: q})
		for k, v := range map[string]string{"Content-Type": "application/json", "Content-Language": "fr",
			"Expires": "Wed, 21 Oct 2015 07:28:00 GMT", "Cache-Control": "no-store", "Content-Disposition": "inline", "Content-Encoding": "identity"} {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s %s = %q, want %q", op, k, got, v)
			}
		}
	}
}

func TestDeleteObject(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "k", []byte("x"), nil)
	rec := h.ok(otReq{op: "DeleteObject", method: "DELETE", bucket: "bkt", key: "k"})
	if rec.Code != 204 {
		t.Fatalf("status %d", rec.Code)
	}
	if n := len(h.blobIDs()); n != 0 {
		t.Fatalf("%d blobs after delete", n)
	}
	h.fail(otReq{op: "GetObject", method: "GET", bucket: "bkt", key: "k"}, "NoSuchKey", 404)
	if rec := h.ok(otReq{op: "DeleteObject", method: "DELETE", bucket: "bkt", key: "k"}); rec.Code != 204 {
		t.Fatalf("missing key: %d", rec.Code)
	}
	h.fail(otReq{op: "DeleteObject", method: "DELETE", bucket: "nobkt", key: "k"}, "NoSuchBucket", 404)
	// Conditional delete.
	h.put("bkt", "c", []byte("x"), nil)
	h.fail(otReq{op: "DeleteObject", method: "DELETE", bucket: "bkt", key: "c", header: map[string]string{"If-Match": `"nope"`}}, "PreconditionFailed", 412)
	h.fail(otReq{op: "DeleteObject", method: "DELETE", bucket: "bkt", key: "gone", header: map[string]string{"If-Match": `"nope"`}}, "NoSuchKey", 404)
	h.ok(otReq{op: "DeleteObject", method: "DELETE", bucket: "bkt", key: "c", header: map[string]string{"If-Match": `"` + otMD5Hex([]byte("x")) + `"`}})
	h.fail(otReq{op: "HeadObject", method: "HEAD", bucket: "bkt", key: "c"}, "NoSuchKey", 404)
}

func TestWebsiteRedirectLocation(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "page", []byte("x"), map[string]string{"X-Amz-Website-Redirect-Location": "/other", "X-Amz-Server-Side-Encryption": "AES256"})
	if got := h.get("bkt", "page", nil).Header().Get("X-Amz-Website-Redirect-Location"); got != "/other" {
		t.Fatalf("redirect %q", got)
	}
	// A copy does not inherit it.
	h.ok(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "copy", header: map[string]string{"X-Amz-Copy-Source": "bkt/page"}})
	if got := h.get("bkt", "copy", nil).Header().Get("X-Amz-Website-Redirect-Location"); got != "" {
		t.Fatalf("copied redirect %q", got)
	}
	h.fail(otReq{op: "CreateBucket", method: "PUT", bucket: "locked", header: map[string]string{"X-Amz-Bucket-Object-Lock-Enabled": "true"}}, "NotImplemented", 501)
}

func TestLastModifiedAndClock(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.now = time.Date(2024, 12, 31, 23, 59, 59, 999_999_999, time.UTC)
	h.put("bkt", "k", []byte("x"), nil)
	if lm := h.get("bkt", "k", nil).Header().Get("Last-Modified"); lm != "Tue, 31 Dec 2024 23:59:59 GMT" {
		t.Fatalf("last-modified %q", lm)
	}
}

// TestConcurrentCreateOnlyOneWins: many If-None-Match: * writers race for
// one key; exactly one succeeds, the rest get 412, and no blob leaks.
func TestConcurrentCreateOnlyOneWins(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	const writers = 16
	codes := make(chan string, writers)
	for i := 0; i < writers; i++ {
		go func(i int) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("PUT", "http://localhost/bkt/k", strings.NewReader(strings.Repeat("x", i+1)))
			req.Header.Set("If-None-Match", "*")
			err := h.svc.Handle(rec, req, awsproto.Route{Service: "s3", Operation: "PutObject", Protocol: awsproto.ProtocolRESTXML, Bucket: "bkt", Key: "k"})
			if e := awsproto.As(err); e != nil {
				codes <- e.Code
				return
			}
			codes <- "ok"
		}(i)
	}
	count := map[string]int{}
	for i := 0; i < writers; i++ {
		count[<-codes]++
	}
	if count["ok"] != 1 || count["PreconditionFailed"] != writers-1 {
		t.Fatalf("outcomes %v", count)
	}
	if n := len(h.blobIDs()); n != 1 {
		t.Fatalf("%d blobs", n)
	}
}
