package s3

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

type mpListPartsResult struct {
	Bucket, Key, UploadId                            string
	PartNumberMarker, NextPartNumberMarker, MaxParts int
	IsTruncated                                      bool
	StorageClass, ChecksumAlgorithm, ChecksumType    string
	Initiator, Owner                                 struct{ ID, DisplayName string }
	Part                                             []struct {
		PartNumber         int
		ETag, LastModified string
		Size               int64
		ChecksumCRC32      string
	}
}

func TestListParts(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	id := mpCreate(t, s, "bkt", "k", http.Header{"X-Amz-Checksum-Algorithm": {"CRC32"}, "X-Amz-Storage-Class": {"STANDARD_IA"}})
	etags := map[int]string{}
	for _, pn := range []int{5, 1, 3, 2, 10000} {
		etags[pn] = mpMustUpload(t, s, "bkt", "k", id, pn, mpData(uint64(pn), pn%7+1), nil)
	}
	var got []int
	marker := 0
	for page := 0; ; page++ {
		w, e := listCall(t, s, "ListParts", "GET", "bkt", "k", "uploadId="+id+"&max-parts=2&part-number-marker="+strconv.Itoa(marker), nil, nil)
		if e != nil {
			t.Fatal(e)
		}
		var res mpListPartsResult
		if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		if res.UploadId != id || res.Key != "k" || res.Bucket != "bkt" || res.MaxParts != 2 || res.PartNumberMarker != marker ||
			res.StorageClass != "STANDARD_IA" || res.ChecksumAlgorithm != "CRC32" || res.ChecksumType != "COMPOSITE" ||
			res.Owner.ID != canonicalUserID(listTestAccount) || res.Initiator.ID != res.Owner.ID {
			t.Fatalf("page %d header fields: %+v", page, res)
		}
		for _, p := range res.Part {
			got = append(got, p.PartNumber)
			data := mpData(uint64(p.PartNumber), p.PartNumber%7+1)
			if p.ETag != etags[p.PartNumber] || p.Size != int64(len(data)) || p.ChecksumCRC32 != b64(crc32Of(data)) ||
				p.LastModified != "2025-01-02T03:04:05.678Z" {
				t.Fatalf("part %+v", p)
			}
		}
		if !res.IsTruncated {
			break
		}
		if res.NextPartNumberMarker != res.Part[len(res.Part)-1].PartNumber {
			t.Fatalf("NextPartNumberMarker %d", res.NextPartNumberMarker)
		}
		marker = res.NextPartNumberMarker
	}
	if fmtInts(got) != "1 2 3 5 10000" {
		t.Fatalf("parts listed %v", got)
	}

	for _, c := range []struct {
		name, key, query, code string
	}{
		{"bad max-parts", "k", "uploadId=" + id + "&max-parts=-1", "InvalidArgument"},
		{"bad marker", "k", "uploadId=" + id + "&part-number-marker=x", "InvalidArgument"},
		{"unknown upload", "k", "uploadId=abc", "NoSuchUpload"},
		{"other key", "k2", "uploadId=" + id, "NoSuchUpload"},
	} {
		if _, e := listCall(t, s, "ListParts", "GET", "bkt", c.key, c.query, nil, nil); e == nil || e.Code != c.code {
			t.Errorf("%s: got %v, want %s", c.name, e, c.code)
		}
	}
}

func fmtInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " ")
}

type mpListUploadsResult struct {
	Bucket, KeyMarker, UploadIdMarker, NextKeyMarker, NextUploadIdMarker, Prefix, EncodingType string
	Delimiter                                                                                  *string
	MaxUploads                                                                                 int
	IsTruncated                                                                                bool
	Upload                                                                                     []struct {
		Key, UploadId, StorageClass, Initiated, ChecksumAlgorithm string
		Owner, Initiator                                          struct{ ID string }
	}
	CommonPrefixes []struct{ Prefix string }
}

