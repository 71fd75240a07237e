package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/auth"
	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// otHarness drives the bucket/object/copy/tagging handlers through
// Service.Handle with in-memory stores and a settable clock.
type otHarness struct {
	t     *testing.T
	svc   *Service
	kv    kv.Store
	blobs blob.Store
	now   time.Time
}

// newOTHarness keeps every body as a blob (no inlining), so tests can count
// blobs to prove nothing leaks; newInlineHarness keeps the default.
func newOTHarness(t *testing.T) *otHarness {
	return newHarnessInline(t, -1)
}

func newInlineHarness(t *testing.T) *otHarness {
	return newHarnessInline(t, 0)
}

func newHarnessInline(t *testing.T, inlineLimit int64) *otHarness {
	t.Helper()
	h := &otHarness{t: t, kv: kv.NewMemory(), blobs: blob.NewMemory(),
		now: time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.UTC)}
	h.svc = New(h.kv, h.blobs, Config{Region: "us-east-1", AccountID: "000000000000", InlineLimit: inlineLimit,
		Now:    func() time.Time { return h.now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return h
}

// otReq describes one request.
type otReq struct {
	op, method    string
	bucket, key   string
	query         string // raw query, without "?"
	body          []byte
	header        map[string]string
	trailer       http.Header
	region        string // signing region; default us-east-1
	account       string // principal account; default none (service account)
	contentLength *int64 // override r.ContentLength (-1 = unknown)
}

func (h *otHarness) call(q otReq) (*httptest.ResponseRecorder, *awsproto.Error) {
	h.t.Helper()
	target := "/" + q.bucket
	if q.key != "" {
		target += "/" + q.key
	}
	req := httptest.NewRequest(q.method, "http://localhost/", bytes.NewReader(q.body))
	req.URL.Path = target
	req.URL.RawQuery = q.query
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	if q.trailer != nil {
		req.Trailer = q.trailer
	}
	if q.contentLength != nil {
		req.ContentLength = *q.contentLength
	}
	if q.account != "" {
		req = req.WithContext(auth.WithPrincipal(context.Background(), auth.Principal{AccountID: q.account}))
	}
	region := q.region
	if region == "" {
		region = "us-east-1"
	}
	rt := awsproto.Route{Service: "s3", Operation: q.op, Protocol: awsproto.ProtocolRESTXML,
		Bucket: q.bucket, Key: q.key, SigningService: "s3", Region: region}
	rec := httptest.NewRecorder()
	err := h.svc.Handle(rec, req, rt)
	if err != nil {
		e := awsproto.As(err)
		if e == nil {
			h.t.Fatalf("%s: non-AWS error %v", q.op, err)
		}
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 || len(rec.Header()) != 0 {
			h.t.Fatalf("%s: handler wrote a response and returned %v", q.op, err)
		}
		return rec, e
	}
	return rec, nil
}

// ok calls and fails the test on an error.
func (h *otHarness) ok(q otReq) *httptest.ResponseRecorder {
	h.t.Helper()
	rec, e := h.call(q)
	if e != nil {
		h.t.Fatalf("%s %s/%s: unexpected error %s (%s)", q.op, q.bucket, q.key, e.Code, e.Message)
	}
	return rec
}

// fail calls and checks the error code and status.
func (h *otHarness) fail(q otReq, code string, status int) *awsproto.Error {
	h.t.Helper()
	_, e := h.call(q)
	if e == nil {
		h.t.Fatalf("%s %s/%s: want %s, got success", q.op, q.bucket, q.key, code)
	}
	if e.Code != code || e.Status != status {
		h.t.Fatalf("%s %s/%s: want %s/%d, got %s/%d (%s)", q.op, q.bucket, q.key, code, status, e.Code, e.Status, e.Message)
	}
	return e
}

func (h *otHarness) createBucket(name string) {
	h.t.Helper()
	h.ok(otReq{op: "CreateBucket", method: "PUT", bucket: name})
}

func (h *otHarness) put(bucket, key string, body []byte, header map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.ok(otReq{op: "PutObject", method: "PUT", bucket: bucket, key: key, body: body, header: header})
}

func (h *otHarness) get(bucket, key string, header map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.ok(otReq{op: "GetObject", method: "GET", bucket: bucket, key: key, header: header})
}

// blobIDs lists every stored blob.
func (h *otHarness) blobIDs() []string {
	h.t.Helper()
	var ids []string
	if err := h.blobs.Walk(func(id string) error { ids = append(ids, id); return nil }); err != nil {
		h.t.Fatal(err)
	}
	return ids
}

// storeBlob commits data as a blob and returns its id.
func (h *otHarness) storeBlob(data []byte) string {
	h.t.Helper()
	w, err := h.blobs.Create()
	if err != nil {
		h.t.Fatal(err)
	}
	w.Write(data)
	id, _, err := w.Commit()
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// putPieces installs an object made of several pieces (as a completed
// multipart upload leaves it), each piece a part with a CRC32 checksum.
func (h *otHarness) putPieces(bucket, key string, parts ...[]byte) *objectMeta {
	h.t.Helper()
	meta := &objectMeta{Key: key, ETag: "0123456789abcdef0123456789abcdef-" + strconv.Itoa(len(parts)), LastModified: h.svc.now(),
		ContentType: "binary/octet-stream", StorageClass: "STANDARD", PartsCount: len(parts),
		Checksum: checksumInfo{Algorithm: algCRC32, Value: "AAAAAA==-" + strconv.Itoa(len(parts)), Type: "COMPOSITE"}}
	for i, p := range parts {
		meta.Pieces = append(meta.Pieces, blobRef{BlobID: h.storeBlob(p), Size: int64(len(p)), PartNumber: i + 1,
			ETag: otMD5Hex(p), Checksum: checksumOf(algCRC32, p)})
		meta.Size += int64(len(p))
	}
	if err := h.svc.putObjectRecord(bucket, meta, nil, nil); err != nil {
		h.t.Fatal(err)
	}
	return meta
}

func checksumOf(alg string, data []byte) string {
	hh := newChecksumHash(alg)
	hh.Write(data)
	return base64.StdEncoding.EncodeToString(hh.Sum(nil))
}

func otMD5Hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

func httpReq() *http.Request { return httptest.NewRequest("GET", "http://localhost/", nil) }

func asAWS(err error) *awsproto.Error { return awsproto.As(err) }
