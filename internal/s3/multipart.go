package s3

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Multipart limits. Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
const (
	multipartMaxPartNumber = 10000
	multipartMinPartSize   = 5 << 20 // every part but the last
	multipartMaxPartSize   = 5 << 30
)

func (s *Service) createMultipartUpload(w http.ResponseWriter, r *http.Request, rt awsproto.Route) (err error) {
	defer func() { err = withResource(err, objectResource(rt.Bucket, rt.Key)) }()
	bucket, key := rt.Bucket, rt.Key
	if err := checkKey(bucket, key); err != nil {
		return err
	}
	obj := objectMeta{Key: key}
	if err := readContentHeaders(r.Header, &obj); err != nil {
		return err
	}
	sc, err := readStorageClass(r.Header)
	if err != nil {
		return err
	}
	obj.StorageClass = sc
	if obj.Tags, err = parseTaggingHeader(r.Header.Get("X-Amz-Tagging")); err != nil {
		return err
	}
	alg, ckType, err := multipartChecksumChoice(r.Header)
	if err != nil {
		return err
	}
	now := s.now()
	up := uploadMeta{
		UploadID: newUploadID(now), Key: key, Initiated: now, Object: obj,
		ChecksumAlgorithm: alg, ChecksumType: ckType, Owner: s.callerAccount(r.Context()),
	}
	err = s.kv.Update(func(tx kv.Writer) error {
		var bm bucketMeta
		if err := getBucketTx(tx, bucket, &bm); err != nil {
			return err
		}
		if err := checkExpectedOwner(r, &bm); err != nil {
			return err
		}
		return putJSON(tx, uploadKey(bucket, up.UploadID), up)
	})
	if err != nil {
		return asServiceError(err)
	}
	w.Header().Set("X-Amz-Server-Side-Encryption", "AES256")
	if alg != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", alg)
		w.Header().Set("X-Amz-Checksum-Type", ckType)
	}
	return writeXMLResponse(w, http.StatusOK, xmlInitiateMultipartUploadResult{Bucket: bucket, Key: key, UploadID: up.UploadID})
}

