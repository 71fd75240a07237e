package s3

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"hash/crc32"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// mpData returns n deterministic pseudo-random bytes.
func mpData(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func mpCreate(t testing.TB, s *Service, bucket, key string, hdr http.Header) string {
	t.Helper()
	w, e := listCall(t, s, "CreateMultipartUpload", "POST", bucket, key, "uploads", hdr, nil)
	if e != nil {
		t.Fatalf("create: %v", e)
	}
	var res struct{ Bucket, Key, UploadId string }
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil || res.UploadId == "" || res.Key != key || res.Bucket != bucket {
		t.Fatalf("create result %s: %v", w.Body, err)
	}
	return res.UploadId
}

func mpUpload(t testing.TB, s *Service, bucket, key, id string, pn int, body []byte, hdr http.Header) (*httptest.ResponseRecorder, *awsproto.Error) {
	t.Helper()
	return listCall(t, s, "UploadPart", "PUT", bucket, key, "partNumber="+strconv.Itoa(pn)+"&uploadId="+id, hdr, bytes.NewReader(body))
}

// mpMustUpload uploads a part and returns its quoted ETag.
func mpMustUpload(t testing.TB, s *Service, bucket, key, id string, pn int, body []byte, hdr http.Header) string {
	t.Helper()
	w, e := mpUpload(t, s, bucket, key, id, pn, body, hdr)
	if e != nil {
		t.Fatalf("upload part %d: %v", pn, e)
	}
	sum := md5.Sum(body)
	if got, want := w.Header().Get("ETag"), `"`+hex.EncodeToString(sum[:])+`"`; got != want {
		t.Fatalf("part ETag %s, want %s", got, want)
	}
	return w.Header().Get("ETag")
}

func mpComplete(t testing.TB, s *Service, bucket, key, id, doc string, hdr http.Header) (*httptest.ResponseRecorder, *awsproto.Error) {
	t.Helper()
	return listCall(t, s, "CompleteMultipartUpload", "POST", bucket, key, "uploadId="+id, hdr, strings.NewReader(doc))
}

// mpDoc builds a CompleteMultipartUpload document; extra is per-part XML.
func mpDoc(parts ...string) string {
	return `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(parts, "") + `</CompleteMultipartUpload>`
}

func mpPart(pn int, etag string, extra ...string) string {
	return "<Part><ETag>" + etag + "</ETag><PartNumber>" + strconv.Itoa(pn) + "</PartNumber>" + strings.Join(extra, "") + "</Part>"
}

// mpBlobs lists every blob in the store.
func mpBlobs(t testing.TB, s *Service) []string {
	t.Helper()
	var ids []string
	if err := s.blobs.Walk(func(id string) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

// mpReferencedBlobs lists every blob a kv record references (objects and parts).
func mpReferencedBlobs(t testing.TB, s *Service) []string {
	t.Helper()
	var ids []string
	err := s.kv.View(func(tx kv.Reader) error {
		if err := tx.Iterate([]byte(prefixObject), []byte("s3/o0"), func(_, v []byte) (bool, error) {
			var m objectMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return false, err
			}
			for _, p := range m.Pieces {
				ids = append(ids, p.BlobID)
			}
			return true, nil
		}); err != nil {
			return err
		}
		return tx.Iterate([]byte(prefixPart), []byte("s3/p0"), func(_, v []byte) (bool, error) {
			var p partMeta
			if err := json.Unmarshal(v, &p); err != nil {
				return false, err
			}
			ids = append(ids, p.BlobID)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

// mpAssertNoLeaks checks that the blob store holds exactly the referenced blobs.
func mpAssertNoLeaks(t testing.TB, s *Service) {
	t.Helper()
	have, want := mpBlobs(t, s), mpReferencedBlobs(t, s)
	if strings.Join(have, ",") != strings.Join(want, ",") {
		t.Fatalf("blobs %v, referenced %v", have, want)
	}
}

func mpObject(t testing.TB, s *Service, bucket, key string) (objectMeta, []byte) {
	t.Helper()
	var m objectMeta
	if err := s.kv.View(func(tx kv.Reader) error { return getJSON(tx, objectKey(bucket, key), &m) }); err != nil {
		t.Fatalf("object %s/%s: %v", bucket, key, err)
	}
	var body []byte
	for _, p := range m.Pieces {
		rd, err := s.blobs.Open(p.BlobID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rd)
		rd.Close()
		body = append(body, b...)
	}
	return m, body
}

// mpPutObject stores an object with one blob, as PutObject would.
func mpPutObject(t testing.TB, s *Service, bucket, key string, data []byte) objectMeta {
	t.Helper()
	bw, _ := s.blobs.Create()
	bw.Write(data)
	id, n, err := bw.Commit()
	if err != nil {
		t.Fatal(err)
	}
	m := objectMeta{Key: key, Size: n, ETag: listMD5(string(data)), LastModified: listTestTime, Pieces: []blobRef{{BlobID: id, Size: n}}}
	if err := s.putObjectRecord(bucket, &m, nil, nil); err != nil {
		t.Fatal(err)
	}
	return m
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func crc32Of(b []byte) []byte {
	return binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b))
}

// TestMultipartOutOfOrderUpload uploads three parts concurrently in reverse
// order, completes with Go's escaped quotes, and checks the object, its ETag
// and its composite CRC32 against values computed here independently.
func TestMultipartOutOfOrderUpload(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	id := mpCreate(t, s, "bkt", "big/file.bin", http.Header{
		"X-Amz-Checksum-Algorithm": {"CRC32"}, "Content-Type": {"application/x-test"}, "X-Amz-Meta-Color": {"blue"},
		"X-Amz-Tagging": {"a=1&b=two"},
	})
	parts := [][]byte{mpData(1, 5<<20+17), mpData(2, 5<<20), mpData(3, 1234)}
	etags := make([]string, 3)
	var wg sync.WaitGroup
	for i := 2; i >= 0; i-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Client-side checksum on odd parts only; the server computes the others.
			var hdr http.Header
			if i%2 == 1 {
				hdr = http.Header{"X-Amz-Checksum-Crc32": {b64(crc32Of(parts[i]))}}
			}
			w, e := mpUpload(t, s, "bkt", "big/file.bin", id, i+1, parts[i], hdr)
			if e != nil {
				t.Errorf("part %d: %v", i+1, e)
				return
			}
			if got := w.Header().Get("X-Amz-Checksum-Crc32"); got != b64(crc32Of(parts[i])) {
				t.Errorf("part %d checksum header %q", i+1, got)
			}
			etags[i] = w.Header().Get("ETag")
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var doc []string
	for i, e := range etags {
		// aws-sdk-go-v2 escapes the quotes; the part checksum is echoed back.
		doc = append(doc, mpPart(i+1, strings.ReplaceAll(e, `"`, "&#34;"), "<ChecksumCRC32>"+b64(crc32Of(parts[i]))+"</ChecksumCRC32>"))
	}
	w, e := mpComplete(t, s, "bkt", "big/file.bin", id, mpDoc(doc...), nil)
	if e != nil {
		t.Fatal(e)
	}

	whole := bytes.Join(parts, nil)
	var md5s []byte
	var crcs []byte
	for _, p := range parts {
		sum := md5.Sum(p)
		md5s = append(md5s, sum[:]...)
		crcs = append(crcs, crc32Of(p)...)
	}
	etagSum := md5.Sum(md5s)
	wantETag := hex.EncodeToString(etagSum[:]) + "-3"
	wantChecksum := b64(crc32Of(crcs)) + "-3"

	var res struct {
		Location, Bucket, Key, ETag, ChecksumCRC32, ChecksumType string
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.ETag != `"`+wantETag+`"` || res.ChecksumCRC32 != wantChecksum || res.ChecksumType != "COMPOSITE" ||
		res.Bucket != "bkt" || res.Key != "big/file.bin" || res.Location != "http://example.com/bkt/big/file.bin" {
		t.Fatalf("result %+v, want ETag %s checksum %s", res, wantETag, wantChecksum)
	}
	m, body := mpObject(t, s, "bkt", "big/file.bin")
	if !bytes.Equal(body, whole) {
		t.Fatal("object body differs from the parts")
	}
	if m.ETag != wantETag || m.Size != int64(len(whole)) || m.PartsCount != 3 || m.Checksum.Value != wantChecksum ||
		m.ContentType != "application/x-test" || m.UserMetadata["color"] != "blue" || len(m.Tags) != 2 ||
		!m.LastModified.Equal(listTestTime.Truncate(1e6)) {
		t.Fatalf("object meta %+v", m)
	}
	for i, p := range m.Pieces {
		if p.PartNumber != i+1 || p.Size != int64(len(parts[i])) || p.Checksum != b64(crc32Of(parts[i])) {
			t.Fatalf("piece %d: %+v", i, p)
		}
	}
	if _, e := listCall(t, s, "ListParts", "GET", "bkt", "big/file.bin", "uploadId="+id, nil, nil); e == nil || e.Code != "NoSuchUpload" {
		t.Fatalf("upload still listed after complete: %v", e)
	}
	if n := len(mpBlobs(t, s)); n != 3 {
		t.Fatalf("%d blobs after complete, want 3", n)
	}
	mpAssertNoLeaks(t, s)
}

// TestCompleteMultipartUploadGolden pins the result document.
func TestCompleteMultipartUploadGolden(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	id := mpCreate(t, s, "bkt", "a b+c.txt", http.Header{"X-Amz-Checksum-Algorithm": {"SHA256"}})
	body := []byte("hello world\n")
	etag := mpMustUpload(t, s, "bkt", "a b+c.txt", id, 1, body, nil)
	sum := sha256.Sum256(body)
	w, e := mpComplete(t, s, "bkt", "a b+c.txt", id, mpDoc(mpPart(1, etag, "<ChecksumSHA256>"+b64(sum[:])+"</ChecksumSHA256>")), nil)
	if e != nil {
		t.Fatal(e)
	}
	composite := sha256.Sum256(sum[:])
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Location>http://example.com/bkt/a%20b+c.txt</Location><Bucket>bkt</Bucket><Key>a b+c.txt</Key>` +
		`<ETag>&#34;a1a6dd1bd6f5b1a9a3bde3b4e42f3c4f-1&#34;</ETag>` +
		`<ChecksumSHA256>` + b64(composite[:]) + `-1</ChecksumSHA256><ChecksumType>COMPOSITE</ChecksumType>` +
		`</CompleteMultipartUploadResult>`
	md := md5.Sum(body)
	etagSum := md5.Sum(md[:])
	want = strings.Replace(want, "a1a6dd1bd6f5b1a9a3bde3b4e42f3c4f", hex.EncodeToString(etagSum[:]), 1)
	if got := w.Body.String(); got != want {
		t.Fatalf("document differs\n got %s\nwant %s", got, want)
	}
}

func TestMultipartFullObjectChecksum(t *testing.T) {
	cases := []struct {
		alg, typ string
		sum      func([]byte) []byte
	}{
		{"CRC32", "FULL_OBJECT", crc32Of},
		{"CRC32C", "FULL_OBJECT", func(b []byte) []byte {
			return binary.BigEndian.AppendUint32(nil, crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
		}},
		{"CRC64NVME", "", func(b []byte) []byte { // full-object is CRC64NVME's default
			return binary.BigEndian.AppendUint64(nil, crc64.Checksum(b, crc64.MakeTable(0x9a6c9329ac4bc9b5)))
		}},
	}
	for _, c := range cases {
		t.Run(c.alg, func(t *testing.T) {
			s := listTestService(t)
			listPutBucket(t, s, "bkt")
			hdr := http.Header{"X-Amz-Checksum-Algorithm": {c.alg}}
			if c.typ != "" {
				hdr.Set("X-Amz-Checksum-Type", c.typ)
			}
			w, e := listCall(t, s, "CreateMultipartUpload", "POST", "bkt", "k", "uploads", hdr, nil)
			if e != nil {
				t.Fatal(e)
			}
			if w.Header().Get("X-Amz-Checksum-Algorithm") != c.alg || w.Header().Get("X-Amz-Checksum-Type") != "FULL_OBJECT" {
				t.Fatalf("create headers %v", w.Header())
			}
			var cr struct{ UploadId string }
			xml.Unmarshal(w.Body.Bytes(), &cr)
			parts := [][]byte{mpData(7, 5<<20+3), mpData(8, 5<<20+1000), mpData(9, 77)}
			var doc []string
			for i, p := range parts {
				// FULL_OBJECT uploads need no per-part checksum in Complete.
				doc = append(doc, mpPart(i+1, mpMustUpload(t, s, "bkt", "k", cr.UploadId, i+1, p, nil)))
			}
			whole := bytes.Join(parts, nil)
			want := b64(c.sum(whole))
			w, e = mpComplete(t, s, "bkt", "k", cr.UploadId, mpDoc(doc...), http.Header{
				checksumHeader(c.alg): {want}, "X-Amz-Mp-Object-Size": {strconv.Itoa(len(whole))},
			})
			if e != nil {
				t.Fatal(e)
			}
			if !strings.Contains(w.Body.String(), "<Checksum"+c.alg+">"+want+"</Checksum"+c.alg+"><ChecksumType>FULL_OBJECT</ChecksumType>") {
				t.Fatalf("result %s lacks %s", w.Body, want)
			}
		})
	}
}

func TestCRCCombine(t *testing.T) {
	c32, _ := crcCombinerFor(algCRC32)
	c32c, _ := crcCombinerFor(algCRC32C)
	c64, _ := crcCombinerFor(algCRC64NVME)
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	nvme := crc64.MakeTable(0x9a6c9329ac4bc9b5)
	data := mpData(42, 70000)
	for _, split := range []int{0, 1, 7, 4096, 65536, 69999, 70000} {
		a, b := data[:split], data[split:]
		if got, want := c32.combine(uint64(crc32.ChecksumIEEE(a)), uint64(crc32.ChecksumIEEE(b)), int64(len(b))), uint64(crc32.ChecksumIEEE(data)); got != want {
			t.Errorf("crc32 split %d: %x, want %x", split, got, want)
		}
		if got, want := c32c.combine(uint64(crc32.Checksum(a, castagnoli)), uint64(crc32.Checksum(b, castagnoli)), int64(len(b))), uint64(crc32.Checksum(data, castagnoli)); got != want {
			t.Errorf("crc32c split %d: %x, want %x", split, got, want)
		}
		if got, want := c64.combine(crc64.Checksum(a, nvme), crc64.Checksum(b, nvme), int64(len(b))), crc64.Checksum(data, nvme); got != want {
			t.Errorf("crc64nvme split %d: %x, want %x", split, got, want)
		}
	}
	if _, ok := crcCombinerFor(algSHA256); ok {
		t.Error("SHA256 cannot be combined")
	}
}

// TestMultipartReplaceAndUnlistedParts: a re-uploaded part replaces the old
// one (whose blob goes), and parts left out of Complete are deleted.
func TestMultipartReplaceAndUnlistedParts(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	id := mpCreate(t, s, "bkt", "k", nil)
	first := mpMustUpload(t, s, "bkt", "k", id, 1, mpData(1, 100), nil)
	p1 := mpData(2, 5<<20)
	second := mpMustUpload(t, s, "bkt", "k", id, 1, p1, nil)
	mpMustUpload(t, s, "bkt", "k", id, 2, mpData(3, 10), nil)
	p3 := mpData(4, 10)
	third := mpMustUpload(t, s, "bkt", "k", id, 3, p3, nil)
	if n := len(mpBlobs(t, s)); n != 3 {
		t.Fatalf("%d blobs after replacing part 1, want 3", n)
	}
	mpAssertNoLeaks(t, s)
	if _, e := mpComplete(t, s, "bkt", "k", id, mpDoc(mpPart(1, first), mpPart(3, third)), nil); e == nil || e.Code != "InvalidPart" {
		t.Fatalf("replaced part's ETag accepted: %v", e)
	}
	if _, e := mpComplete(t, s, "bkt", "k", id, mpDoc(mpPart(1, second), mpPart(3, third)), nil); e != nil {
		t.Fatal(e)
	}
	_, body := mpObject(t, s, "bkt", "k")
	if !bytes.Equal(body, append(append([]byte(nil), p1...), p3...)) {
		t.Fatal("object is not parts 1 and 3")
	}
	if n := len(mpBlobs(t, s)); n != 2 {
		t.Fatalf("%d blobs after complete, want 2 (part 2 unlisted)", n)
	}
	mpAssertNoLeaks(t, s)

	// Completing over an existing object deletes the replaced object's blobs.
	id2 := mpCreate(t, s, "bkt", "k", nil)
	e2 := mpMustUpload(t, s, "bkt", "k", id2, 1, []byte("tiny"), nil)
	if _, e := mpComplete(t, s, "bkt", "k", id2, mpDoc(mpPart(1, e2)), nil); e != nil {
		t.Fatal(e)
	}
	if n := len(mpBlobs(t, s)); n != 1 {
		t.Fatalf("%d blobs after overwrite, want 1", n)
	}
	mpAssertNoLeaks(t, s)
}

func TestMultipartAbort(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	id := mpCreate(t, s, "bkt", "k", nil)
	for pn := 1; pn <= 3; pn++ {
		mpMustUpload(t, s, "bkt", "k", id, pn, mpData(uint64(pn), 1000), nil)
	}
	if _, e := listCall(t, s, "AbortMultipartUpload", "DELETE", "bkt", "other-key", "uploadId="+id, nil, nil); e == nil || e.Code != "NoSuchUpload" {
		t.Fatalf("abort under another key: %v", e)
	}
	if _, e := listCall(t, s, "AbortMultipartUpload", "DELETE", "bkt", "k", "uploadId="+id,
		http.Header{"X-Amz-If-Match-Initiated-Time": {"Mon, 01 Jan 2024 00:00:00 GMT"}}, nil); e == nil || e.Code != "PreconditionFailed" {
		t.Fatalf("abort with wrong initiated time: %v", e)
	}
	w, e := listCall(t, s, "AbortMultipartUpload", "DELETE", "bkt", "k", "uploadId="+id,
		http.Header{"X-Amz-If-Match-Initiated-Time": {listTestTime.Format(http.TimeFormat)}}, nil)
	if e != nil || w.Code != http.StatusNoContent {
		t.Fatalf("abort: %d %v", w.Code, e)
	}
	if n := len(mpBlobs(t, s)); n != 0 {
		t.Fatalf("%d blobs after abort", n)
	}
	if _, e := listCall(t, s, "AbortMultipartUpload", "DELETE", "bkt", "k", "uploadId="+id, nil, nil); e == nil || e.Code != "NoSuchUpload" || e.Status != 404 {
		t.Fatalf("second abort: %v", e)
	}
	if _, e := mpUpload(t, s, "bkt", "k", id, 1, []byte("late"), nil); e == nil || e.Code != "NoSuchUpload" {
		t.Fatalf("upload after abort: %v", e)
	}
	if _, e := mpComplete(t, s, "bkt", "k", id, mpDoc(mpPart(1, `"x"`)), nil); e == nil || e.Code != "NoSuchUpload" {
		t.Fatalf("complete after abort: %v", e)
	}
	if n := len(mpBlobs(t, s)); n != 0 {
		t.Fatalf("%d blobs leaked", n)
	}
}

// TestMultipartCompleteRacesUploadPart runs Complete against concurrent
// re-uploads of its part many times: whichever wins, nothing is lost, no
// blob leaks, and the object is exactly one of the uploaded bodies.
func TestMultipartCompleteRacesUploadPart(t *testing.T) {
	s := listTestService(t)
	listPutBucket(t, s, "bkt")
	for round := 0; round < 30; round++ {
		key := "race" + strconv.Itoa(round)
		id := mpCreate(t, s, "bkt", key, http.Header{"X-Amz-Checksum-Algorithm": {"CRC32C"}})
		original := mpData(uint64(round), 300)
		etag := mpMustUpload(t, s, "bkt", key, id, 1, original, nil)
		var wg sync.WaitGroup
		var completeErr *awsproto.Error
		wg.Add(3)
		go func() {
			defer wg.Done()
			_, completeErr = mpComplete(t, s, "bkt", key, id, mpDoc(mpPart(1, etag, "<ChecksumCRC32C>"+
				b64(binary.BigEndian.AppendUint32(nil, crc32.Checksum(original, crc32.MakeTable(crc32.Castagnoli))))+"</ChecksumCRC32C>")), nil)
		}()
		for g := 0; g < 2; g++ {
			go func() {
				defer wg.Done()
				_, e := mpUpload(t, s, "bkt", key, id, 1, mpData(uint64(1000+round*2+g), 300), nil)
				if e != nil && e.Code != "NoSuchUpload" {
					t.Errorf("racing upload: %v", e)
				}
			}()
		}
		wg.Wait()
		switch {
		case completeErr == nil:
			m, body := mpObject(t, s, "bkt", key)
			if !bytes.Equal(body, original) || m.Size != 300 {
				t.Fatalf("round %d: completed object is not the listed part", round)
			}
		case completeErr.Code == "InvalidPart":
			// A re-upload replaced part 1 first; the upload is still open.
			if _, e := listCall(t, s, "AbortMultipartUpload", "DELETE", "bkt", key, "uploadId="+id, nil, nil); e != nil {
				t.Fatalf("round %d: abort after lost race: %v", round, e)
			}
		default:
			t.Fatalf("round %d: complete: %v", round, completeErr)
		}
		mpAssertNoLeaks(t, s)
	}
}
