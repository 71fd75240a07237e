package s3

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// mpErrorFixture holds an open CRC32 upload on "k" with a 5 MiB part 1 and a
// small part 2, and an open upload without checksum on "small" whose parts
// are both small.
type mpErrorFixture struct {
	s                    *Service
	id, smallID          string
	e1, e2, c1, c2       string
	smallE1, smallE2     string
	existsID, existsETag string
}

func newMPErrorFixture(t *testing.T) *mpErrorFixture {
	f := &mpErrorFixture{s: listTestService(t)}
	s := f.s
	listPutBucket(t, s, "bkt")
	f.id = mpCreate(t, s, "bkt", "k", http.Header{"X-Amz-Checksum-Algorithm": {"CRC32"}})
	p1, p2 := mpData(1, 5<<20), mpData(2, 10)
	f.e1 = mpMustUpload(t, s, "bkt", "k", f.id, 1, p1, nil)
	f.e2 = mpMustUpload(t, s, "bkt", "k", f.id, 2, p2, nil)
	f.c1, f.c2 = b64(crc32Of(p1)), b64(crc32Of(p2))
	f.smallID = mpCreate(t, s, "bkt", "small", nil)
	f.smallE1 = mpMustUpload(t, s, "bkt", "small", f.smallID, 1, mpData(3, 100), nil)
	f.smallE2 = mpMustUpload(t, s, "bkt", "small", f.smallID, 2, mpData(4, 100), nil)
	mpPutObject(t, s, "bkt", "exists", []byte("already here"))
	f.existsID = mpCreate(t, s, "bkt", "exists", nil)
	f.existsETag = mpMustUpload(t, s, "bkt", "exists", f.existsID, 1, []byte("new"), nil)
	return f
}

// unchanged checks that a failed request left every upload and object as it was.
func (f *mpErrorFixture) unchanged(t *testing.T) {
	t.Helper()
	for _, u := range []struct {
		key, id string
		parts   int
	}{{"k", f.id, 2}, {"small", f.smallID, 2}, {"exists", f.existsID, 1}} {
		w, e := listCall(t, f.s, "ListParts", "GET", "bkt", u.key, "uploadId="+u.id, nil, nil)
		if e != nil {
			t.Fatalf("upload %s gone: %v", u.key, e)
		}
		if n := strings.Count(w.Body.String(), "<Part>"); n != u.parts {
			t.Fatalf("upload %s has %d parts, want %d", u.key, n, u.parts)
		}
	}
	for _, key := range []string{"k", "small"} {
		if err := f.s.kv.View(func(tx kv.Reader) error { _, err := tx.Get(objectKey("bkt", key)); return err }); !isNotFound(err) {
			t.Fatalf("object %s exists after a failed request", key)
		}
	}
	if _, body := mpObject(t, f.s, "bkt", "exists"); string(body) != "already here" {
		t.Fatalf("object exists changed to %q", body)
	}
	mpAssertNoLeaks(t, f.s)
}

