package s3

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// copySource is a parsed x-amz-copy-source.
type copySource struct {
	bucket, key string
	versionID   string // "" when absent
}

// parseCopySource reads x-amz-copy-source: "/bucket/key" or "bucket/key",
// percent-encoded, optionally followed by "?versionId=...". The query is split
// off before decoding, so an encoded "?" (%3F) stays part of the key.
func parseCopySource(raw string) (copySource, error) {
	var cs copySource
	path, query, hasQuery := strings.Cut(raw, "?")
	decoded, err := url.PathUnescape(path)
	if err != nil {
		return cs, invalidArgument("Invalid copy source encoding", "x-amz-copy-source", raw)
	}
	decoded = strings.TrimPrefix(decoded, "/")
	bucket, key, ok := strings.Cut(decoded, "/")
	if !ok || bucket == "" || key == "" {
		return cs, invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", raw)
	}
	cs.bucket, cs.key = bucket, key
	if hasQuery {
		q, err := url.ParseQuery(query)
		if err != nil {
			return cs, invalidArgument("Invalid copy source encoding", "x-amz-copy-source", raw)
		}
		cs.versionID = q.Get("versionId")
	}
	if cs.versionID != "" && cs.versionID != "null" {
		return cs, invalidArgument("Invalid version id specified", "x-amz-copy-source", raw)
	}
	return cs, nil
}

// loadCopySource reads the source object and applies what a copy demands of
// it: x-amz-source-expected-bucket-owner, x-amz-copy-source-if-* (every
// failure 412), and a storage class that can be read without a restore.
// UploadPartCopy uses it too.
func (s *Service) loadCopySource(r *http.Request, src copySource) (*objectMeta, error) {
	var meta *objectMeta
	var bm bucketMeta
	err := s.kv.View(func(tx kv.Reader) error {
		if err := getBucketTx(tx, src.bucket, &bm); err != nil {
			return err
		}
		var err error
		meta, err = getObjectRecord(tx, src.bucket, src.key)
		return err
	})
	if err != nil {
		return nil, asServiceError(err)
	}
	if want := r.Header.Get("X-Amz-Source-Expected-Bucket-Owner"); want != "" && want != bm.Owner {
		return nil, errAccessDenied.WithResource(bucketResource(src.bucket))
	}
	resource := objectResource(src.bucket, src.key)
	if err := checkCopySourcePreconditions(r.Header, meta, resource); err != nil {
		return nil, err
	}
	if archivedStorageClass(meta.StorageClass) {
		return nil, errInvalidObjectState.WithResource(resource).With("StorageClass", meta.StorageClass)
	}
	return meta, nil
}

// copyToNewBlob copies [start, start+length) of src into a new blob,
// computing its MD5 and, when alg is set, that checksum. An error wrapping
// blob.ErrNotFound means src was replaced meanwhile (reload and retry).
// The caller owns the returned blob.
func (s *Service) copyToNewBlob(src *objectMeta, start, length int64, alg string) (ingested, error) {
	var out ingested
	reader, err := s.openSpans(spansFor(src.Pieces, start, length))
	if err != nil {
		return out, err
	}
	defer reader.Close()
	bw, err := s.blobs.Create()
	if err != nil {
		return out, err
	}
	md := md5.New()
	writers := []io.Writer{bw, md}
	var ck hash.Hash
	if alg != "" {
		ck = newChecksumHash(alg)
		writers = append(writers, ck)
	}
	n, err := reader.WriteTo(io.MultiWriter(writers...))
	if err == nil && n != length {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		bw.Abort()
		return out, err
	}
	id, _, err := bw.Commit()
	if err != nil {
		return out, err
	}
	out = ingested{BlobID: id, Size: n, MD5: md.Sum(nil)}
	out.MD5Hex = hex.EncodeToString(out.MD5)
	if ck != nil {
		out.Checksum = checksumInfo{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(ck.Sum(nil)), Type: "FULL_OBJECT"}
	}
	return out, nil
}

// copyObject is PUT /{bucket}/{key} with x-amz-copy-source. The copy gets
// its own blob (the bytes are copied), so deleting either object never
// touches the other.
func (s *Service) copyObject(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	bucket, key := rt.Bucket, rt.Key
	resource := objectResource(bucket, key)
	if err := checkKey(bucket, key); err != nil {
		return err
	}
	src, err := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return withResource(err, resource)
	}
	req, err := readCopyRequest(r.Header)
	if err != nil {
		return withResource(err, resource)
	}
	wc, err := readWriteCondition(r.Header)
	if err != nil {
		return withResource(err, resource)
	}

	var in ingested
	var srcMeta *objectMeta
	var existed bool
	for attempt := 1; ; attempt++ {
		if srcMeta, err = s.loadCopySource(r, src); err != nil {
			return err
		}
		if srcMeta.Size > maxPutSize {
			return errCopySourceTooLarge.WithResource(resource)
		}
		if src.bucket == bucket && src.key == key && !req.changesObject(srcMeta) {
			return errCopyOntoItself.WithResource(resource)
		}
		if existed, err = s.precheckWrite(r, bucket, key, wc); err != nil {
			return err
		}
		alg := req.checksumAlgorithm
		if alg == "" {
			alg = srcMeta.Checksum.Algorithm
		}
		in, err = s.copyToNewBlob(srcMeta, 0, srcMeta.Size, alg)
		if errors.Is(err, blob.ErrNotFound) && attempt < openAttempts {
			continue
		}
		if err != nil {
			return awsproto.Internal(err)
		}
		break
	}

	meta := req.newObject(key, srcMeta)
	meta.Size = in.Size
	meta.ETag = in.MD5Hex
	meta.LastModified = s.now()
	meta.Checksum = in.Checksum
	meta.Pieces = []blobRef{{BlobID: in.BlobID, Size: in.Size}}
	if err := s.putObjectRecord(bucket, meta, wc.commitCheck(bucket, key, existed), nil); err != nil {
		s.discardBlob(in.BlobID)
		return err
	}
	result := xmlCopyObjectResult{Xmlns: s3XMLNS, ETag: quoteETag(meta.ETag), LastModified: xmlTime(meta.LastModified)}
	result.setChecksum(meta.Checksum)
	w.Header().Set("X-Amz-Server-Side-Encryption", "AES256")
	return writeXMLResponse(w, http.StatusOK, result)
}

