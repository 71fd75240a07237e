package s3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Key layout in the kv store (all under "s3/"). Bucket names never contain
// "/", so "{bucket}/" is an unambiguous prefix and object keys keep S3's
// UTF-8 byte order within a bucket.
//
//	s3/b/{bucket}                            bucketMeta
//	s3/o/{bucket}/{key}                      objectMeta
//	s3/u/{bucket}/{uploadID}                 uploadMeta
//	s3/p/{bucket}/{uploadID}/{part:05d}      partMeta
const (
	prefixBucket = "s3/b/"
	prefixObject = "s3/o/"
	prefixUpload = "s3/u/"
	prefixPart   = "s3/p/"
)

func bucketKey(bucket string) []byte { return []byte(prefixBucket + bucket) }
func objectKey(bucket, key string) []byte {
	return []byte(prefixObject + bucket + "/" + key)
}

// objectPrefix is the start of a bucket's object range; objectRangeEnd its end.
func objectPrefix(bucket string) []byte   { return []byte(prefixObject + bucket + "/") }
func objectRangeEnd(bucket string) []byte { return []byte(prefixObject + bucket + "0") } // '0' = '/'+1
func uploadKey(bucket, uploadID string) []byte {
	return []byte(prefixUpload + bucket + "/" + uploadID)
}
func uploadPrefix(bucket string) []byte   { return []byte(prefixUpload + bucket + "/") }
func uploadRangeEnd(bucket string) []byte { return []byte(prefixUpload + bucket + "0") }
func partKey(bucket, uploadID string, part int) []byte {
	return []byte(fmt.Sprintf("%s%s/%s/%05d", prefixPart, bucket, uploadID, part))
}
func partPrefix(bucket, uploadID string) []byte {
	return []byte(prefixPart + bucket + "/" + uploadID + "/")
}
func partRangeEnd(bucket, uploadID string) []byte {
	return []byte(prefixPart + bucket + "/" + uploadID + "0")
}

type bucketMeta struct {
	Name         string            `json:"name"`
	Region       string            `json:"region"`
	Owner        string            `json:"owner"` // account id
	CreationDate time.Time         `json:"created"`
	Tags         []tag             `json:"tags,omitempty"`
	Extra        map[string]string `json:"extra,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// blobRef is one stored piece of an object body. A single PUT has one piece;
// a completed multipart upload keeps its parts as pieces, so Complete never
// copies data.
type blobRef struct {
	BlobID string `json:"id"`
	Size   int64  `json:"size"`
	// Data holds a small single-PUT body inline (BlobID is then empty). It
	// is committed with the object record in one synced kv write, so a small
	// PUT costs one group-committed sync instead of a blob commit plus a
	// metadata commit (MinIO inlines small objects in its metadata likewise).
	// It is stored as the record's raw tail, not in the JSON (see putJSON).
	Data []byte `json:"-"`
	// PartNumber, ETag and Checksum describe the multipart part (0 for a single PUT);
	// they serve GET ?partNumber=N and the composite checksum.
	PartNumber int    `json:"pn,omitempty"`
	ETag       string `json:"etag,omitempty"`
	Checksum   string `json:"ck,omitempty"`
}

// checksumInfo is a stored checksum: algorithm (CRC32, CRC32C, CRC64NVME, SHA1,
// SHA256), base64 value (composite values end in "-N"), and type
// (FULL_OBJECT or COMPOSITE).
type checksumInfo struct {
	Algorithm string `json:"alg,omitempty"`
	Value     string `json:"val,omitempty"`
	Type      string `json:"type,omitempty"`
}

type objectMeta struct {
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"` // without quotes: hex md5, or hex md5-of-md5s + "-N"
	LastModified time.Time `json:"mtime"`
	StorageClass string    `json:"sc,omitempty"`
	// Standard content headers as stored (empty = not set).
	ContentType        string `json:"ct,omitempty"`
	ContentEncoding    string `json:"ce,omitempty"`
	ContentDisposition string `json:"cd,omitempty"`
	ContentLanguage    string `json:"cl,omitempty"`
	CacheControl       string `json:"cc,omitempty"`
	Expires            string `json:"exp,omitempty"`
	// UserMetadata maps lower-case names (without "x-amz-meta-") to values.
	UserMetadata map[string]string `json:"meta,omitempty"`
	Tags         []tag             `json:"tags,omitempty"`
	Checksum     checksumInfo      `json:"ck,omitempty"`
	Pieces       []blobRef         `json:"pieces"`
	// PartsCount is the number of multipart parts (0 for a single PUT).
	PartsCount int `json:"parts,omitempty"`
	// WebsiteRedirect is x-amz-website-redirect-location as stored.
	WebsiteRedirect string `json:"wr,omitempty"`
}

