package s3

import (
	"encoding/xml"
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

const (
	// maxDeleteKeys is DeleteObjects' limit on keys per request.
	maxDeleteKeys = 1000
	// maxDeleteBody bounds the Delete document: 1000 keys of 1024 bytes,
	// XML-escaped, with room to spare.
	maxDeleteBody = 8 << 20
)

// deleteObjects is POST /{bucket}?delete. The body must carry Content-MD5 or
// an x-amz-checksum-* (clients send CRC32), verified over the document. All
// deletions commit in one transaction; blobs are removed afterwards.
func (s *Service) deleteObjects(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	bucket := rt.Bucket
	resource := bucketResource(bucket)
	if _, err := s.loadBucket(r, bucket); err != nil {
		return err
	}
	body, err := readSmallVerifiedBody(r, maxDeleteBody, true)
	if err != nil {
		return withResource(err, resource)
	}
	var req xmlDeleteRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		return errMalformedXML.WithResource(resource)
	}
	if len(req.Objects) == 0 || len(req.Objects) > maxDeleteKeys {
		return errMalformedXML.WithResource(resource)
	}
	for _, o := range req.Objects {
		if o.Key == nil {
			return errMalformedXML.WithResource(resource)
		}
	}

	result := xmlDeleteResult{Xmlns: s3XMLNS}
	var removed []*objectMeta
	err = s.kv.Update(func(tx kv.Writer) error {
		result.Deleted, result.Errors, removed = nil, nil, nil
		if _, err := tx.Get(bucketKey(bucket)); err != nil {
			if isNotFound(err) {
				return noSuchBucket(bucket)
			}
			return err
		}
		for _, o := range req.Objects {
			key := *o.Key
			if o.VersionID != "" && o.VersionID != "null" {
				// No such version exists in an unversioned bucket; deleting it
				// is a no-op success, like deleting a missing key.
				result.Deleted = append(result.Deleted, xmlDeletedItem{Key: key, VersionID: o.VersionID})
				continue
			}
			meta, err := getObjectRecord(tx, bucket, key)
			if err != nil && awsproto.As(err) == nil {
				return err
			}
			if o.ETag != "" {
				if meta == nil {
					result.Errors = append(result.Errors, xmlDeleteError{Key: key, Code: errNoSuchKey.Code, Message: errNoSuchKey.Message})
					continue
				}
				if unquoteETag(o.ETag) != meta.ETag {
					result.Errors = append(result.Errors, xmlDeleteError{Key: key, Code: errPreconditionFailed.Code, Message: errPreconditionFailed.Message})
					continue
				}
			}
			if meta != nil {
				if err := tx.Delete(objectKey(bucket, key)); err != nil {
					return err
				}
				removed = append(removed, meta)
			}
			result.Deleted = append(result.Deleted, xmlDeletedItem{Key: key, VersionID: o.VersionID})
		}
		return nil
	})
	if err != nil {
		return asServiceError(err)
	}
	for _, m := range removed {
		s.deleteUnreferencedPieces(m.Pieces, nil)
	}
	if req.Quiet {
		result.Deleted = nil
	}
	return writeXMLResponse(w, http.StatusOK, result)
}
