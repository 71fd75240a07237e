package s3

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// maxPutSize is the largest body a single PutObject (or copy source) may have: 5 GiB.
const maxPutSize = 5 << 30

// putObject stores a body under bucket/key. Validation that needs no body
// (key, headers, bucket, conditional create) happens before the body is read;
// the write condition is decided again inside the transaction that makes the
// object current, so concurrent writers cannot both pass it.
func (s *Service) putObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	bucket, key := rt.Bucket, rt.Key
	resource := objectResource(bucket, key)
	if err := checkKey(bucket, key); err != nil {
		return err
	}
	if r.ContentLength < 0 {
		return errMissingContentLength.WithResource(resource)
	}
	if r.ContentLength > maxPutSize {
		return errEntityTooLarge.WithResource(resource).
			With("ProposedSize", strconv.FormatInt(r.ContentLength, 10)).With("MaxSizeAllowed", strconv.Itoa(maxPutSize))
	}
	meta := &objectMeta{Key: key}
	if err := readObjectAttributes(r.Header, meta); err != nil {
		return withResource(err, resource)
	}
	wc, err := readWriteCondition(r.Header)
	if err != nil {
		return withResource(err, resource)
	}
	cr, err := parseChecksumRequest(r.Header)
	if err != nil {
		return withResource(err, resource)
	}
	if err := checkChecksumValueFormat(cr); err != nil {
		return withResource(err, resource)
	}
	existed, err := s.precheckWrite(r, bucket, key, wc)
	if err != nil {
		return err
	}

	in, err := s.ingestObject(r, r.Body, cr)
	if err != nil {
		return withResource(err, resource)
	}
	meta.Size = in.Size
	meta.ETag = in.MD5Hex
	meta.LastModified = s.now()
	meta.Checksum = in.Checksum
	meta.Pieces = []blobRef{{BlobID: in.BlobID, Size: in.Size, Data: in.Inline}}
	if err := s.putObjectRecord(bucket, meta, wc.commitCheck(bucket, key, existed), nil); err != nil {
		s.discardBlob(in.BlobID)
		return err
	}
	h := w.Header()
	h.Set("ETag", quoteETag(meta.ETag))
	setChecksumHeaders(h, meta.Checksum)
	h.Set("X-Amz-Server-Side-Encryption", "AES256")
	w.WriteHeader(http.StatusOK)
	return nil
}

// readObjectAttributes fills everything a PutObject request says about the
// new object apart from its body: content headers, user metadata, storage
// class and tags.
func readObjectAttributes(h http.Header, meta *objectMeta) error {
	if err := readContentHeaders(h, meta); err != nil {
		return err
	}
	sc, err := readStorageClass(h)
	if err != nil {
		return err
	}
	meta.StorageClass = sc
	tags, err := parseTaggingHeader(h.Get("X-Amz-Tagging"))
	if err != nil {
		return err
	}
	meta.Tags = tags
	return nil
}

// precheckWrite fails fast, before a body is read, when the bucket is
// missing or a write condition already fails. It reports whether the key
// existed, so a commit-time disappearance can be told apart (409).
func (s *Service) precheckWrite(r *http.Request, bucket, key string, wc writeCondition) (existed bool, err error) {
	var current *objectMeta
	var bm bucketMeta
	err = s.kv.View(func(tx kv.Reader) error {
		if err := getBucketTx(tx, bucket, &bm); err != nil {
			return err
		}
		m, err := getObjectRecord(tx, bucket, key)
		if err != nil && awsproto.As(err) == nil {
			return err
		}
		current = m
		return nil
	})
	if err != nil {
		return false, asServiceError(err)
	}
	if err := checkExpectedOwner(r, &bm); err != nil {
		return false, err
	}
	if err := wc.check(bucket, key, current); err != nil {
		return false, err
	}
	return current != nil, nil
}

// commitCheck is the write condition as putObjectRecord runs it. An
// If-Match write whose object was deleted while the body streamed is S3's
// 409 ConditionalRequestConflict rather than 404.
func (wc writeCondition) commitCheck(bucket, key string, existed bool) func(*objectMeta) error {
	if wc.empty() {
		return nil
	}
	return func(current *objectMeta) error {
		if wc.ifMatch != "" && existed && current == nil {
			return errConditionalConflict.WithResource(objectResource(bucket, key))
		}
		return wc.check(bucket, key, current)
	}
}