type uploadMeta struct {
	UploadID  string    `json:"id"`
	Key       string    `json:"key"`
	Initiated time.Time `json:"init"`
	// The object attributes given at CreateMultipartUpload, applied at Complete.
	Object objectMeta `json:"obj"`
	// ChecksumAlgorithm chosen at create (x-amz-checksum-algorithm), "" if none;
	// ChecksumType is COMPOSITE or FULL_OBJECT.
	ChecksumAlgorithm string `json:"alg,omitempty"`
	ChecksumType      string `json:"cktype,omitempty"`
	Owner             string `json:"owner"`
}

type partMeta struct {
	PartNumber   int          `json:"pn"`
	ETag         string       `json:"etag"` // without quotes
	Size         int64        `json:"size"`
	LastModified time.Time    `json:"mtime"`
	BlobID       string       `json:"id"`
	Checksum     checksumInfo `json:"ck,omitempty"`
}

// A record is JSON, optionally followed by a NUL byte and a raw tail (an
// inline object body). JSON text never holds a raw NUL, so the split is
// unambiguous, and the body is neither base64-inflated nor scanned by the
// JSON decoder on every GET and listing.
const recordTailSep = 0

// recordWithTail is implemented by records that carry a raw tail.
type recordWithTail interface {
	recordTail() []byte
	setRecordTail([]byte)
}

func (m *objectMeta) recordTail() []byte {
	if len(m.Pieces) == 1 && m.Pieces[0].BlobID == "" {
		return m.Pieces[0].Data
	}
	return nil
}

func (m *objectMeta) setRecordTail(tail []byte) {
	if len(m.Pieces) == 1 && m.Pieces[0].BlobID == "" {
		m.Pieces[0].Data = tail
	}
}

// splitRecord separates a stored record's JSON from its raw tail.
func splitRecord(raw []byte) (doc, tail []byte) {
	if i := bytes.IndexByte(raw, recordTailSep); i >= 0 {
		return raw[:i], raw[i+1:]
	}
	return raw, nil
}

// decodeRecord decodes a stored record (JSON and tail) into v. The tail is
// copied: kv values are valid only inside their transaction.
func decodeRecord(raw []byte, v any) error {
	doc, tail := splitRecord(raw)
	if err := json.Unmarshal(doc, v); err != nil {
		return err
	}
	if t, ok := v.(recordWithTail); ok {
		t.setRecordTail(bytes.Clone(tail))
	}
	return nil
}

// getJSON loads and decodes one record; kv.ErrNotFound passes through.
func getJSON(r kv.Reader, key []byte, v any) error {
	raw, err := r.Get(key)
	if err != nil {
		return err
	}
	return decodeRecord(raw, v)
}

func putJSON(w kv.Writer, key []byte, v any) error {
	if _, ok := v.(objectMeta); ok {
		// By value its inline tail would be dropped silently.
		return errors.New("s3: object records are stored by pointer")
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if t, ok := v.(recordWithTail); ok {
		if tail := t.recordTail(); len(tail) > 0 {
			raw = append(append(raw, recordTailSep), tail...)
		}
	}
	return w.Put(key, raw)
}

func isNotFound(err error) bool { return errors.Is(err, kv.ErrNotFound) }
