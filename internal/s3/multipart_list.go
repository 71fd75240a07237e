package s3

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

func (s *Service) listParts(w http.ResponseWriter, r *http.Request, rt awsproto.Route) (err error) {
	defer func() { err = withResource(err, objectResource(rt.Bucket, rt.Key)) }()
	bucket, key := rt.Bucket, rt.Key
	q := r.URL.Query()
	uploadID := q.Get("uploadId")
	maxParts, err := multipartListLimit(q, "max-parts")
	if err != nil {
		return err
	}
	marker := 0
	if q.Has("part-number-marker") {
		v := q.Get("part-number-marker")
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 {
			return invalidArgument("Argument part-number-marker must be an integer between 0 and 2147483647", "part-number-marker", v)
		}
		marker = int(n)
	}
	var up uploadMeta
	var parts []partMeta
	truncated := false
	err = s.kv.View(func(tx kv.Reader) error {
		var err error
		if up, err = loadMultipartUpload(tx, r, bucket, key, uploadID); err != nil {
			return err
		}
		if marker >= multipartMaxPartNumber || maxParts == 0 {
			return nil
		}
		return tx.Iterate(partKey(bucket, uploadID, marker+1), partRangeEnd(bucket, uploadID), func(_, v []byte) (bool, error) {
			if len(parts) == maxParts {
				truncated = true
				return false, nil
			}
			var p partMeta
			if err := json.Unmarshal(v, &p); err != nil {
				return false, err
			}
			parts = append(parts, p)
			return true, nil
		})
	})
	if err != nil {
		return asServiceError(err)
	}
	res := xmlListPartsResult{
		Bucket: bucket, Key: key, UploadID: uploadID, PartNumberMarker: marker, MaxParts: maxParts, IsTruncated: truncated,
		Initiator: ownerOf(up.Owner), Owner: ownerOf(up.Owner), StorageClass: multipartStorageClass(up.Object.StorageClass),
		ChecksumAlgorithm: up.ChecksumAlgorithm, ChecksumType: up.ChecksumType,
	}
	for _, p := range parts {
		xp := xmlPart{PartNumber: p.PartNumber, LastModified: xmlTime(p.LastModified), ETag: quoteETag(p.ETag), Size: p.Size}
		xp.set(p.Checksum.Algorithm, p.Checksum.Value)
		res.Parts = append(res.Parts, xp)
		res.NextPartNumberMarker = p.PartNumber
	}
	return writeXMLResponse(w, http.StatusOK, res)
}

// listedUpload holds the uploadMeta fields ListMultipartUploads shows.
type listedUpload struct {
	UploadID  string    `json:"id"`
	Key       string    `json:"key"`
	Initiated time.Time `json:"init"`
	Object    struct {
		StorageClass string `json:"sc"`
	} `json:"obj"`
	ChecksumAlgorithm string `json:"alg"`
	ChecksumType      string `json:"cktype"`
	Owner             string `json:"owner"`
}

func (s *Service) listMultipartUploads(w http.ResponseWriter, r *http.Request, rt awsproto.Route) (err error) {
	defer func() { err = withResource(err, bucketResource(rt.Bucket)) }()
	bucket := rt.Bucket
	q := r.URL.Query()
	maxUploads, err := multipartListLimit(q, "max-uploads")
	if err != nil {
		return err
	}
	lq := listQuery{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), maxKeys: maxUploads}
	switch et := q.Get("encoding-type"); et {
	case "":
	case "url":
		lq.urlEncode = true
	default:
		return invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", et)
	}
	keyMarker, uploadIDMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	if keyMarker == "" {
		uploadIDMarker = "" // S3 ignores upload-id-marker without key-marker
	}

	var uploads []listedUpload
	err = s.kv.View(func(tx kv.Reader) error {
		var bm bucketMeta
		if err := getBucketTx(tx, bucket, &bm); err != nil {
			return err
		}
		if err := checkExpectedOwner(r, &bm); err != nil {
			return err
		}
		return tx.Iterate(uploadPrefix(bucket), uploadRangeEnd(bucket), func(_, v []byte) (bool, error) {
			var u listedUpload
			if err := json.Unmarshal(v, &u); err != nil {
				return false, err
			}
			if strings.HasPrefix(u.Key, lq.prefix) {
				uploads = append(uploads, u)
			}
			return true, nil
		})
	})
	if err != nil {
		return asServiceError(err)
	}
	// Key order, then creation order (upload ids sort by creation time).
	sort.Slice(uploads, func(i, j int) bool {
		if uploads[i].Key != uploads[j].Key {
			return uploads[i].Key < uploads[j].Key
		}
		return uploads[i].UploadID < uploads[j].UploadID
	})

	res := xmlListMultipartUploadsResult{
		Bucket: bucket, KeyMarker: lq.encode(keyMarker), UploadIDMarker: uploadIDMarker, Prefix: lq.encode(lq.prefix),
		MaxUploads: maxUploads,
	}
	if lq.delimiter != "" {
		res.Delimiter = lq.encode(lq.delimiter)
	}
	if lq.urlEncode {
		res.EncodingType = "url"
	}
	count := 0
	var lastKey, lastID, lastPrefix string
	for _, u := range uploads {
		if u.Key < keyMarker || (u.Key == keyMarker && (uploadIDMarker == "" || u.UploadID <= uploadIDMarker)) {
			continue
		}
		if lq.delimiter != "" {
			if i := strings.Index(u.Key[len(lq.prefix):], lq.delimiter); i >= 0 {
				cp := u.Key[:len(lq.prefix)+i+len(lq.delimiter)]
				if cp <= keyMarker || cp == lastPrefix {
					continue
				}
				if count == maxUploads {
					res.IsTruncated = true
					break
				}
				res.CommonPrefixes = append(res.CommonPrefixes, xmlUploadsCommonPrefix{Prefix: lq.encode(cp)})
				lastPrefix, lastKey, lastID = cp, cp, ""
				count++
				continue
			}
		}
		if count == maxUploads {
			res.IsTruncated = true
			break
		}
		res.Uploads = append(res.Uploads, xmlMultipartUpload{
			Key: lq.encode(u.Key), UploadID: u.UploadID, Initiator: ownerOf(u.Owner), Owner: ownerOf(u.Owner),
			StorageClass: multipartStorageClass(u.Object.StorageClass), Initiated: xmlTime(u.Initiated),
			ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType,
		})
		lastKey, lastID = u.Key, u.UploadID
		count++
	}
	if res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = lq.encode(lastKey), lastID
	}
	return writeXMLResponse(w, http.StatusOK, res)
}

// multipartListLimit parses max-parts / max-uploads: default and cap 1000.
func multipartListLimit(q url.Values, name string) (int, error) {
	if !q.Has(name) {
		return listMaxKeys, nil
	}
	v := q.Get(name)
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 0 {
		return 0, invalidArgument("Argument "+name+" must be an integer between 0 and 2147483647", name, v)
	}
	return int(min(n, listMaxKeys)), nil
}

func multipartStorageClass(sc string) string {
	if sc == "" {
		return "STANDARD"
	}
	return sc
}