func TestCompleteMultipartUploadErrors(t *testing.T) {
	f := newMPErrorFixture(t)
	crc := func(v string) string { return "<ChecksumCRC32>" + v + "</ChecksumCRC32>" }
	cases := []struct {
		name, key, upload, doc string
		hdr                    http.Header
		code                   string
		status                 int
		extra                  map[string]string
	}{
		{name: "empty body", doc: "", code: "MalformedXML", status: 400},
		{name: "not xml", doc: "<<<", code: "MalformedXML", status: 400},
		{name: "no parts", doc: mpDoc(), code: "MalformedXML", status: 400},
		{name: "wrong root", doc: "<Complete><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></Complete>", code: "MalformedXML", status: 400},
		{name: "part without number", doc: mpDoc("<Part><ETag>" + "x" + "</ETag></Part>"), code: "MalformedXML", status: 400},
		{name: "descending", doc: mpDoc(mpPart(2, "E2", crc("C2")), mpPart(1, "E1", crc("C1"))), code: "InvalidPartOrder", status: 400},
		{name: "duplicate", doc: mpDoc(mpPart(1, "E1", crc("C1")), mpPart(1, "E1", crc("C1"))), code: "InvalidPartOrder", status: 400},
		{name: "wrong etag", doc: mpDoc(mpPart(1, `"0123"`, crc("C1")), mpPart(2, "E2", crc("C2"))), code: "InvalidPart", status: 400,
			extra: map[string]string{"PartNumber": "1"}},
		{name: "missing part", doc: mpDoc(mpPart(1, "E1", crc("C1")), mpPart(3, "E2", crc("C2"))), code: "InvalidPart", status: 400},
		{name: "wrong part checksum", doc: mpDoc(mpPart(1, "E1", crc("C2")), mpPart(2, "E2", crc("C2"))), code: "InvalidPart", status: 400},
		{name: "checksum of another algorithm", doc: mpDoc(mpPart(1, "E1", crc("C1"), "<ChecksumSHA1>AAAAAAAAAAAAAAAAAAAAAAAAAAA=</ChecksumSHA1>"), mpPart(2, "E2", crc("C2"))), code: "InvalidPart", status: 400},
		{name: "composite part checksum missing", doc: mpDoc(mpPart(1, "E1", crc("C1")), mpPart(2, "E2")), code: "InvalidRequest", status: 400},
		{name: "small non-last part", key: "small", doc: mpDoc(mpPart(1, "S1"), mpPart(2, "S2")), code: "EntityTooSmall", status: 400,
			extra: map[string]string{"ProposedSize": "100", "MinSizeAllowed": "5242880", "PartNumber": "1"}},
		{name: "object size mismatch", doc: mpDoc(mpPart(1, "E1", crc("C1")), mpPart(2, "E2", crc("C2"))),
			hdr: http.Header{"X-Amz-Mp-Object-Size": {"12"}}, code: "InvalidRequest", status: 400},
		{name: "checksum type mismatch", doc: mpDoc(mpPart(1, "E1", crc("C1")), mpPart(2, "E2", crc("C2"))),
			hdr: http.Header{"X-Amz-Checksum-Type": {"FULL_OBJECT"}}, code: "InvalidRequest", status: 400},
		{name: "wrong object checksum", doc: mpDoc(mpPart(1, "E1", crc("C1")), mpPart(2, "E2", crc("C2"))),
			hdr: http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA==-2"}}, code: "BadDigest", status: 400},
		{name: "if-none-match on existing object", key: "exists", upload: "EXISTS", doc: mpDoc(mpPart(1, "EX")),
			hdr: http.Header{"If-None-Match": {"*"}}, code: "PreconditionFailed", status: 412},
		{name: "if-match mismatch", key: "exists", upload: "EXISTS", doc: mpDoc(mpPart(1, "EX")),
			hdr: http.Header{"If-Match": {`"nope"`}}, code: "PreconditionFailed", status: 412},
		{name: "if-match on absent object", doc: mpDoc(mpPart(1, "E1", crc("C1")), mpPart(2, "E2", crc("C2"))),
			hdr: http.Header{"If-Match": {`"nope"`}}, code: "NoSuchKey", status: 404},
		{name: "unknown upload", upload: "0011", doc: mpDoc(mpPart(1, "E1")), code: "NoSuchUpload", status: 404,
			extra: map[string]string{"UploadId": "0011"}},
		{name: "upload of another key", key: "small", doc: mpDoc(mpPart(1, "E1")), code: "NoSuchUpload", status: 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key, upload := c.key, c.upload
			if key == "" {
				key = "k"
			}
			switch {
			case upload == "EXISTS":
				upload = f.existsID
			case upload == "" && key == "small" && c.code != "NoSuchUpload":
				upload = f.smallID
			case upload == "":
				upload = f.id
			}
			doc := strings.NewReplacer("E1", f.e1, "E2", f.e2, "C1", f.c1, "C2", f.c2, "S1", f.smallE1, "S2", f.smallE2, "EX", f.existsETag).Replace(c.doc)
			_, e := mpComplete(t, f.s, "bkt", key, upload, doc, c.hdr)
			if e == nil || e.Code != c.code || e.Status != c.status {
				t.Fatalf("got %v, want %s %d", e, c.code, c.status)
			}
			if e.Resource != "/bkt/"+key {
				t.Errorf("Resource %q", e.Resource)
			}
			for k, v := range c.extra {
				if e.Extra[k] != v {
					t.Errorf("%s = %q, want %q", k, e.Extra[k], v)
				}
			}
			f.unchanged(t)
		})
	}
	if _, e := mpComplete(t, f.s, "nobucket", "k", f.id, mpDoc(mpPart(1, f.e1)), nil); e == nil || e.Code != "NoSuchBucket" {
		t.Fatalf("complete in a missing bucket: %v", e)
	}
}

