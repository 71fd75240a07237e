package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strconv"
	"testing"
)

func TestUploadPartCopy(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	listPutBucket(t, s, "other")
	// A two-piece source (a completed multipart upload) so ranges cross pieces.
	srcParts := [][]byte{mpData(11, 5<<20), mpData(12, 1000)}
	srcID := mpCreate(t, s, "other", "src dir/ünï+code", nil)
	e1 := mpMustUpload(t, s, "other", "src dir/ünï+code", srcID, 1, srcParts[0], nil)
	e2 := mpMustUpload(t, s, "other", "src dir/ünï+code", srcID, 2, srcParts[1], nil)
	if _, e := mpComplete(t, s, "other", "src dir/ünï+code", srcID, mpDoc(mpPart(1, e1), mpPart(2, e2)), nil); e != nil {
		t.Fatal(e)
	}
	srcData := bytes.Join(srcParts, nil)
	srcMeta, _ := mpObject(t, s, "other", "src dir/ünï+code")
	small := mpPutObject(t, s, "bkt", "small", []byte("tail bytes"))

	id := mpCreate(t, s, "bkt", "dst", http.Header{"X-Amz-Checksum-Algorithm": {"CRC32"}})
	from, to := 5<<20-10, 5<<20+20
	rangePart := srcData[from : to+1]
	// botocore quotes the source with safe="/~"; a leading slash is allowed.
	w, e := listCall(t, s, "UploadPartCopy", "PUT", "bkt", "dst", "partNumber=1&uploadId="+id, http.Header{
		"X-Amz-Copy-Source":          {"/other/src%20dir/%C3%BCn%C3%AF%2Bcode"},
		"X-Amz-Copy-Source-Range":    {"bytes=" + strconv.Itoa(from) + "-" + strconv.Itoa(to)},
		"X-Amz-Copy-Source-If-Match": {`"` + srcMeta.ETag + `"`},
	}, nil)
	if e != nil {
		t.Fatal(e)
	}
	var res struct{ ETag, LastModified, ChecksumCRC32 string }
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(rangePart)
	if res.ETag != `"`+hex.EncodeToString(sum[:])+`"` || res.ChecksumCRC32 != b64(crc32Of(rangePart)) || res.LastModified != "2025-01-02T03:04:05.678Z" {
		t.Fatalf("CopyPartResult %s", w.Body)
	}
	// Whole-object copy of a one-piece source as the last part.
	w, e = listCall(t, s, "UploadPartCopy", "PUT", "bkt", "dst", "partNumber=2&uploadId="+id, http.Header{
		"X-Amz-Copy-Source": {"bkt/small?versionId=null"},
	}, nil)
	if e != nil {
		t.Fatal(e)
	}
	var res2 struct{ ETag, ChecksumCRC32 string }
	xml.Unmarshal(w.Body.Bytes(), &res2)
	if res2.ETag != `"`+small.ETag+`"` {
		t.Fatalf("whole copy ETag %s, want %s", res2.ETag, small.ETag)
	}
	// The range part is below 5 MiB, so only a one-part completion is valid;
	// complete with the ranged part alone after replacing it by a full-size copy.
	w, e = listCall(t, s, "UploadPartCopy", "PUT", "bkt", "dst", "partNumber=1&uploadId="+id, http.Header{
		"X-Amz-Copy-Source": {"other/src%20dir/%C3%BCn%C3%AF%2Bcode"}, "X-Amz-Copy-Source-Range": {"bytes=0-5242879"},
	}, nil)
	if e != nil {
		t.Fatal(e)
	}
	xml.Unmarshal(w.Body.Bytes(), &res)
	doc := mpDoc(mpPart(1, res.ETag, "<ChecksumCRC32>"+res.ChecksumCRC32+"</ChecksumCRC32>"),
		mpPart(2, res2.ETag, "<ChecksumCRC32>"+res2.ChecksumCRC32+"</ChecksumCRC32>"))
	if _, e := mpComplete(t, s, "bkt", "dst", id, doc, nil); e != nil {
		t.Fatal(e)
	}
	_, body := mpObject(t, s, "bkt", "dst")
	if !bytes.Equal(body, append(append([]byte(nil), srcParts[0]...), "tail bytes"...)) {
		t.Fatal("copied object has the wrong bytes")
	}
	mpAssertNoLeaks(t, s)
}

