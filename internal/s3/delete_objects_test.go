package s3

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

type otDeleteResult struct {
	Deleted []struct{ Key, VersionId string }
	Error   []struct{ Key, Code, Message string }
}

func deleteXML(quiet bool, objects ...string) string {
	var b strings.Builder
	b.WriteString(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	for _, o := range objects {
		b.WriteString("<Object>" + o + "</Object>")
	}
	if quiet {
		b.WriteString("<Quiet>true</Quiet>")
	}
	b.WriteString("</Delete>")
	return b.String()
}

func deleteReq(bucket, body string) otReq {
	return otReq{op: "DeleteObjects", method: "POST", bucket: bucket, query: "delete", body: []byte(body),
		header: map[string]string{"X-Amz-Checksum-Crc32": checksumOf(algCRC32, []byte(body))}}
}

func TestDeleteObjects(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	for _, k := range []string{"a", "b", "c&d", "keep"} {
		h.put("bkt", k, []byte(k), nil)
	}
	body := deleteXML(false, "<Key>a</Key>", "<Key>c&amp;d</Key>", "<Key>missing</Key>",
		"<Key>b</Key><ETag>\"wrong\"</ETag>", "<Key>a</Key>", "<Key>v</Key><VersionId>3sL4kqtJlcpXroDTDmJ</VersionId>")
	rec := h.ok(deleteReq("bkt", body))
	if !strings.Contains(rec.Body.String(), `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`) {
		t.Fatalf("doc %s", rec.Body.String())
	}
	var res otDeleteResult
	if err := xml.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for _, d := range res.Deleted {
		deleted = append(deleted, d.Key+"@"+d.VersionId)
	}
	if strings.Join(deleted, ",") != "a@,c&d@,missing@,a@,v@3sL4kqtJlcpXroDTDmJ" {
		t.Fatalf("deleted %v", deleted)
	}
	if len(res.Error) != 1 || res.Error[0].Key != "b" || res.Error[0].Code != "PreconditionFailed" {
		t.Fatalf("errors %+v", res.Error)
	}
	for k, exists := range map[string]bool{"a": false, "c&d": false, "b": true, "keep": true} {
		_, e := h.call(otReq{op: "HeadObject", method: "HEAD", bucket: "bkt", key: k})
		if exists != (e == nil) {
			t.Errorf("%s exists=%v, err %v", k, exists, e)
		}
	}
	if n := len(h.blobIDs()); n != 2 {
		t.Fatalf("%d blobs", n)
	}
	// Quiet: only errors are listed.
	rec = h.ok(deleteReq("bkt", deleteXML(true, "<Key>keep</Key>", "<Key>b</Key><ETag>nope</ETag>")))
	res = otDeleteResult{}
	xml.Unmarshal(rec.Body.Bytes(), &res)
	if len(res.Deleted) != 0 || len(res.Error) != 1 {
		t.Fatalf("quiet: %s", rec.Body.String())
	}
	// Go sends POST /?delete= with Content-MD5 absent and CRC32 present; MD5 alone also works.
	h.put("bkt", "m", []byte("m"), nil)
	md := deleteXML(false, "<Key>m</Key>")
	h.ok(otReq{op: "DeleteObjects", method: "POST", bucket: "bkt", query: "delete=", body: []byte(md),
		header: map[string]string{"Content-MD5": md5B64(md)}})
	h.fail(otReq{op: "HeadObject", method: "HEAD", bucket: "bkt", key: "m"}, "NoSuchKey", 404)
}

func TestDeleteObjectsErrors(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "a", []byte("a"), nil)
	var many []string
	for i := 0; i <= maxDeleteKeys; i++ {
		many = append(many, fmt.Sprintf("<Key>k%d</Key>", i))
	}
	good := deleteXML(false, "<Key>a</Key>")
	trailer := http.Header{}
	trailer.Set("x-amz-checksum-crc32", checksumOf(algCRC32, []byte("other")))
	tests := []struct {
		name   string
		q      otReq
		code   string
		status int
	}{
		{"no bucket", deleteReq("nobkt", good), "NoSuchBucket", 404},
		{"malformed", deleteReq("bkt", "<Delete><Object>"), "MalformedXML", 400},
		{"wrong root", deleteReq("bkt", "<Remove><Object><Key>a</Key></Object></Remove>"), "MalformedXML", 400},
		{"no objects", deleteReq("bkt", deleteXML(false)), "MalformedXML", 400},
		{"object without key", deleteReq("bkt", deleteXML(false, "<VersionId>null</VersionId>")), "MalformedXML", 400},
		{"too many", deleteReq("bkt", deleteXML(false, many...)), "MalformedXML", 400},
		{"no checksum", otReq{op: "DeleteObjects", method: "POST", bucket: "bkt", query: "delete", body: []byte(good)}, "InvalidRequest", 400},
		{"bad crc32", otReq{op: "DeleteObjects", method: "POST", bucket: "bkt", query: "delete", body: []byte(good),
			header: map[string]string{"X-Amz-Checksum-Crc32": checksumOf(algCRC32, []byte("x"))}}, "BadDigest", 400},
		{"bad md5", otReq{op: "DeleteObjects", method: "POST", bucket: "bkt", query: "delete", body: []byte(good),
			header: map[string]string{"Content-MD5": md5B64("x")}}, "BadDigest", 400},
		{"bad trailer", otReq{op: "DeleteObjects", method: "POST", bucket: "bkt", query: "delete", body: []byte(good),
			header: map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"}, trailer: trailer}, "BadDigest", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.fail(tt.q, tt.code, tt.status)
			h.ok(otReq{op: "HeadObject", method: "HEAD", bucket: "bkt", key: "a"})
		})
	}
}