func TestCreateMultipartUploadErrors(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	cases := []struct {
		name, bucket, key string
		hdr               http.Header
		code              string
		status            int
	}{
		{"no bucket", "nobucket", "k", nil, "NoSuchBucket", 404},
		{"unknown algorithm", "bkt", "k", http.Header{"X-Amz-Checksum-Algorithm": {"MD4"}}, "InvalidRequest", 400},
		{"type without algorithm", "bkt", "k", http.Header{"X-Amz-Checksum-Type": {"COMPOSITE"}}, "InvalidRequest", 400},
		{"full-object sha256", "bkt", "k", http.Header{"X-Amz-Checksum-Algorithm": {"SHA256"}, "X-Amz-Checksum-Type": {"FULL_OBJECT"}}, "InvalidRequest", 400},
		{"composite crc64nvme", "bkt", "k", http.Header{"X-Amz-Checksum-Algorithm": {"CRC64NVME"}, "X-Amz-Checksum-Type": {"COMPOSITE"}}, "InvalidRequest", 400},
		{"bad type", "bkt", "k", http.Header{"X-Amz-Checksum-Algorithm": {"CRC32"}, "X-Amz-Checksum-Type": {"PARTIAL"}}, "InvalidRequest", 400},
		{"bad storage class", "bkt", "k", http.Header{"X-Amz-Storage-Class": {"COLD"}}, "InvalidStorageClass", 400},
		{"key too long", "bkt", strings.Repeat("k", 1025), nil, "KeyTooLongError", 400},
		{"duplicate tag", "bkt", "k", http.Header{"X-Amz-Tagging": {"a=1&a=2"}}, "InvalidArgument", 400},
		{"other expected owner", "bkt", "k", http.Header{"X-Amz-Expected-Bucket-Owner": {"999999999999"}}, "AccessDenied", 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, e := listCall(t, s, "CreateMultipartUpload", "POST", c.bucket, c.key, "uploads", c.hdr, nil)
			if e == nil || e.Code != c.code || e.Status != c.status {
				t.Fatalf("got %v, want %s %d", e, c.code, c.status)
			}
			if want := "/" + c.bucket + "/" + c.key; e.Resource != want && !((c.code == "NoSuchBucket" || c.code == "AccessDenied") && e.Resource == "/"+c.bucket) {
				t.Errorf("Resource %q, want %q", e.Resource, want)
			}
		})
	}
	w, _ := listCall(t, s, "ListMultipartUploads", "GET", "bkt", "", "uploads", nil, nil)
	if strings.Contains(w.Body.String(), "<Upload>") {
		t.Fatalf("a failed create left an upload: %s", w.Body)
	}
}

func TestUploadPartErrors(t *testing.T) {
	f := newMPErrorFixture(t)
	body := []byte("some part data")
	sum := md5.Sum(body)
	goodMD5 := base64.StdEncoding.EncodeToString(sum[:])
	cases := []struct {
		name, bucket, key, query string
		hdr                      http.Header
		code                     string
		status                   int
	}{
		{"part number zero", "bkt", "k", "partNumber=0&uploadId=ID", nil, "InvalidArgument", 400},
		{"part number too big", "bkt", "k", "partNumber=10001&uploadId=ID", nil, "InvalidArgument", 400},
		{"part number not a number", "bkt", "k", "partNumber=one&uploadId=ID", nil, "InvalidArgument", 400},
		{"unknown upload", "bkt", "k", "partNumber=1&uploadId=00ff", nil, "NoSuchUpload", 404},
		{"empty upload id", "bkt", "k", "partNumber=1&uploadId=", nil, "NoSuchUpload", 404},
		{"upload of another key", "bkt", "small", "partNumber=1&uploadId=ID", nil, "NoSuchUpload", 404},
		{"no bucket", "nobucket", "k", "partNumber=1&uploadId=ID", nil, "NoSuchBucket", 404},
		{"wrong crc32", "bkt", "k", "partNumber=3&uploadId=ID", http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}}, "BadDigest", 400},
		{"malformed crc32", "bkt", "k", "partNumber=3&uploadId=ID", http.Header{"X-Amz-Checksum-Crc32": {"AAAA"}}, "InvalidRequest", 400},
		{"algorithm differs from upload's", "bkt", "k", "partNumber=3&uploadId=ID", http.Header{"X-Amz-Checksum-Crc32c": {"AAAAAA=="}}, "InvalidRequest", 400},
		{"wrong content-md5", "bkt", "k", "partNumber=3&uploadId=ID", http.Header{"Content-Md5": {"AAAAAAAAAAAAAAAAAAAAAA=="}}, "BadDigest", 400},
		{"invalid content-md5", "bkt", "k", "partNumber=3&uploadId=ID", http.Header{"Content-Md5": {"abc"}}, "InvalidDigest", 400},
		{"part too large", "bkt", "k", "partNumber=3&uploadId=ID", http.Header{"X-Amz-Decoded-Content-Length": {"5368709121"}}, "EntityTooLarge", 400},
		{"other expected owner", "bkt", "k", "partNumber=3&uploadId=ID", http.Header{"X-Amz-Expected-Bucket-Owner": {"999999999999"}}, "AccessDenied", 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := strings.Replace(c.query, "ID", f.id, 1)
			_, e := listCall(t, f.s, "UploadPart", "PUT", c.bucket, c.key, q, c.hdr, strings.NewReader(string(body)))
			if e == nil || e.Code != c.code || e.Status != c.status {
				t.Fatalf("got %v, want %s %d", e, c.code, c.status)
			}
			if want := "/" + c.bucket + "/" + c.key; e.Resource != want && !((c.code == "NoSuchBucket" || c.code == "AccessDenied") && e.Resource == "/"+c.bucket) {
				t.Errorf("Resource %q, want %q", e.Resource, want)
			}
			f.unchanged(t)
		})
	}
	// The same part with a correct Content-MD5 goes through.
	if _, e := listCall(t, f.s, "UploadPart", "PUT", "bkt", "k", "partNumber=3&uploadId="+f.id, http.Header{"Content-Md5": {goodMD5}}, strings.NewReader(string(body))); e != nil {
		t.Fatal(e)
	}
}
