package s3

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// listTestTime is the fixed clock of these tests.
var listTestTime = time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

const listTestAccount = "123456789012"

// listTestService returns a Service on memory stores with a fixed clock.
func listTestService(t testing.TB) *Service {
	t.Helper()
	return New(kv.NewMemory(), blob.NewMemory(), Config{
		Region: "us-east-1", AccountID: listTestAccount,
		Now: func() time.Time { return listTestTime },
	})
}

// listPutBucket writes a bucket record directly.
func listPutBucket(t testing.TB, s *Service, name string) {
	t.Helper()
	err := s.kv.Update(func(tx kv.Writer) error {
		return putJSON(tx, bucketKey(name), bucketMeta{Name: name, Region: "us-east-1", Owner: listTestAccount, CreationDate: listTestTime})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// listPutObjects writes object records directly (no blobs: listing never reads them).
func listPutObjects(t testing.TB, s *Service, bucket string, keys ...string) {
	t.Helper()
	err := s.kv.Update(func(tx kv.Writer) error {
		for _, k := range keys {
			sum := md5.Sum([]byte(k))
			m := objectMeta{Key: k, Size: int64(len(k)), ETag: hex.EncodeToString(sum[:]), LastModified: listTestTime,
				StorageClass: "STANDARD", ContentType: "text/plain", UserMetadata: map[string]string{"a": "b"},
				Pieces: []blobRef{{BlobID: "unused", Size: int64(len(k))}}}
			if err := putJSON(tx, objectKey(bucket, k), &m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// listCall runs one operation through Service.Handle the way the server does.
func listCall(t testing.TB, s *Service, op, method, bucket, key, rawQuery string, hdr http.Header, body io.Reader) (*httptest.ResponseRecorder, *awsproto.Error) {
	t.Helper()
	target := "/" + bucket
	if key != "" {
		target += "/" + url.PathEscape(key)
	}
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	r := httptest.NewRequest(method, target, body)
	for k, vs := range hdr {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	err := s.Handle(w, r, awsproto.Route{Service: "s3", Operation: op, Protocol: awsproto.ProtocolRESTXML, Bucket: bucket, Key: key})
	if err != nil {
		e := awsproto.As(err)
		if e == nil {
			t.Fatalf("%s returned a non-AWS error: %v", op, err)
		}
		if w.Body.Len() != 0 {
			t.Fatalf("%s wrote a body and returned an error", op)
		}
		return w, e
	}
	return w, nil
}

// listResult is the union of the V1 and V2 result shapes.
type listResult struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Name                  string
	Prefix                string
	Delimiter             *string
	Marker                *string
	NextMarker            *string
	StartAfter            *string
	ContinuationToken     *string
	NextContinuationToken *string
	KeyCount              *int
	MaxKeys               int
	EncodingType          string
	IsTruncated           bool
	Contents              []struct {
		Key, LastModified, ETag, StorageClass, ChecksumAlgorithm, ChecksumType string
		Size                                                                   int64
		Owner                                                                  *struct{ ID, DisplayName string }
	}
	CommonPrefixes []struct{ Prefix string }
}

// decoded undoes encoding-type=url the way botocore does (unquote_plus).
func (lr *listResult) decoded(t testing.TB) {
	if lr.EncodingType != "url" {
		return
	}
	dec := func(s string) string {
		v, err := url.QueryUnescape(s)
		if err != nil {
			t.Fatalf("bad url encoding %q: %v", s, err)
		}
		return v
	}
	lr.Prefix = dec(lr.Prefix)
	for _, p := range []*string{lr.Delimiter, lr.Marker, lr.NextMarker, lr.StartAfter} {
		if p != nil {
			*p = dec(*p)
		}
	}
	for i := range lr.Contents {
		lr.Contents[i].Key = dec(lr.Contents[i].Key)
	}
	for i := range lr.CommonPrefixes {
		lr.CommonPrefixes[i].Prefix = dec(lr.CommonPrefixes[i].Prefix)
	}
}

func listParse(t testing.TB, w *httptest.ResponseRecorder) listResult {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var lr listResult
	if err := xml.Unmarshal(w.Body.Bytes(), &lr); err != nil {
		t.Fatalf("parse %s: %v", w.Body, err)
	}
	return lr
}

// listReference is the obvious, slow listing the handler must agree with:
// every key in byte order after `after`, collapsed at the delimiter, with
// common prefixes not greater than `after` left out.
func listReference(keys []string, prefix, delim, after string) []string {
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	var out []string
	seen := map[string]bool{}
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) || k <= after {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp := k[:len(prefix)+i+len(delim)]
				if cp > after && !seen[cp] {
					seen[cp] = true
					out = append(out, "P:"+cp)
				}
				continue
			}
		}
		out = append(out, "K:"+k)
	}
	return out
}

// listMatrixKeys mixes separators, characters that URL encoding must keep
// apart ('+', space, '%'), non-ASCII, and pairs whose UTF-8 byte order
// differs from UTF-16 order (U+FF5E < U+1F600 in UTF-8, not in UTF-16).
var listMatrixKeys = []string{
	"a", "a/b", "a/b/c", "a/b/d", "a/c", "a+b", "a b", "a%b", "a/+/x", "abc", "b/", "b//x", "b/x//y",
	"dir/a b+c=d~e/été (1).txt", "é", "été/x", "été/y", "z", "\uff5e", "\U0001F600", "\U0001F600/x",
	"m/1", "m/2", "m/3", "m/4", "m/5", "m/6", "m/7", "m/8", "m/9", "m/10", "m/11", "m/12", "m0", "n\tx", "x&y<z>",
}

func TestListObjectsMatrix(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	listPutObjects(t, s, "bkt", listMatrixKeys...)

	for _, prefix := range []string{"", "a", "a/", "b/", "m/", "é", "\U0001F600", "nothing"} {
		for _, delim := range []string{"", "/", "//", "b", "+", "é", "m/1"} {
			for _, startAfter := range []string{"", "a/b", "a/", "m/1", "é"} {
				for _, maxKeys := range []int{1, 2, 3, 1000} {
					for _, enc := range []bool{false, true} {
						for _, v2 := range []bool{true, false} {
							want := listReference(listMatrixKeys, prefix, delim, startAfter)
							got := listAllPages(t, s, v2, prefix, delim, startAfter, maxKeys, enc)
							if strings.Join(got, "|") != strings.Join(want, "|") {
								t.Fatalf("v2=%v prefix=%q delim=%q after=%q max=%d enc=%v:\n got %q\nwant %q",
									v2, prefix, delim, startAfter, maxKeys, enc, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// listTokenElems matches the (base64, never url-encoded) continuation tokens.
var listTokenElems = regexp.MustCompile(`<(Next)?ContinuationToken>[^<]*</(Next)?ContinuationToken>`)

// listAllPages pages through a listing the way SDK paginators do and returns
// its items ("K:key" / "P:prefix") in order, checking each page's invariants.
func listAllPages(t *testing.T, s *Service, v2 bool, prefix, delim, after string, maxKeys int, enc bool) []string {
	t.Helper()
	var items []string
	token, marker := "", after
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatal("listing does not end")
		}
		q := url.Values{"prefix": {prefix}, "max-keys": {strconv.Itoa(maxKeys)}}
		if delim != "" {
			q.Set("delimiter", delim)
		}
		if enc {
			q.Set("encoding-type", "url")
		}
		op := "ListObjects"
		if v2 {
			op = "ListObjectsV2"
			q.Set("list-type", "2")
			if after != "" {
				q.Set("start-after", after)
			}
			if token != "" {
				q.Set("continuation-token", token)
			}
		} else if marker != "" {
			q.Set("marker", marker)
		}
		w, e := listCall(t, s, op, "GET", "bkt", "", q.Encode(), nil, nil)
		if e != nil {
			t.Fatal(e)
		}
		lr := listParse(t, w)
		if enc && strings.Contains(listTokenElems.ReplaceAllString(w.Body.String(), ""), "+") {
			t.Fatalf("a raw '+' in an url-encoded listing: %s", w.Body)
		}
		lr.decoded(t)
		if lr.Prefix != prefix || lr.MaxKeys != maxKeys || (delim != "") != (lr.Delimiter != nil) {
			t.Fatalf("echoed parameters wrong: %+v", lr)
		}
		var pageItems []string
		for _, c := range lr.Contents {
			pageItems = append(pageItems, "K:"+c.Key)
			if c.StorageClass != "STANDARD" || c.LastModified != "2025-01-02T03:04:05.678Z" || len(c.ETag) != 34 || c.Size != int64(len(c.Key)) {
				t.Fatalf("bad contents entry %+v", c)
			}
			if v2 != (c.Owner == nil) {
				t.Fatalf("owner presence wrong for v2=%v: %+v", v2, c.Owner)
			}
		}
		for _, p := range lr.CommonPrefixes {
			pageItems = append(pageItems, "P:"+p.Prefix)
		}
		sort.Slice(pageItems, func(i, j int) bool { return pageItems[i][2:] < pageItems[j][2:] })
		if len(pageItems) > maxKeys {
			t.Fatalf("page of %d items for max-keys %d", len(pageItems), maxKeys)
		}
		if v2 && (lr.KeyCount == nil || *lr.KeyCount != len(pageItems)) {
			t.Fatalf("KeyCount %v for %d items", lr.KeyCount, len(pageItems))
		}
		items = append(items, pageItems...)
		if !lr.IsTruncated {
			if lr.NextContinuationToken != nil || lr.NextMarker != nil {
				t.Fatalf("next marker on the last page: %s", w.Body)
			}
			return items
		}
		if len(pageItems) == 0 {
			t.Fatalf("truncated empty page: %s", w.Body)
		}
		last := pageItems[len(pageItems)-1][2:]
		if v2 {
			if lr.NextContinuationToken == nil || *lr.NextContinuationToken == "" {
				t.Fatalf("no continuation token: %s", w.Body)
			}
			if page > 0 && (lr.ContinuationToken == nil || *lr.ContinuationToken != token) {
				t.Fatalf("continuation token not echoed: %s", w.Body)
			}
			token = *lr.NextContinuationToken
		} else {
			switch {
			case delim != "":
				if lr.NextMarker == nil || *lr.NextMarker != last {
					t.Fatalf("NextMarker %v, want %q", lr.NextMarker, last)
				}
			case lr.NextMarker != nil:
				t.Fatalf("NextMarker without a delimiter: %s", w.Body)
			}
			marker = last
		}
	}
}

// TestListObjectsExpected pins results written out by hand, including the
// byte-order cases.
func TestListObjectsExpected(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	listPutObjects(t, s, "bkt", listMatrixKeys...)
	cases := []struct {
		name, query string
		keys        []string
		prefixes    []string
		truncated   bool
	}{
		{"prefix é", "list-type=2&prefix=%C3%A9", []string{"é", "été/x", "été/y"}, nil, false},
		{"utf-8 byte order, not utf-16 order", "list-type=2&start-after=z", []string{"é", "été/x", "été/y", "\uff5e", "\U0001F600", "\U0001F600/x"}, nil, false},
		{"delimiter slash", "list-type=2&delimiter=%2F&max-keys=1000&prefix=b%2F", []string{"b/"}, []string{"b//", "b/x/"}, false},
		{"multi-char delimiter", "list-type=2&delimiter=%2F%2F&max-keys=13", []string{"a", "a b", "a%b", "a+b", "a/+/x", "a/b", "a/b/c", "a/b/d", "a/c", "abc", "b/"}, []string{"b//", "b/x//"}, true},
		{"common prefixes count once", "list-type=2&delimiter=%2F&prefix=m&max-keys=2", []string{"m0"}, []string{"m/"}, false},
		{"max-keys zero", "list-type=2&max-keys=0", nil, nil, false},
		{"start-after inside a prefix skips it", "list-type=2&delimiter=%2F&start-after=a%2Fb&max-keys=3", []string{"abc"}, []string{"b/", "dir/"}, true},
		{"v1 marker", "marker=m%2F8&prefix=m", []string{"m/9", "m0"}, nil, false},
		{"prefix without match", "list-type=2&prefix=q", nil, nil, false},
		{"delimiter not in keys", "list-type=2&delimiter=%7C&prefix=m%2F1", []string{"m/1", "m/10", "m/11", "m/12"}, nil, false},
		{"control characters survive", "list-type=2&prefix=n", []string{"n\tx"}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op := "ListObjects"
			if strings.Contains(c.query, "list-type=2") {
				op = "ListObjectsV2"
			}
			w, e := listCall(t, s, op, "GET", "bkt", "", c.query, nil, nil)
			if e != nil {
				t.Fatal(e)
			}
			lr := listParse(t, w)
			var keys, prefixes []string
			for _, x := range lr.Contents {
				keys = append(keys, x.Key)
			}
			for _, x := range lr.CommonPrefixes {
				prefixes = append(prefixes, x.Prefix)
			}
			if strings.Join(keys, "|") != strings.Join(c.keys, "|") || strings.Join(prefixes, "|") != strings.Join(c.prefixes, "|") || lr.IsTruncated != c.truncated {
				t.Fatalf("got keys %q prefixes %q truncated %v\nwant keys %q prefixes %q truncated %v", keys, prefixes, lr.IsTruncated, c.keys, c.prefixes, c.truncated)
			}
		})
	}
}

func TestListObjectsURLEncoding(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	listPutObjects(t, s, "bkt", "a b.txt", "a+b.txt", "100%.csv", "한글/x.txt", "run books/x.txt", "t~i-l_d.e*")
	w, e := listCall(t, s, "ListObjectsV2", "GET", "bkt", "", "list-type=2&encoding-type=url&delimiter=%2F&start-after=+&prefix=", nil, nil)
	if e != nil {
		t.Fatal(e)
	}
	body := w.Body.String()
	for _, want := range []string{
		"<Key>a%20b.txt</Key>", "<Key>a%2Bb.txt</Key>", "<Key>100%25.csv</Key>", "<Key>t~i-l_d.e%2A</Key>",
		"<Prefix>run%20books/</Prefix>", "<Prefix>%ED%95%9C%EA%B8%80/</Prefix>",
		"<Delimiter>/</Delimiter>", "<StartAfter>%20</StartAfter>", "<EncodingType>url</EncodingType>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in %s", want, body)
		}
	}
	// Without encoding-type the same keys go out as XML text.
	w, _ = listCall(t, s, "ListObjectsV2", "GET", "bkt", "", "list-type=2", nil, nil)
	if !strings.Contains(w.Body.String(), "<Key>a+b.txt</Key>") || strings.Contains(w.Body.String(), "EncodingType") {
		t.Errorf("unencoded listing wrong: %s", w.Body)
	}
}

// TestListObjectsV2Golden pins one whole ListObjectsV2 document.
func TestListObjectsV2Golden(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	listPutObjects(t, s, "bkt", "photos/a.jpg", "photos/b.jpg", "readme.txt", "zeta")
	err := s.kv.Update(func(tx kv.Writer) error {
		m := objectMeta{Key: "readme.txt", Size: 11, ETag: "6f5902ac237024bdd0c176cb93063dc4", LastModified: listTestTime,
			Checksum: checksumInfo{Algorithm: "CRC32", Value: "DUoRhQ==", Type: "FULL_OBJECT"}, Pieces: []blobRef{}}
		return putJSON(tx, objectKey("bkt", m.Key), &m)
	})
	if err != nil {
		t.Fatal(err)
	}
	w, e := listCall(t, s, "ListObjectsV2", "GET", "bkt", "", "list-type=2&delimiter=%2F&max-keys=2&fetch-owner=true", nil, nil)
	if e != nil {
		t.Fatal(e)
	}
	owner := canonicalUserID(listTestAccount)
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Name>bkt</Name><Prefix></Prefix><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>` +
		`<Contents><Key>readme.txt</Key><LastModified>2025-01-02T03:04:05.678Z</LastModified>` +
		`<ETag>"6f5902ac237024bdd0c176cb93063dc4"</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>` +
		`<ChecksumType>FULL_OBJECT</ChecksumType><Size>11</Size>` +
		`<Owner><ID>` + owner + `</ID><DisplayName>123456789012</DisplayName></Owner>` +
		`<StorageClass>STANDARD</StorageClass></Contents>` +
		`<CommonPrefixes><Prefix>photos/</Prefix></CommonPrefixes>` +
		`<KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>cmVhZG1lLnR4dA==</NextContinuationToken>` +
		`</ListBucketResult>`
	if got := w.Body.String(); got != want {
		t.Fatalf("document differs\n got %s\nwant %s", got, want)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/xml" {
		t.Fatalf("Content-Type %q", ct)
	}

	// The next page, from the token.
	w, e = listCall(t, s, "ListObjectsV2", "GET", "bkt", "", "list-type=2&delimiter=%2F&max-keys=2&continuation-token=cmVhZG1lLnR4dA%3D%3D", nil, nil)
	if e != nil {
		t.Fatal(e)
	}
	want2 := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Name>bkt</Name><Prefix></Prefix><ContinuationToken>cmVhZG1lLnR4dA==</ContinuationToken>` +
		`<MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>` +
		`<Contents><Key>zeta</Key><LastModified>2025-01-02T03:04:05.678Z</LastModified>` +
		`<ETag>"` + listMD5("zeta") + `"</ETag><Size>4</Size><StorageClass>STANDARD</StorageClass></Contents>` +
		`<KeyCount>1</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`
	if got := w.Body.String(); got != want2 {
		t.Fatalf("second page differs\n got %s\nwant %s", got, want2)
	}
}

func listMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestListObjectsV1Golden(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	listPutObjects(t, s, "bkt", "a/1", "a/2", "b")
	w, e := listCall(t, s, "ListObjects", "GET", "bkt", "", "delimiter=%2F&max-keys=1&encoding-type=url", nil, nil)
	if e != nil {
		t.Fatal(e)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Name>bkt</Name><Prefix></Prefix><Marker></Marker><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter>` +
		`<EncodingType>url</EncodingType><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>` +
		`<IsTruncated>true</IsTruncated><NextMarker>a/</NextMarker></ListBucketResult>`
	if got := w.Body.String(); got != want {
		t.Fatalf("document differs\n got %s\nwant %s", got, want)
	}
}

func TestListObjectsErrors(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	cases := []struct {
		name, op, bucket, query string
		code                    string
		status                  int
		argName                 string
		hdr                     http.Header
	}{
		{"other expected owner", "ListObjectsV2", "bkt", "list-type=2", "AccessDenied", 403, "", http.Header{"X-Amz-Expected-Bucket-Owner": {"999999999999"}}},
		{"no bucket v2", "ListObjectsV2", "nope", "list-type=2", "NoSuchBucket", 404, "", nil},
		{"no bucket v1", "ListObjects", "nope", "", "NoSuchBucket", 404, "", nil},
		{"negative max-keys", "ListObjectsV2", "bkt", "list-type=2&max-keys=-1", "InvalidArgument", 400, "max-keys", nil},
		{"non-numeric max-keys", "ListObjects", "bkt", "max-keys=ten", "InvalidArgument", 400, "max-keys", nil},
		{"huge max-keys", "ListObjectsV2", "bkt", "list-type=2&max-keys=99999999999", "InvalidArgument", 400, "max-keys", nil},
		{"bad encoding-type", "ListObjectsV2", "bkt", "list-type=2&encoding-type=base64", "InvalidArgument", 400, "encoding-type", nil},
		{"bad token", "ListObjectsV2", "bkt", "list-type=2&continuation-token=%21%21", "InvalidArgument", 400, "continuation-token", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, e := listCall(t, s, c.op, "GET", c.bucket, "", c.query, c.hdr, nil)
			if e == nil || e.Code != c.code || e.Status != c.status {
				t.Fatalf("got %v, want %s %d", e, c.code, c.status)
			}
			if e.Resource != "/"+c.bucket || (c.code == "NoSuchBucket" && e.Extra["BucketName"] != "nope") {
				t.Fatalf("resource missing: %+v", e)
			}
			if c.argName != "" && e.Extra["ArgumentName"] != c.argName {
				t.Fatalf("ArgumentName %q, want %q", e.Extra["ArgumentName"], c.argName)
			}
		})
	}
}

func TestListObjectsMaxKeysCapped(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	keys := make([]string, 1005)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(10000+i)
	}
	listPutObjects(t, s, "bkt", keys...)
	w, e := listCall(t, s, "ListObjectsV2", "GET", "bkt", "", "list-type=2&max-keys=5000", nil, nil)
	if e != nil {
		t.Fatal(e)
	}
	lr := listParse(t, w)
	if len(lr.Contents) != 1000 || !lr.IsTruncated || lr.MaxKeys != 1000 {
		t.Fatalf("got %d keys, truncated %v, MaxKeys %d", len(lr.Contents), lr.IsTruncated, lr.MaxKeys)
	}
}

// TestListSkipsCollapsedPrefixes checks that a delimiter listing over a huge
// common prefix seeks past it instead of visiting every key.
func TestListSkipsCollapsedPrefixes(t *testing.T) {
	counting := &listCountingKV{Store: kv.NewMemory()}
	s := New(counting, blob.NewMemory(), Config{AccountID: listTestAccount, Now: func() time.Time { return listTestTime }})
	listPutBucket(t, s, "bkt")
	keys := []string{"a", "z"}
	for i := 0; i < 5000; i++ {
		keys = append(keys, "big/"+strconv.Itoa(i))
	}
	listPutObjects(t, s, "bkt", keys...)
	counting.visited = 0
	w, e := listCall(t, s, "ListObjectsV2", "GET", "bkt", "", "list-type=2&delimiter=%2F", nil, nil)
	if e != nil {
		t.Fatal(e)
	}
	lr := listParse(t, w)
	if len(lr.Contents) != 2 || len(lr.CommonPrefixes) != 1 {
		t.Fatalf("unexpected listing %s", w.Body)
	}
	if counting.visited > 3+listSeekAfter+2 {
		t.Fatalf("visited %d records for 3 results", counting.visited)
	}
}

// listCountingKV counts the records Iterate hands out.
type listCountingKV struct {
	kv.Store
	visited int
}

func (c *listCountingKV) View(fn func(kv.Reader) error) error {
	return c.Store.View(func(r kv.Reader) error { return fn(listCountingReader{r, c}) })
}

type listCountingReader struct {
	kv.Reader
	c *listCountingKV
}

func (r listCountingReader) Iterate(start, end []byte, fn func(k, v []byte) (bool, error)) error {
	return r.Reader.Iterate(start, end, func(k, v []byte) (bool, error) {
		r.c.visited++
		return fn(k, v)
	})
}

func TestListKeySuccessor(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a", "b"}, {"a/", "a0"}, {"a\xff", "b"}, {"\xff\xff", ""}, {"", ""},
	} {
		got := listKeySuccessor([]byte(c.in))
		if string(got) != c.want || (c.want == "" && got != nil) {
			t.Errorf("listKeySuccessor(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestListObjectsStreaming: a large page is streamed (no Content-Length), a
// small one is not; a record that cannot be decoded fails the request
// cleanly while nothing is sent, and after that makes the handler report
// the error so the server drops the connection.
func TestListObjectsStreaming(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	keys := make([]string, 600)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(1000+i)
	}
	listPutObjects(t, s, "bkt", keys...)
	w, e := listCall(t, s, "ListObjectsV2", "GET", "bkt", "", "list-type=2", nil, nil)
	if e != nil {
		t.Fatal(e)
	}
	if w.Header().Get("Content-Length") != "" || len(listParse(t, w).Contents) != 600 {
		t.Fatalf("large page: Content-Length %q", w.Header().Get("Content-Length"))
	}
	w, _ = listCall(t, s, "ListObjectsV2", "GET", "bkt", "", "list-type=2&max-keys=3", nil, nil)
	if w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len()) {
		t.Fatalf("small page: Content-Length %q for %d bytes", w.Header().Get("Content-Length"), w.Body.Len())
	}

	for _, c := range []struct {
		corrupt string
		sent    bool
	}{{"k1000", false}, {"k1500", true}} {
		if err := s.kv.Update(func(tx kv.Writer) error { return tx.Put(objectKey("bkt", c.corrupt), []byte("{not json")) }); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		err := s.Handle(rec, httptest.NewRequest("GET", "/bkt?list-type=2", nil), awsproto.Route{Service: "s3", Operation: "ListObjectsV2", Protocol: awsproto.ProtocolRESTXML, Bucket: "bkt"})
		if err == nil || (rec.Body.Len() > 0) != c.sent {
			t.Fatalf("corrupt %s: err %v, %d bytes sent", c.corrupt, err, rec.Body.Len())
		}
		if e := awsproto.As(err); e == nil || e.Status != http.StatusInternalServerError {
			t.Fatalf("corrupt %s: %v", c.corrupt, err)
		}
		listPutObjects(t, s, "bkt", c.corrupt)
	}
}