// copyRequest is what a CopyObject request says about the new object.
type copyRequest struct {
	replaceMetadata   bool // x-amz-metadata-directive: REPLACE
	replaceTags       bool // x-amz-tagging-directive: REPLACE
	attrs             objectMeta
	storageClassSet   bool
	checksumAlgorithm string
	// changesEncryptionOrRedirect is true when the request names encryption
	// or a website redirect, which S3 counts as changing the object.
	changesEncryptionOrRedirect bool
}

func readCopyRequest(h http.Header) (copyRequest, error) {
	var req copyRequest
	if err := checkObjectCreationHeaders(h); err != nil {
		return req, err
	}
	req.attrs.WebsiteRedirect = h.Get("X-Amz-Website-Redirect-Location")
	if h.Get("X-Amz-Copy-Source-Server-Side-Encryption-Customer-Algorithm") != "" {
		return req, errNotImplemented.With("Header", "x-amz-copy-source-server-side-encryption-customer-algorithm")
	}
	switch d := h.Get("X-Amz-Metadata-Directive"); d {
	case "", "COPY":
	case "REPLACE":
		req.replaceMetadata = true
		if err := readContentHeaders(h, &req.attrs); err != nil {
			return req, err
		}
	default:
		return req, invalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", d)
	}
	switch d := h.Get("X-Amz-Tagging-Directive"); d {
	case "", "COPY":
	case "REPLACE":
		req.replaceTags = true
		tags, err := parseTaggingHeader(h.Get("X-Amz-Tagging"))
		if err != nil {
			return req, err
		}
		req.attrs.Tags = tags
	default:
		return req, invalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", d)
	}
	sc, err := readStorageClass(h)
	if err != nil {
		return req, err
	}
	req.attrs.StorageClass = sc
	req.storageClassSet = h.Get("X-Amz-Storage-Class") != ""
	if a := h.Get("X-Amz-Checksum-Algorithm"); a != "" {
		req.checksumAlgorithm = strings.ToUpper(a)
		if newChecksumHash(req.checksumAlgorithm) == nil {
			return req, invalidArgument("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]", "x-amz-checksum-algorithm", a)
		}
	}
	for _, name := range []string{"X-Amz-Website-Redirect-Location", "X-Amz-Server-Side-Encryption",
		"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Server-Side-Encryption-Customer-Algorithm"} {
		if h.Get(name) != "" {
			req.changesEncryptionOrRedirect = true
		}
	}
	return req, nil
}

// changesObject reports whether copying src onto itself with this request
// changes anything S3 counts (metadata, storage class, website redirect,
// encryption; and the checksum algorithm, which S3 lets a self-copy add).
func (req copyRequest) changesObject(src *objectMeta) bool {
	return req.replaceMetadata ||
		(req.storageClassSet && req.attrs.StorageClass != storageClassOf(src)) ||
		req.changesEncryptionOrRedirect ||
		(req.checksumAlgorithm != "" && req.checksumAlgorithm != src.Checksum.Algorithm)
}

func storageClassOf(m *objectMeta) string {
	if m.StorageClass == "" {
		return "STANDARD"
	}
	return m.StorageClass
}

// newObject builds the copy's record (without body fields) from the source
// and the directives.
func (req copyRequest) newObject(key string, src *objectMeta) *objectMeta {
	meta := &objectMeta{Key: key, StorageClass: req.attrs.StorageClass}
	from := src
	if req.replaceMetadata {
		from = &req.attrs
	}
	meta.ContentType = from.ContentType
	meta.ContentEncoding = from.ContentEncoding
	meta.ContentDisposition = from.ContentDisposition
	meta.ContentLanguage = from.ContentLanguage
	meta.CacheControl = from.CacheControl
	meta.Expires = from.Expires
	meta.UserMetadata = from.UserMetadata
	// S3 never copies the website redirect; only the request can set it.
	meta.WebsiteRedirect = req.attrs.WebsiteRedirect
	if req.replaceTags {
		meta.Tags = req.attrs.Tags
	} else {
		meta.Tags = src.Tags
	}
	return meta
}
