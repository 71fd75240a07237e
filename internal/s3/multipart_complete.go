package s3

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// multipartMaxCompleteBody bounds the CompleteMultipartUpload document:
// 10,000 parts with an ETag and a checksum each fit in well under 4 MiB.
const multipartMaxCompleteBody = 4 << 20

// multipartCompleteRequest is what CompleteMultipartUpload asks for, beyond
// the part list: the whole-object checksum headers.
type multipartCompleteRequest struct {
	parts []xmlCompletedPart
	// checksumAlg/checksumValue: an x-amz-checksum-<alg> header, if any.
	checksumAlg, checksumValue string
	checksumType               string // x-amz-checksum-type
	objectSize                 string // x-amz-mp-object-size
}

func (s *Service) completeMultipartUpload(w http.ResponseWriter, r *http.Request, rt awsproto.Route) (err error) {
	defer func() { err = withResource(err, objectResource(rt.Bucket, rt.Key)) }()
	bucket, key := rt.Bucket, rt.Key
	uploadID := r.URL.Query().Get("uploadId")
	req, err := readCompleteRequest(r)
	if err != nil {
		return err
	}
	cond, err := readWriteCondition(r.Header)
	if err != nil {
		return err
	}
	meta := &objectMeta{Key: key}
	var unlisted []string
	also := func(tx kv.Writer) error {
		unlisted = unlisted[:0]
		up, err := loadMultipartUpload(tx, r, bucket, key, uploadID)
		if err != nil {
			return err
		}
		stored, err := readMultipartParts(tx, bucket, uploadID)
		if err != nil {
			return err
		}
		built, err := assembleMultipartObject(bucket, key, &up, stored, req)
		if err != nil {
			return err
		}
		*meta = built
		listed := make(map[int]bool, len(built.Pieces))
		for _, p := range built.Pieces {
			listed[p.PartNumber] = true
		}
		for _, p := range stored {
			if !listed[p.PartNumber] {
				unlisted = append(unlisted, p.BlobID)
			}
		}
		return deleteMultipartRecords(tx, bucket, uploadID, stored)
	}
	check := func(old *objectMeta) error { return cond.check(bucket, key, old) }
	if err := s.putObjectRecord(bucket, meta, check, also); err != nil {
		return err
	}
	s.deleteMultipartBlobs(unlisted)

	res := xmlCompleteMultipartUploadResult{
		Location: multipartLocation(r, rt), Bucket: bucket, Key: key, ETag: quoteETag(meta.ETag),
	}
	if meta.Checksum.Algorithm != "" {
		res.setChecksum(meta.Checksum)
	}
	w.Header().Set("X-Amz-Server-Side-Encryption", "AES256")
	return writeXMLResponse(w, http.StatusOK, res)
}

// readCompleteRequest reads the CompleteMultipartUpload document and headers.
// An unparsable document, or one without parts, is MalformedXML.
func readCompleteRequest(r *http.Request) (multipartCompleteRequest, error) {
	var req multipartCompleteRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, multipartMaxCompleteBody+1))
	if err != nil {
		if e := awsproto.As(err); e != nil {
			return req, e
		}
		return req, errIncompleteBody.WithCause(err)
	}
	if len(body) > multipartMaxCompleteBody {
		return req, errMalformedXML
	}
	var doc xmlCompleteMultipartUpload
	if err := xml.Unmarshal(body, &doc); err != nil || len(doc.Parts) == 0 {
		return req, errMalformedXML
	}
	for _, p := range doc.Parts {
		if p.PartNumber == nil {
			return req, errMalformedXML
		}
	}
	req.parts = doc.Parts
	for _, alg := range checksumAlgorithms {
		if v := r.Header.Get(checksumHeader(alg)); v != "" {
			req.checksumAlg, req.checksumValue = alg, v
		}
	}
	req.checksumType = strings.ToUpper(r.Header.Get("X-Amz-Checksum-Type"))
	req.objectSize = r.Header.Get("X-Amz-Mp-Object-Size")
	return req, nil
}