// discardBlob deletes a blob no record references; failure leaves an orphan
// for the startup sweep.
func (s *Service) discardBlob(id string) {
	if id == "" { // inline body: nothing stored outside the record
		return
	}
	if err := s.blobs.Delete(id); err != nil {
		s.cfg.Logger.Warn("s3: deleting unreferenced blob", "blob", id, "err", err)
	}
}

func (s *Service) getObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return s.serveObject(w, r, rt, true)
}

func (s *Service) headObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	return s.serveObject(w, r, rt, false)
}

// readPlan is what a GET/HEAD answers: status, the byte range of the object
// and the headers that depend on how it was asked.
type readPlan struct {
	status       int
	start        int64
	length       int64
	contentRange string
	partsCount   int          // x-amz-mp-parts-count, 0 = omit
	checksum     checksumInfo // sent only with x-amz-checksum-mode: ENABLED
}

// openAttempts bounds how often a GET re-reads metadata when a concurrent
// overwrite deleted the pieces it was about to open.
const openAttempts = 4

func (s *Service) serveObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route, withBody bool) error {
	bucket, key := rt.Bucket, rt.Key
	resource := objectResource(bucket, key)
	if err := checkVersionID(r, bucket, key); err != nil {
		return err
	}
	partNumber, err := readPartNumber(r, resource)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		meta, err := s.loadObject(r, bucket, key)
		if err != nil {
			return err
		}
		plan, err := planRead(r, meta, partNumber, withBody, resource)
		if err != nil {
			return err
		}
		var body *spanReader
		if withBody && plan.length > 0 {
			body, err = s.openSpans(spansFor(meta.Pieces, plan.start, plan.length))
			if errors.Is(err, blob.ErrNotFound) && attempt < openAttempts {
				continue // replaced meanwhile: serve the new object
			}
			if err != nil {
				return awsproto.Internal(err)
			}
		}
		h := w.Header()
		setObjectHeaders(h, meta, r.URL.Query())
		h.Set("Content-Length", strconv.FormatInt(plan.length, 10))
		if plan.contentRange != "" {
			h.Set("Content-Range", plan.contentRange)
		}
		if plan.partsCount > 0 {
			h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(plan.partsCount))
		}
		if checksumModeEnabled(r) {
			setChecksumHeaders(h, plan.checksum)
		}
		w.WriteHeader(plan.status)
		if body != nil {
			defer body.Close()
			if _, err := body.WriteTo(w); err != nil {
				// Headers are out: the short body (Content-Length was promised)
				// tells the client; all that is left is to log it.
				s.cfg.Logger.Warn("s3: streaming object", "bucket", bucket, "key", key, "err", err)
			}
		}
		return nil
	}
}

// readPartNumber parses GET/HEAD ?partNumber (0 when absent) and refuses it
// together with Range.
func readPartNumber(r *http.Request, resource string) (int, error) {
	q := r.URL.Query()
	if _, ok := q["partNumber"]; !ok {
		return 0, nil
	}
	v := q.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10000 {
		return 0, invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v).WithResource(resource)
	}
	if r.Header.Get("Range") != "" {
		return 0, errInvalidRequest.WithMessage("Cannot specify both Range header and partNumber query parameter").WithResource(resource)
	}
	return n, nil
}

// planRead decides a GET/HEAD: preconditions (RFC 7232 order), archived
// storage classes, then partNumber or Range. Checksums go only with
// whole-object answers (and a part's own checksum with partNumber): a
// full-object checksum on a ranged reply makes SDKs fail validation.
func planRead(r *http.Request, meta *objectMeta, partNumber int, isGet bool, resource string) (readPlan, error) {
	if err := checkReadPreconditions(r.Header, meta, resource); err != nil {
		return readPlan{}, err
	}
	if isGet && archivedStorageClass(meta.StorageClass) {
		return readPlan{}, errInvalidObjectState.WithResource(resource).With("StorageClass", meta.StorageClass)
	}
	whole := readPlan{status: http.StatusOK, length: meta.Size, checksum: meta.Checksum}
	if partNumber > 0 {
		return planPart(meta, partNumber, resource)
	}
	br, ok, err := parseRange(r.Header.Get("Range"), meta.Size, resource)
	if err != nil {
		return readPlan{}, err
	}
	if !ok {
		return whole, nil
	}
	return readPlan{status: http.StatusPartialContent, start: br.start, length: br.length,
		contentRange: br.contentRange(meta.Size)}, nil
}

