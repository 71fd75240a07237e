package s3

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestParseCopySource(t *testing.T) {
	tests := []struct {
		raw, bucket, key string
		ok               bool
	}{
		{"/bkt/key", "bkt", "key", true},
		{"bkt/key", "bkt", "key", true},
		{"/bkt/dir/a%20b%2Bc.txt", "bkt", "dir/a b+c.txt", true},
		{"/bkt/%C3%A9t%C3%A9%20%281%29.txt", "bkt", "été (1).txt", true},
		{"/bkt/what%3F.txt", "bkt", "what?.txt", true},
		{"/bkt/key?versionId=null", "bkt", "key", true},
		{"/bkt/key?versionId=3HL4kqtJlcpXroDTDmJ", "", "", false},
		{"/bkt/", "", "", false},
		{"/bkt", "", "", false},
		{"", "", "", false},
		{"/bkt/bad%zz", "", "", false},
	}
	for _, tt := range tests {
		cs, err := parseCopySource(tt.raw)
		if tt.ok != (err == nil) {
			t.Errorf("%q: err %v", tt.raw, err)
			continue
		}
		if err != nil {
			if e := asAWS(err); e == nil || e.Code != "InvalidArgument" || e.Extra["ArgumentName"] != "x-amz-copy-source" {
				t.Errorf("%q: %v", tt.raw, err)
			}
			continue
		}
		if cs.bucket != tt.bucket || cs.key != tt.key {
			t.Errorf("%q: got %+v", tt.raw, cs)
		}
	}
}

type otCopyResult struct {
	XMLName       xml.Name `xml:"CopyObjectResult"`
	ETag          string
	LastModified  string
	ChecksumCRC32 string
	ChecksumType  string
}

func TestCopyObject(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("src")
	h.createBucket("dst")
	body := []byte("copy me, byte for byte")
	h.put("src", "a b", body, map[string]string{
		"Content-Type": "text/plain", "X-Amz-Meta-Color": "blue", "X-Amz-Tagging": "t=1",
		"X-Amz-Checksum-Crc32": checksumOf(algCRC32, body),
	})
	h.now = h.now.Add(3600e9)

	rec := h.ok(otReq{op: "CopyObject", method: "PUT", bucket: "dst", key: "copy", header: map[string]string{"X-Amz-Copy-Source": "/src/a%20b"}})
	if !strings.Contains(rec.Body.String(), `<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`) {
		t.Fatalf("body %s", rec.Body.String())
	}
	var res otCopyResult
	if err := xml.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.ETag != `"`+otMD5Hex(body)+`"` || res.LastModified != "2025-03-04T06:06:07.890Z" ||
		res.ChecksumCRC32 != checksumOf(algCRC32, body) || res.ChecksumType != "FULL_OBJECT" {
		t.Fatalf("result %+v", res)
	}
	get := h.get("dst", "copy", nil)
	if get.Body.String() != string(body) || get.Header().Get("Content-Type") != "text/plain" ||
		headerValue(get.Header(), "x-amz-meta-color") != "blue" || get.Header().Get("X-Amz-Tagging-Count") != "1" {
		t.Fatalf("copy: %v", get.Header())
	}
	// The copy owns its bytes: deleting the source leaves it intact.
	h.ok(otReq{op: "DeleteObject", method: "DELETE", bucket: "src", key: "a b"})
	if h.get("dst", "copy", nil).Body.String() != string(body) {
		t.Fatal("copy lost its bytes with the source")
	}
	if n := len(h.blobIDs()); n != 1 {
		t.Fatalf("%d blobs", n)
	}
}

func TestCopyObjectDirectives(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "src", []byte("x"), map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-A": "1", "X-Amz-Tagging": "k=v"})
	h.ok(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "r", header: map[string]string{
		"X-Amz-Copy-Source": "bkt/src", "X-Amz-Metadata-Directive": "REPLACE", "Content-Type": "application/json",
		"X-Amz-Meta-B": "2", "X-Amz-Tagging-Directive": "REPLACE", "X-Amz-Tagging": "n=1&m=2", "X-Amz-Storage-Class": "ONEZONE_IA",
	}})
	rec := h.get("bkt", "r", nil)
	if rec.Header().Get("Content-Type") != "application/json" || headerValue(rec.Header(), "x-amz-meta-a") != "" ||
		headerValue(rec.Header(), "x-amz-meta-b") != "2" || rec.Header().Get("X-Amz-Tagging-Count") != "2" ||
		rec.Header().Get("X-Amz-Storage-Class") != "ONEZONE_IA" {
		t.Fatalf("replace: %v", rec.Header())
	}
	// COPY ignores the request's metadata headers.
	h.ok(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "c", header: map[string]string{
		"X-Amz-Copy-Source": "bkt/src", "Content-Type": "application/json", "X-Amz-Meta-B": "2"}})
	rec = h.get("bkt", "c", nil)
	if rec.Header().Get("Content-Type") != "text/plain" || headerValue(rec.Header(), "x-amz-meta-a") != "1" || headerValue(rec.Header(), "x-amz-meta-b") != "" {
		t.Fatalf("copy: %v", rec.Header())
	}
	for _, hdr := range []map[string]string{
		{"X-Amz-Metadata-Directive": "MERGE"},
		{"X-Amz-Tagging-Directive": "KEEP"},
		{"X-Amz-Checksum-Algorithm": "MD4"},
	} {
		hdr["X-Amz-Copy-Source"] = "bkt/src"
		h.fail(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "x", header: hdr}, "InvalidArgument", 400)
	}
	h.fail(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "x", header: map[string]string{
		"X-Amz-Copy-Source": "bkt/src", "X-Amz-Storage-Class": "ICE"}}, "InvalidStorageClass", 400)
}