// assembleMultipartObject checks a Complete request against the stored parts
// and builds the object: the listed parts' blobs in order (no data is
// copied), the multipart ETag and the upload's checksum.
func assembleMultipartObject(bucket, key string, up *uploadMeta, stored []partMeta, req multipartCompleteRequest) (objectMeta, error) {
	resource := objectResource(bucket, key)
	byNumber := make(map[int]*partMeta, len(stored))
	for i := range stored {
		byNumber[stored[i].PartNumber] = &stored[i]
	}
	if req.checksumType != "" && up.ChecksumAlgorithm != "" && req.checksumType != up.ChecksumType {
		return objectMeta{}, errInvalidRequest.WithResource(resource).WithMessage("The upload was created using the " +
			up.ChecksumType + " checksum mode. The complete request must use the same checksum mode.")
	}

	prev := 0
	for _, rp := range req.parts {
		if *rp.PartNumber <= prev {
			return objectMeta{}, errInvalidPartOrder.WithResource(resource).With("UploadId", up.UploadID)
		}
		prev = *rp.PartNumber
	}
	md := md5.New()
	pieces := make([]blobRef, 0, len(req.parts))
	var size int64
	for i, rp := range req.parts {
		sp := byNumber[*rp.PartNumber]
		invalidPart := errInvalidPart.WithResource(resource).With("UploadId", up.UploadID).
			With("PartNumber", strconv.Itoa(*rp.PartNumber)).With("ETag", rp.ETag)
		if sp == nil || unquoteETag(rp.ETag) != sp.ETag {
			return objectMeta{}, invalidPart
		}
		for alg, given := range rp.checksums() {
			if sp.Checksum.Algorithm != alg || sp.Checksum.Value != given {
				return objectMeta{}, invalidPart
			}
		}
		if up.ChecksumType == "COMPOSITE" && rp.checksums()[up.ChecksumAlgorithm] == "" {
			return objectMeta{}, errInvalidRequest.WithResource(resource).WithMessage("The upload was created using a " +
				strings.ToLower(up.ChecksumAlgorithm) + " checksum. The complete request must include the checksum for each part. It was missing for part " +
				strconv.Itoa(*rp.PartNumber) + " in the request.")
		}
		if i < len(req.parts)-1 && sp.Size < multipartMinPartSize {
			return objectMeta{}, errEntityTooSmall.WithResource(resource).
				With("ProposedSize", strconv.FormatInt(sp.Size, 10)).With("MinSizeAllowed", strconv.Itoa(multipartMinPartSize)).
				With("PartNumber", strconv.Itoa(sp.PartNumber)).With("ETag", sp.ETag)
		}
		raw, err := hex.DecodeString(sp.ETag)
		if err != nil {
			return objectMeta{}, errors.New("s3: stored part etag is not hex: " + sp.ETag)
		}
		md.Write(raw)
		size += sp.Size
		pieces = append(pieces, blobRef{BlobID: sp.BlobID, Size: sp.Size, PartNumber: sp.PartNumber, ETag: sp.ETag, Checksum: sp.Checksum.Value})
	}
	if req.objectSize != "" && req.objectSize != strconv.FormatInt(size, 10) {
		return objectMeta{}, errInvalidRequest.WithResource(resource).WithMessage("The provided 'x-amz-mp-object-size' header value " +
			req.objectSize + " does not match what was computed: " + strconv.FormatInt(size, 10))
	}

	obj := up.Object
	obj.Key = key
	obj.Size = size
	obj.ETag = hex.EncodeToString(md.Sum(nil)) + "-" + strconv.Itoa(len(pieces))
	// S3 dates a multipart object by the initiation of its upload.
	obj.LastModified = up.Initiated
	obj.Pieces = pieces
	obj.PartsCount = len(pieces)
	obj.Checksum = checksumInfo{}
	if up.ChecksumAlgorithm != "" {
		ck, err := multipartObjectChecksum(up, pieces)
		if err != nil {
			return objectMeta{}, err
		}
		if req.checksumAlg == up.ChecksumAlgorithm && req.checksumValue != "" &&
			stripPartCount(req.checksumValue) != stripPartCount(ck.Value) {
			return objectMeta{}, errBadDigest.WithResource(resource).WithMessage("The " + up.ChecksumAlgorithm + " you specified did not match the calculated checksum.")
		}
		obj.Checksum = ck
	}
	return obj, nil
}

// multipartObjectChecksum computes the completed object's checksum from the
// part checksums: COMPOSITE = alg(raw part checksums concatenated) + "-N";
// FULL_OBJECT = the CRCs combined into the CRC of the whole object.
func multipartObjectChecksum(up *uploadMeta, pieces []blobRef) (checksumInfo, error) {
	alg := up.ChecksumAlgorithm
	raws := make([][]byte, len(pieces))
	for i, p := range pieces {
		raw, err := base64.StdEncoding.DecodeString(p.Checksum)
		if err != nil || len(raw) != checksumSizes[alg] {
			// Every part of an upload with an algorithm is stored with it.
			return checksumInfo{}, errors.New("s3: part " + strconv.Itoa(p.PartNumber) + " has no stored " + alg + " checksum")
		}
		raws[i] = raw
	}
	if up.ChecksumType == "FULL_OBJECT" {
		c, ok := crcCombinerFor(alg)
		if !ok {
			return checksumInfo{}, errors.New("s3: full-object checksum for " + alg)
		}
		var crc uint64
		for i, raw := range raws {
			var v uint64
			if len(raw) == 8 {
				v = binary.BigEndian.Uint64(raw)
			} else {
				v = uint64(binary.BigEndian.Uint32(raw))
			}
			if i == 0 {
				crc = v
			} else {
				crc = c.combine(crc, v, pieces[i].Size)
			}
		}
		out := make([]byte, len(raws[0]))
		if len(out) == 8 {
			binary.BigEndian.PutUint64(out, crc)
		} else {
			binary.BigEndian.PutUint32(out, uint32(crc))
		}
		return checksumInfo{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(out), Type: "FULL_OBJECT"}, nil
	}
	h := newChecksumHash(alg)
	for _, raw := range raws {
		h.Write(raw)
	}
	return checksumInfo{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(pieces)), Type: "COMPOSITE"}, nil
}

// stripPartCount drops a composite checksum's "-N" suffix.
func stripPartCount(v string) string {
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return v[:i]
	}
	return v
}

// multipartLocation is the URL of the completed object, in the addressing
// style of the request.
func multipartLocation(r *http.Request, rt awsproto.Route) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := "/" + rt.Bucket + "/" + url.PathEscape(rt.Key)
	if rt.VirtualHost {
		path = "/" + url.PathEscape(rt.Key)
	}
	return scheme + "://" + r.Host + strings.ReplaceAll(path, "%2F", "/")
}