// multipartChecksumChoice reads x-amz-checksum-algorithm and
// x-amz-checksum-type of CreateMultipartUpload. CRC64NVME is full-object
// only, the SHAs composite only, CRC32/CRC32C either (composite by default).
func multipartChecksumChoice(h http.Header) (alg, ckType string, err error) {
	alg = strings.ToUpper(h.Get("X-Amz-Checksum-Algorithm"))
	ckType = strings.ToUpper(h.Get("X-Amz-Checksum-Type"))
	if alg == "" {
		if ckType != "" {
			return "", "", errInvalidRequest.WithMessage("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
		return "", "", nil
	}
	if newChecksumHash(alg) == nil {
		return "", "", errInvalidRequest.WithMessage("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	switch ckType {
	case "":
		ckType = checksumDefaultType(alg)
	case "COMPOSITE":
		if alg == algCRC64NVME {
			return "", "", errInvalidRequest.WithMessage("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
		}
	case "FULL_OBJECT":
		if _, ok := crcCombinerFor(alg); !ok {
			return "", "", errInvalidRequest.WithMessage("The FULL_OBJECT checksum type cannot be used with the " + strings.ToLower(alg) + " checksum algorithm.")
		}
	default:
		return "", "", errInvalidRequest.WithMessage("Value for x-amz-checksum-type header is invalid.")
	}
	return alg, ckType, nil
}

// newUploadID returns a fresh upload id: the creation time in nanoseconds
// then 16 random bytes, in hex, so ids of one key sort in creation order
// (ListMultipartUploads lists them that way).
func newUploadID(now time.Time) string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixNano()))
	_, _ = rand.Read(b[8:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b[:])
}

func (s *Service) uploadPart(w http.ResponseWriter, r *http.Request, rt awsproto.Route) (err error) {
	defer func() { err = withResource(err, objectResource(rt.Bucket, rt.Key)) }()
	bucket, key := rt.Bucket, rt.Key
	q := r.URL.Query()
	uploadID := q.Get("uploadId")
	pn, err := multipartPartNumber(q.Get("partNumber"))
	if err != nil {
		return err
	}
	cr, err := parseChecksumRequest(r.Header)
	if err != nil {
		return err
	}
	if err := checkChecksumValueFormat(cr); err != nil {
		return err
	}
	if size := multipartDeclaredSize(r); size > multipartMaxPartSize {
		return errEntityTooLarge.WithResource(objectResource(bucket, key)).
			With("ProposedSize", strconv.FormatInt(size, 10)).With("MaxSizeAllowed", strconv.FormatInt(multipartMaxPartSize, 10))
	}
	// Refuse before reading the body when the upload is unknown.
	up, err := s.viewMultipartUpload(r, bucket, key, uploadID)
	if err != nil {
		return err
	}
	if cr, err = multipartPartChecksum(&up, cr); err != nil {
		return err
	}
	in, err := s.ingest(r, r.Body, cr)
	if err != nil {
		return err
	}
	part := partMeta{PartNumber: pn, ETag: in.MD5Hex, Size: in.Size, LastModified: s.now(), BlobID: in.BlobID,
		Checksum: checksumInfo{Algorithm: in.Checksum.Algorithm, Value: in.Checksum.Value}}
	if err := s.commitMultipartPart(r, bucket, key, uploadID, part); err != nil {
		return err
	}
	h := w.Header()
	h.Set("ETag", quoteETag(part.ETag))
	if part.Checksum.Algorithm != "" {
		h.Set(checksumHeader(part.Checksum.Algorithm), part.Checksum.Value)
	}
	h.Set("X-Amz-Server-Side-Encryption", "AES256")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// multipartPartChecksum decides which checksum a part is verified and stored
// with: the upload's algorithm, computed by the server when the client sends
// none. A different algorithm is refused as S3 refuses it. An upload created
// without an algorithm accepts (and verifies) whatever the client sends, as
// SDKs add CRC32 to every UploadPart by default.
func multipartPartChecksum(up *uploadMeta, cr checksumRequest) (checksumRequest, error) {
	if up.ChecksumAlgorithm == "" {
		return cr, nil
	}
	if cr.Algorithm == "" {
		cr.Algorithm = up.ChecksumAlgorithm
		return cr, nil
	}
	if cr.Algorithm != up.ChecksumAlgorithm {
		return cr, errInvalidRequest.WithMessage("Checksum Type mismatch occurred, expected checksum Type: " +
			strings.ToLower(up.ChecksumAlgorithm) + ", actual checksum Type: " + strings.ToLower(cr.Algorithm))
	}
	return cr, nil
}

// commitMultipartPart records part as part.PartNumber of the upload, replacing an
// earlier upload of that number. The part's blob is deleted if the upload is
// gone by then (aborted or completed meanwhile); a replaced part's blob is
// deleted once the new record is durable. The transaction that reads the
// upload record is the one that writes the part, so a racing Complete or
// Abort either sees this part or makes this call fail: never half of it.
func (s *Service) commitMultipartPart(r *http.Request, bucket, key, uploadID string, part partMeta) error {
	var replaced string
	err := s.kv.Update(func(tx kv.Writer) error {
		replaced = ""
		if _, err := loadMultipartUpload(tx, r, bucket, key, uploadID); err != nil {
			return err
		}
		var old partMeta
		switch err := getJSON(tx, partKey(bucket, uploadID, part.PartNumber), &old); {
		case err == nil:
			replaced = old.BlobID
		case !isNotFound(err):
			return err
		}
		return putJSON(tx, partKey(bucket, uploadID, part.PartNumber), part)
	})
	if err != nil {
		s.deleteMultipartBlobs([]string{part.BlobID})
		return asServiceError(err)
	}
	if replaced != "" && replaced != part.BlobID {
		s.deleteMultipartBlobs([]string{replaced})
	}
	return nil
}

func (s *Service) abortMultipartUpload(w http.ResponseWriter, r *http.Request, rt awsproto.Route) (err error) {
	defer func() { err = withResource(err, objectResource(rt.Bucket, rt.Key)) }()
	bucket, key := rt.Bucket, rt.Key
	uploadID := r.URL.Query().Get("uploadId")
	ifInitiated, hasIfInitiated := time.Time{}, false
	if v := r.Header.Get("X-Amz-If-Match-Initiated-Time"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return invalidArgument("Invalid value for x-amz-if-match-initiated-time", "x-amz-if-match-initiated-time", v)
		}
		ifInitiated, hasIfInitiated = t.UTC(), true
	}
	var blobs []string
	err = s.kv.Update(func(tx kv.Writer) error {
		blobs = blobs[:0]
		up, err := loadMultipartUpload(tx, r, bucket, key, uploadID)
		if err != nil {
			return err
		}
		if hasIfInitiated && !up.Initiated.Truncate(time.Second).Equal(ifInitiated) {
			return errPreconditionFailed.WithResource(objectResource(bucket, key)).With("Condition", "x-amz-if-match-initiated-time")
		}
		parts, err := readMultipartParts(tx, bucket, uploadID)
		if err != nil {
			return err
		}
		for _, p := range parts {
			blobs = append(blobs, p.BlobID)
		}
		return deleteMultipartRecords(tx, bucket, uploadID, parts)
	})
	if err != nil {
		return asServiceError(err)
	}
	s.deleteMultipartBlobs(blobs)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// viewMultipartUpload loads an upload record (NoSuchBucket / NoSuchUpload when absent).
func (s *Service) viewMultipartUpload(r *http.Request, bucket, key, uploadID string) (uploadMeta, error) {
	var up uploadMeta
	err := s.kv.View(func(tx kv.Reader) error {
		var err error
		up, err = loadMultipartUpload(tx, r, bucket, key, uploadID)
		return err
	})
	if err != nil {
		return up, asServiceError(err)
	}
	return up, nil
}

// loadMultipartUpload reads the upload record within a transaction, after
// the bucket (NoSuchBucket, x-amz-expected-bucket-owner). An upload belongs
// to one key: addressing it under another key is NoSuchUpload, as in S3.
func loadMultipartUpload(tx kv.Reader, r *http.Request, bucket, key, uploadID string) (uploadMeta, error) {
	var up uploadMeta
	var bm bucketMeta
	if err := getBucketTx(tx, bucket, &bm); err != nil {
		return up, err
	}
	if err := checkExpectedOwner(r, &bm); err != nil {
		return up, err
	}
	if uploadID == "" || strings.Contains(uploadID, "/") {
		return up, multipartNoSuchUpload(bucket, key, uploadID)
	}
	switch err := getJSON(tx, uploadKey(bucket, uploadID), &up); {
	case isNotFound(err):
		return up, multipartNoSuchUpload(bucket, key, uploadID)
	case err != nil:
		return up, err
	}
	if up.Key != key {
		return up, multipartNoSuchUpload(bucket, key, uploadID)
	}
	return up, nil
}

// readMultipartParts returns an upload's part records in part-number order.
func readMultipartParts(tx kv.Reader, bucket, uploadID string) ([]partMeta, error) {
	var parts []partMeta
	err := tx.Iterate(partPrefix(bucket, uploadID), partRangeEnd(bucket, uploadID), func(_, v []byte) (bool, error) {
		var p partMeta
		if err := json.Unmarshal(v, &p); err != nil {
			return false, err
		}
		parts = append(parts, p)
		return true, nil
	})
	return parts, err
}

// deleteMultipartRecords removes an upload record and its part records.
func deleteMultipartRecords(tx kv.Writer, bucket, uploadID string, parts []partMeta) error {
	for _, p := range parts {
		if err := tx.Delete(partKey(bucket, uploadID, p.PartNumber)); err != nil {
			return err
		}
	}
	return tx.Delete(uploadKey(bucket, uploadID))
}

// deleteMultipartBlobs deletes blobs no record references any more. A failure only
// leaves an orphan, which the startup sweep removes.
func (s *Service) deleteMultipartBlobs(ids []string) {
	for _, id := range ids {
		if err := s.blobs.Delete(id); err != nil {
			s.cfg.Logger.Warn("s3: deleting unreferenced blob", "blob", id, "err", err)
		}
	}
}

func multipartNoSuchUpload(bucket, key, uploadID string) *awsproto.Error {
	return errNoSuchUpload.WithResource(objectResource(bucket, key)).With("UploadId", uploadID)
}

// multipartPartNumber parses partNumber (1–10000).
func multipartPartNumber(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > multipartMaxPartNumber {
		return 0, invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
	}
	return n, nil
}

// multipartDeclaredSize is the body size the request announces (decoded
// size for aws-chunked), or -1 when unknown.
func multipartDeclaredSize(r *http.Request) int64 {
	if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return r.ContentLength
}