func TestCopyObjectOntoItself(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "k", []byte("same"), map[string]string{"X-Amz-Meta-V": "1"})
	src := map[string]string{"X-Amz-Copy-Source": "/bkt/k"}
	e := h.fail(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "k", header: src}, "InvalidRequest", 400)
	if e.Message != "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes." {
		t.Fatalf("message %q", e.Message)
	}
	// Naming the storage class it already has changes nothing.
	h.fail(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "k", header: with(src, "X-Amz-Storage-Class", "STANDARD")}, "InvalidRequest", 400)
	legal := []map[string]string{
		with(src, "X-Amz-Metadata-Directive", "REPLACE"),
		with(src, "X-Amz-Storage-Class", "STANDARD_IA"),
		with(src, "X-Amz-Server-Side-Encryption", "AES256"),
		with(src, "X-Amz-Website-Redirect-Location", "/other"),
		with(src, "X-Amz-Checksum-Algorithm", "SHA256"),
	}
	for _, hdr := range legal {
		h.ok(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "k", header: hdr})
	}
	rec := h.get("bkt", "k", map[string]string{"X-Amz-Checksum-Mode": "ENABLED"})
	if rec.Body.String() != "same" || rec.Header().Get("X-Amz-Checksum-Sha256") != checksumOf(algSHA256, []byte("same")) {
		t.Fatalf("after self-copies: %q %v", rec.Body.String(), rec.Header())
	}
	if n := len(h.blobIDs()); n != 1 {
		t.Fatalf("%d blobs after self-copies", n)
	}
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for kk, vv := range m {
		out[kk] = vv
	}
	return out
}

func TestCopyObjectErrors(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "src", []byte("x"), nil)
	h.put("bkt", "cold", []byte("x"), map[string]string{"X-Amz-Storage-Class": "DEEP_ARCHIVE"})
	tests := []struct {
		name   string
		bucket string
		header map[string]string
		code   string
		status int
	}{
		{"no source header", "bkt", map[string]string{}, "InvalidArgument", 400},
		{"no source bucket", "bkt", map[string]string{"X-Amz-Copy-Source": "/nobkt/src"}, "NoSuchBucket", 404},
		{"no source key", "bkt", map[string]string{"X-Amz-Copy-Source": "/bkt/nokey"}, "NoSuchKey", 404},
		{"no destination bucket", "nobkt", map[string]string{"X-Amz-Copy-Source": "/bkt/src"}, "NoSuchBucket", 404},
		{"archived source", "bkt", map[string]string{"X-Amz-Copy-Source": "/bkt/cold"}, "InvalidObjectState", 403},
		{"source owner", "bkt", map[string]string{"X-Amz-Copy-Source": "/bkt/src", "X-Amz-Source-Expected-Bucket-Owner": "123456789012"}, "AccessDenied", 403},
		{"destination exists", "bkt", map[string]string{"X-Amz-Copy-Source": "/bkt/src", "If-None-Match": "*"}, "", 0},
	}
	for _, tt := range tests {
		q := otReq{op: "CopyObject", method: "PUT", bucket: tt.bucket, key: "dst", header: tt.header}
		if tt.code == "" {
			h.ok(q)
			h.fail(q, "PreconditionFailed", 412) // now it exists
			continue
		}
		h.fail(q, tt.code, tt.status)
	}
	if n := len(h.blobIDs()); n != 3 {
		t.Fatalf("%d blobs: failed copies left some behind", n)
	}
}

func TestCopyMultipartSource(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.putPieces("bkt", "mp", []byte("part-one|"), []byte("part-two|"), []byte("three"))
	rec := h.ok(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "flat", header: map[string]string{"X-Amz-Copy-Source": "bkt/mp"}})
	whole := []byte("part-one|part-two|three")
	var res otCopyResult
	xml.Unmarshal(rec.Body.Bytes(), &res)
	// A copy is a new single object: plain MD5 ETag and a full-object checksum.
	if res.ETag != `"`+otMD5Hex(whole)+`"` || res.ChecksumCRC32 != checksumOf(algCRC32, whole) || res.ChecksumType != "FULL_OBJECT" {
		t.Fatalf("result %+v", res)
	}
	if got := h.get("bkt", "flat", nil).Body.String(); got != string(whole) {
		t.Fatalf("body %q", got)
	}
}
