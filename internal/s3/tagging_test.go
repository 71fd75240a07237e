package s3

import (
	"fmt"
	"strings"
	"testing"
)

func taggingXML(pairs ...string) string {
	var b strings.Builder
	b.WriteString(`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>`)
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(&b, "<Tag><Key>%s</Key><Value>%s</Value></Tag>", pairs[i], pairs[i+1])
	}
	b.WriteString("</TagSet></Tagging>")
	return b.String()
}

// taggingReq is a tagging PUT carrying the CRC32 botocore sends.
func taggingReq(op, bucket, key, body string) otReq {
	return otReq{op: op, method: "PUT", bucket: bucket, key: key, query: "tagging", body: []byte(body),
		header: map[string]string{"X-Amz-Checksum-Crc32": checksumOf(algCRC32, []byte(body))}}
}

func TestObjectTagging(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "k", []byte("x"), nil)
	rec := h.ok(otReq{op: "GetObjectTagging", method: "GET", bucket: "bkt", key: "k", query: "tagging"})
	if !strings.HasSuffix(rec.Body.String(), `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet></TagSet></Tagging>`) {
		t.Fatalf("empty tagging: %s", rec.Body.String())
	}
	etag := h.get("bkt", "k", nil).Header().Get("ETag")
	h.ok(taggingReq("PutObjectTagging", "bkt", "k", taggingXML("a", "1", "b &amp; c", "")))
	rec = h.ok(otReq{op: "GetObjectTagging", method: "GET", bucket: "bkt", key: "k", query: "tagging"})
	if !strings.Contains(rec.Body.String(), "<TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b &amp; c</Key><Value></Value></Tag></TagSet>") {
		t.Fatalf("tagging: %s", rec.Body.String())
	}
	get := h.get("bkt", "k", nil)
	if get.Header().Get("X-Amz-Tagging-Count") != "2" || get.Header().Get("ETag") != etag || get.Body.String() != "x" {
		t.Fatalf("object after tagging: %v", get.Header())
	}
	if rec := h.ok(otReq{op: "DeleteObjectTagging", method: "DELETE", bucket: "bkt", key: "k", query: "tagging"}); rec.Code != 204 {
		t.Fatalf("delete tagging %d", rec.Code)
	}
	if h.get("bkt", "k", nil).Header().Get("X-Amz-Tagging-Count") != "" {
		t.Fatal("tags survived delete")
	}
	h.fail(otReq{op: "GetObjectTagging", method: "GET", bucket: "bkt", key: "nokey", query: "tagging"}, "NoSuchKey", 404)
	h.fail(taggingReq("PutObjectTagging", "bkt", "nokey", taggingXML("a", "1")), "NoSuchKey", 404)
	h.fail(otReq{op: "DeleteObjectTagging", method: "DELETE", bucket: "nobkt", key: "k", query: "tagging"}, "NoSuchBucket", 404)
}

func TestTagLimits(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "k", []byte("x"), nil)
	eleven := make([]string, 0, 22)
	fifty1 := make([]string, 0, 102)
	for i := 0; i < 51; i++ {
		if i < 11 {
			eleven = append(eleven, fmt.Sprintf("k%d", i), "v")
		}
		fifty1 = append(fifty1, fmt.Sprintf("k%d", i), "v")
	}
	ten := eleven[:20]
	tests := []struct {
		name      string
		body      string
		objCode   string // "" = accepted
		bucketErr string
	}{
		{"ten tags", taggingXML(ten...), "", ""},
		{"eleven tags", taggingXML(eleven...), "BadRequest", ""},
		{"fifty-one tags", taggingXML(fifty1...), "BadRequest", "BadRequest"},
		{"key 128", taggingXML(strings.Repeat("k", 128), "v"), "", ""},
		{"key 128 runes", taggingXML(strings.Repeat("é", 128), "v"), "", ""},
		{"key 129", taggingXML(strings.Repeat("k", 129), "v"), "InvalidTag", "InvalidTag"},
		{"value 256", taggingXML("k", strings.Repeat("v", 256)), "", ""},
		{"value 257", taggingXML("k", strings.Repeat("v", 257)), "InvalidTag", "InvalidTag"},
		{"duplicate keys", taggingXML("k", "1", "k", "2"), "InvalidTag", "InvalidTag"},
		{"empty key", taggingXML("", "1"), "InvalidTag", "InvalidTag"},
		{"aws prefix", taggingXML("aws:cloudformation", "1"), "InvalidTag", "InvalidTag"},
		{"no tagset", `<Tagging></Tagging>`, "MalformedXML", "MalformedXML"},
		{"no value", `<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>`, "MalformedXML", "MalformedXML"},
		{"not xml", `tags please`, "MalformedXML", "MalformedXML"},
	}
	for _, tt := range tests {
		_, e := h.call(taggingReq("PutObjectTagging", "bkt", "k", tt.body))
		if got := codeOf(e); got != tt.objCode {
			t.Errorf("object %s: got %q want %q", tt.name, got, tt.objCode)
		}
		_, e = h.call(taggingReq("PutBucketTagging", "bkt", "", tt.body))
		if got := codeOf(e); got != tt.bucketErr {
			t.Errorf("bucket %s: got %q want %q", tt.name, got, tt.bucketErr)
		}
	}
}