// planPart serves ?partNumber=N: the Nth part of a multipart object, or the
// whole object as part 1 of a single-PUT one.
func planPart(meta *objectMeta, n int, resource string) (readPlan, error) {
	unsatisfiable := errInvalidPartNumber.WithResource(resource).
		With("PartNumberRequested", strconv.Itoa(n)).With("ActualPartCount", strconv.Itoa(max(meta.PartsCount, 1)))
	if meta.PartsCount == 0 {
		if n != 1 {
			return readPlan{}, unsatisfiable
		}
		plan := readPlan{status: http.StatusPartialContent, length: meta.Size, checksum: meta.Checksum}
		if meta.Size > 0 {
			plan.contentRange = byteRange{0, meta.Size}.contentRange(meta.Size)
		}
		return plan, nil
	}
	idx := partIndex(meta.Pieces, n)
	if idx < 0 {
		return readPlan{}, unsatisfiable
	}
	var start int64
	for _, p := range meta.Pieces[:idx] {
		start += p.Size
	}
	piece := meta.Pieces[idx]
	plan := readPlan{status: http.StatusPartialContent, start: start, length: piece.Size, partsCount: meta.PartsCount}
	if piece.Size > 0 {
		plan.contentRange = byteRange{start, piece.Size}.contentRange(meta.Size)
	}
	if piece.Checksum != "" {
		plan.checksum = checksumInfo{Algorithm: meta.Checksum.Algorithm, Value: piece.Checksum}
	}
	return plan, nil
}

// partIndex finds part n among a completed upload's pieces by the part
// number it was uploaded with (parts may be sparse: 1, 3, 7); pieces without
// recorded numbers count from 1. It returns -1 when there is no such part.
func partIndex(pieces []blobRef, n int) int {
	for i, p := range pieces {
		if p.PartNumber == n {
			return i
		}
		if p.PartNumber == 0 && i == n-1 {
			return i
		}
	}
	return -1
}

// checksumModeEnabled reports x-amz-checksum-mode: ENABLED, as a header or
// (presigned URLs from aws-sdk-go-v2) a query parameter.
func checksumModeEnabled(r *http.Request) bool {
	if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		return true
	}
	for name, v := range r.URL.Query() {
		if strings.EqualFold(name, "x-amz-checksum-mode") && len(v) > 0 && strings.EqualFold(v[0], "ENABLED") {
			return true
		}
	}
	return false
}

// deleteObject removes bucket/key; a missing key is still 204, as in S3.
// If-Match makes the delete conditional on the current ETag.
func (s *Service) deleteObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	bucket, key := rt.Bucket, rt.Key
	if err := checkVersionID(r, bucket, key); err != nil {
		return err
	}
	ifMatch := strings.TrimSpace(r.Header.Get("If-Match"))
	var removed *objectMeta
	err := s.kv.Update(func(tx kv.Writer) error {
		removed = nil
		var bm bucketMeta
		if err := getBucketTx(tx, bucket, &bm); err != nil {
			return err
		}
		if err := checkExpectedOwner(r, &bm); err != nil {
			return err
		}
		meta, err := getObjectRecord(tx, bucket, key)
		if err != nil {
			if awsproto.As(err) != nil { // NoSuchKey
				if ifMatch != "" {
					return err
				}
				return nil
			}
			return err
		}
		if ifMatch != "" && !etagListMatches(ifMatch, meta.ETag) {
			return errPreconditionFailed.WithResource(objectResource(bucket, key)).With("Condition", "If-Match")
		}
		removed = meta
		return tx.Delete(objectKey(bucket, key))
	})
	if err != nil {
		return asServiceError(err)
	}
	if removed != nil {
		s.deleteUnreferencedPieces(removed.Pieces, nil)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