func TestListMultipartUploads(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	clock := listTestTime
	s.cfg.Now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	ids := map[string][]string{}
	for _, key := range []string{"b/x", "a", "a b+c", "b/y", "a", "c/z/1", "a"} {
		ids[key] = append(ids[key], mpCreate(t, s, "bkt", key, http.Header{"X-Amz-Checksum-Algorithm": {"SHA1"}}))
	}
	// All uploads in key order, each key's uploads in creation order.
	var want []string
	for _, key := range []string{"a", "a b+c", "b/x", "b/y", "c/z/1"} {
		for _, id := range ids[key] {
			want = append(want, key+"@"+id)
		}
	}
	for _, maxUploads := range []int{1, 2, 3, 1000} {
		var got []string
		keyMarker, idMarker := "", ""
		for page := 0; page < 20; page++ {
			q := url.Values{"uploads": {""}, "max-uploads": {strconv.Itoa(maxUploads)}, "key-marker": {keyMarker}, "upload-id-marker": {idMarker}}
			res := mpListUploads(t, s, q.Encode())
			if len(res.Upload) > maxUploads {
				t.Fatalf("%d uploads for max-uploads %d", len(res.Upload), maxUploads)
			}
			for _, u := range res.Upload {
				got = append(got, u.Key+"@"+u.UploadId)
				if u.ChecksumAlgorithm != "SHA1" || u.StorageClass != "STANDARD" || u.Owner.ID != canonicalUserID(listTestAccount) || !strings.HasPrefix(u.Initiated, "2025-01-02T03:04:05.") {
					t.Fatalf("upload entry %+v", u)
				}
			}
			if !res.IsTruncated {
				break
			}
			keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIdMarker
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("max-uploads %d:\n got %v\nwant %v", maxUploads, got, want)
		}
	}

	// Delimiter, prefix and url encoding.
	res := mpListUploads(t, s, "uploads&delimiter=%2F&encoding-type=url")
	var keys, prefixes []string
	for _, u := range res.Upload {
		keys = append(keys, u.Key)
	}
	for _, p := range res.CommonPrefixes {
		prefixes = append(prefixes, p.Prefix)
	}
	if strings.Join(keys, "|") != "a|a|a|a%20b%2Bc" || strings.Join(prefixes, "|") != "b/|c/" || res.EncodingType != "url" ||
		res.Delimiter == nil || *res.Delimiter != "/" {
		t.Fatalf("delimited listing: keys %q prefixes %q %+v", keys, prefixes, res)
	}
	res = mpListUploads(t, s, "uploads&delimiter=%2F&prefix=c%2F")
	if len(res.Upload) != 0 || len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0].Prefix != "c/z/" || res.Prefix != "c/" {
		t.Fatalf("prefixed listing %+v", res)
	}
	// A common prefix as key-marker skips the whole prefix.
	res = mpListUploads(t, s, "uploads&delimiter=%2F&key-marker=b%2F&max-uploads=1")
	if len(res.CommonPrefixes) != 1 || res.CommonPrefixes[0].Prefix != "c/" || res.IsTruncated {
		t.Fatalf("after prefix marker %+v", res)
	}
	// upload-id-marker inside one key's uploads.
	res = mpListUploads(t, s, "uploads&key-marker=a&upload-id-marker="+ids["a"][0]+"&max-uploads=1")
	if len(res.Upload) != 1 || res.Upload[0].UploadId != ids["a"][1] || !res.IsTruncated || res.NextKeyMarker != "a" || res.NextUploadIdMarker != ids["a"][1] {
		t.Fatalf("upload-id-marker page %+v", res)
	}

	for _, c := range []struct{ name, bucket, query, code string }{
		{"no bucket", "nobucket", "uploads", "NoSuchBucket"},
		{"bad max-uploads", "bkt", "uploads&max-uploads=x", "InvalidArgument"},
		{"bad encoding", "bkt", "uploads&encoding-type=xml", "InvalidArgument"},
	} {
		if _, e := listCall(t, s, "ListMultipartUploads", "GET", c.bucket, "", c.query, nil, nil); e == nil || e.Code != c.code {
			t.Errorf("%s: got %v, want %s", c.name, e, c.code)
		}
	}
}

func mpListUploads(t *testing.T, s *Service, query string) mpListUploadsResult {
	t.Helper()
	w, e := listCall(t, s, "ListMultipartUploads", "GET", "bkt", "", query, nil, nil)
	if e != nil {
		t.Fatal(e)
	}
	var res mpListUploadsResult
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	return res
}
