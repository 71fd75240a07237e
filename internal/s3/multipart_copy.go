package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

func (s *Service) uploadPartCopy(w http.ResponseWriter, r *http.Request, rt awsproto.Route) (err error) {
	defer func() { err = withResource(err, objectResource(rt.Bucket, rt.Key)) }()
	bucket, key := rt.Bucket, rt.Key
	q := r.URL.Query()
	uploadID := q.Get("uploadId")
	pn, err := multipartPartNumber(q.Get("partNumber"))
	if err != nil {
		return err
	}
	srcBucket, srcKey, err := multipartCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	var up uploadMeta
	var src objectMeta
	err = s.kv.View(func(tx kv.Reader) error {
		var err error
		if up, err = loadMultipartUpload(tx, r, bucket, key, uploadID); err != nil {
			return err
		}
		var bm bucketMeta
		if err := getBucketTx(tx, srcBucket, &bm); err != nil {
			return err
		}
		if want := r.Header.Get("X-Amz-Source-Expected-Bucket-Owner"); want != "" && want != bm.Owner {
			return errAccessDenied.WithResource(bucketResource(srcBucket))
		}
		m, err := getObjectRecord(tx, srcBucket, srcKey)
		if err != nil {
			return err
		}
		src = *m
		return nil
	})
	if err != nil {
		return asServiceError(err)
	}
	srcResource := objectResource(srcBucket, srcKey)
	if err := checkCopySourcePreconditions(r.Header, &src, srcResource); err != nil {
		return err
	}
	if archivedStorageClass(src.StorageClass) {
		return errInvalidObjectState.WithResource(srcResource).With("StorageClass", src.StorageClass)
	}
	start, length, err := multipartCopyRange(r.Header.Get("X-Amz-Copy-Source-Range"), src.Size)
	if err != nil {
		return err
	}
	if length > multipartMaxPartSize {
		return errCopySourceTooLarge.WithResource(srcResource)
	}

	part, err := s.copyIntoPartBlob(&src, start, length, up.ChecksumAlgorithm)
	if errors.Is(err, blob.ErrNotFound) {
		// The source was replaced or deleted while we read it.
		return noSuchKey(srcBucket, srcKey)
	}
	if err != nil {
		return asServiceError(err)
	}
	part.PartNumber = pn
	part.LastModified = s.now()
	if err := s.commitMultipartPart(r, bucket, key, uploadID, part); err != nil {
		return err
	}
	res := xmlCopyPartResult{ETag: quoteETag(part.ETag), LastModified: xmlTime(part.LastModified)}
	if part.Checksum.Algorithm != "" {
		res.set(part.Checksum.Algorithm, part.Checksum.Value)
	}
	w.Header().Set("X-Amz-Server-Side-Encryption", "AES256")
	return writeXMLResponse(w, http.StatusOK, res)
}

// copyIntoPartBlob copies [start, start+length) of src, read piece by piece
// from the blob store, into a new blob, computing the part's MD5 and (when
// the upload has one) its checksum. The caller owns the returned blob.
func (s *Service) copyIntoPartBlob(src *objectMeta, start, length int64, alg string) (partMeta, error) {
	var part partMeta
	bw, err := s.blobs.Create()
	if err != nil {
		return part, awsproto.Internal(err)
	}
	md := md5.New()
	writers := []io.Writer{bw, md}
	var ck hash.Hash
	if alg != "" {
		ck = newChecksumHash(alg)
		writers = append(writers, ck)
	}
	dst := io.MultiWriter(writers...)
	buf := make([]byte, 256<<10)
	for _, span := range spansFor(src.Pieces, start, length) {
		if err := s.copyPieceSpan(dst, span, buf); err != nil {
			bw.Abort()
			return part, err
		}
	}
	id, n, err := bw.Commit()
	if err != nil {
		return part, awsproto.Internal(err)
	}
	if n != length {
		s.deleteMultipartBlobs([]string{id})
		return part, awsproto.Internal(io.ErrUnexpectedEOF)
	}
	part.BlobID, part.Size = id, n
	part.ETag = hex.EncodeToString(md.Sum(nil))
	if ck != nil {
		part.Checksum = checksumInfo{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(ck.Sum(nil))}
	}
	return part, nil
}

func (s *Service) copyPieceSpan(dst io.Writer, span pieceSpan, buf []byte) error {
	var rd io.ReaderAt
	if span.piece.BlobID == "" { // a small body kept inline in its record
		rd = bytes.NewReader(span.piece.Data)
	} else {
		f, err := s.blobs.Open(span.piece.BlobID)
		if err != nil {
			return err
		}
		defer f.Close()
		rd = f
	}
	n, err := io.CopyBuffer(dst, io.NewSectionReader(rd, span.offset, span.length), buf)
	if err == nil && n != span.length {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// multipartCopySource parses x-amz-copy-source: "bucket/key" or
// "/bucket/key", URL-encoded, with an optional "?versionId=". Buckets here
// are unversioned, so only the "null" version exists.
func multipartCopySource(v string) (bucket, key string, err error) {
	invalid := invalidArgument("Invalid copy source object key", "x-amz-copy-source", v)
	if v == "" {
		return "", "", invalid
	}
	path, query, _ := strings.Cut(v, "?")
	decoded, err := url.PathUnescape(path)
	if err != nil {
		return "", "", invalid
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(decoded, "/"), "/")
	if !ok || bucket == "" || key == "" {
		return "", "", invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", v)
	}
	if query != "" {
		qv, err := url.ParseQuery(query)
		if err != nil {
			return "", "", invalid
		}
		if ver := qv.Get("versionId"); ver != "" && ver != "null" {
			return "", "", invalidArgument("Invalid version id specified", "x-amz-copy-source", v)
		}
	}
	return bucket, key, nil
}

// multipartCopyRange parses x-amz-copy-source-range ("bytes=first-last",
// both required) against the source size; absent means the whole object.
func multipartCopyRange(v string, size int64) (start, length int64, err error) {
	if v == "" {
		return 0, size, nil
	}
	malformed := invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
		"x-amz-copy-source-range", v)
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !ok {
		return 0, 0, malformed
	}
	a, b, ok := strings.Cut(spec, "-")
	first, okA := parseDigits(a)
	last, okB := parseDigits(b)
	if !ok || !okA || !okB {
		return 0, 0, malformed
	}
	if first > last || last >= size {
		return 0, 0, invalidArgument("Range specified is not valid for source object of size: "+strconv.FormatInt(size, 10),
			"x-amz-copy-source-range", v)
	}
	return first, last - first + 1, nil
}