func codeOf(e interface{ Error() string }) string {
	if a := asAWS(e); a != nil {
		return a.Code
	}
	return ""
}

func TestTaggingBodyChecksum(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "k", []byte("x"), nil)
	body := taggingXML("a", "1")
	// Bucket tagging requires Content-MD5 or a checksum; object tagging verifies one when sent.
	h.fail(otReq{op: "PutBucketTagging", method: "PUT", bucket: "bkt", query: "tagging", body: []byte(body)}, "InvalidRequest", 400)
	h.ok(otReq{op: "PutObjectTagging", method: "PUT", bucket: "bkt", key: "k", query: "tagging", body: []byte(body)})
	h.fail(otReq{op: "PutObjectTagging", method: "PUT", bucket: "bkt", key: "k", query: "tagging", body: []byte("<Tagging><TagSet><Tag>")}, "MalformedXML", 400)
	h.fail(otReq{op: "PutObjectTagging", method: "PUT", bucket: "bkt", key: "k", query: "tagging", body: []byte(body),
		header: map[string]string{"X-Amz-Checksum-Crc32": checksumOf(algCRC32, []byte("other"))}}, "BadDigest", 400)
	h.fail(otReq{op: "PutBucketTagging", method: "PUT", bucket: "bkt", query: "tagging", body: []byte(body),
		header: map[string]string{"Content-MD5": md5B64("other")}}, "BadDigest", 400)
	h.ok(otReq{op: "PutBucketTagging", method: "PUT", bucket: "bkt", query: "tagging", body: []byte(body),
		header: map[string]string{"Content-MD5": md5B64(body)}})
}

func TestBucketTagging(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	e := h.fail(otReq{op: "GetBucketTagging", method: "GET", bucket: "bkt", query: "tagging"}, "NoSuchTagSet", 404)
	if e.Resource != "/bkt" {
		t.Fatalf("resource %q", e.Resource)
	}
	rec := h.ok(taggingReq("PutBucketTagging", "bkt", "", taggingXML("team", "data", "env", "prod")))
	if rec.Code != 204 {
		t.Fatalf("status %d", rec.Code)
	}
	rec = h.ok(otReq{op: "GetBucketTagging", method: "GET", bucket: "bkt", query: "tagging"})
	if !strings.Contains(rec.Body.String(), "<TagSet><Tag><Key>team</Key><Value>data</Value></Tag><Tag><Key>env</Key><Value>prod</Value></Tag></TagSet>") {
		t.Fatalf("tags %s", rec.Body.String())
	}
	// Tagging keeps the bucket's other attributes.
	if h.ok(otReq{op: "HeadBucket", method: "HEAD", bucket: "bkt"}).Header().Get("X-Amz-Bucket-Region") != "us-east-1" {
		t.Fatal("region lost")
	}
	if rec := h.ok(otReq{op: "DeleteBucketTagging", method: "DELETE", bucket: "bkt", query: "tagging"}); rec.Code != 204 {
		t.Fatalf("delete %d", rec.Code)
	}
	h.fail(otReq{op: "GetBucketTagging", method: "GET", bucket: "bkt", query: "tagging"}, "NoSuchTagSet", 404)
	h.fail(taggingReq("PutBucketTagging", "nobkt", "", taggingXML("a", "b")), "NoSuchBucket", 404)
	h.fail(otReq{op: "GetBucketTagging", method: "GET", bucket: "nobkt", query: "tagging"}, "NoSuchBucket", 404)
	h.fail(otReq{op: "DeleteBucketTagging", method: "DELETE", bucket: "nobkt", query: "tagging"}, "NoSuchBucket", 404)
}

func TestParseTaggingHeader(t *testing.T) {
	tags, err := parseTaggingHeader("a=1&b%20c=d+e&empty=&novalue")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(tags)
	if got != "[{a 1} {b c d e} {empty } {novalue }]" {
		t.Fatalf("got %s", got)
	}
}