func TestUploadPartCopyErrors(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	src := mpPutObject(t, s, "bkt", "src", []byte("0123456789"))
	id := mpCreate(t, s, "bkt", "dst", nil)
	cases := []struct {
		name, query string
		hdr         http.Header
		code        string
		status      int
	}{
		{"no copy source", "", http.Header{}, "InvalidArgument", 400},
		{"source without key", "", http.Header{"X-Amz-Copy-Source": {"bkt"}}, "InvalidArgument", 400},
		{"source version", "", http.Header{"X-Amz-Copy-Source": {"bkt/src?versionId=abc"}}, "InvalidArgument", 400},
		{"source key missing", "", http.Header{"X-Amz-Copy-Source": {"bkt/nope"}}, "NoSuchKey", 404},
		{"source bucket missing", "", http.Header{"X-Amz-Copy-Source": {"nobucket/src"}}, "NoSuchBucket", 404},
		{"range without bytes=", "", http.Header{"X-Amz-Copy-Source": {"bkt/src"}, "X-Amz-Copy-Source-Range": {"0-3"}}, "InvalidArgument", 400},
		{"open range", "", http.Header{"X-Amz-Copy-Source": {"bkt/src"}, "X-Amz-Copy-Source-Range": {"bytes=3-"}}, "InvalidArgument", 400},
		{"range beyond source", "", http.Header{"X-Amz-Copy-Source": {"bkt/src"}, "X-Amz-Copy-Source-Range": {"bytes=5-10"}}, "InvalidArgument", 400},
		{"reversed range", "", http.Header{"X-Amz-Copy-Source": {"bkt/src"}, "X-Amz-Copy-Source-Range": {"bytes=5-4"}}, "InvalidArgument", 400},
		{"if-match fails", "", http.Header{"X-Amz-Copy-Source": {"bkt/src"}, "X-Amz-Copy-Source-If-Match": {`"abc"`}}, "PreconditionFailed", 412},
		{"if-none-match matches", "", http.Header{"X-Amz-Copy-Source": {"bkt/src"}, "X-Amz-Copy-Source-If-None-Match": {`"` + src.ETag + `"`}}, "PreconditionFailed", 412},
		{"bad part number", "partNumber=0&uploadId=" + id, http.Header{"X-Amz-Copy-Source": {"bkt/src"}}, "InvalidArgument", 400},
		{"unknown upload", "partNumber=1&uploadId=ffff", http.Header{"X-Amz-Copy-Source": {"bkt/src"}}, "NoSuchUpload", 404},
		{"other source owner", "", http.Header{"X-Amz-Copy-Source": {"bkt/src"}, "X-Amz-Source-Expected-Bucket-Owner": {"999999999999"}}, "AccessDenied", 403},
		{"other expected owner", "", http.Header{"X-Amz-Copy-Source": {"bkt/src"}, "X-Amz-Expected-Bucket-Owner": {"999999999999"}}, "AccessDenied", 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := c.query
			if q == "" {
				q = "partNumber=1&uploadId=" + id
			}
			_, e := listCall(t, s, "UploadPartCopy", "PUT", "bkt", "dst", q, c.hdr, nil)
			if e == nil || e.Code != c.code || e.Status != c.status {
				t.Fatalf("got %v, want %s %d", e, c.code, c.status)
			}
			if e.Resource == "" {
				t.Errorf("no Resource")
			}
			mpAssertNoLeaks(t, s)
		})
	}
	w, _ := listCall(t, s, "ListParts", "GET", "bkt", "dst", "uploadId="+id, nil, nil)
	if bytes.Contains(w.Body.Bytes(), []byte("<Part>")) {
		t.Fatalf("a failed copy left a part: %s", w.Body)
	}
}
