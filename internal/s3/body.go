package s3

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"sync"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// ingested describes a body stored as a blob.
type ingested struct {
	BlobID   string
	Size     int64
	MD5Hex   string       // hex MD5 of the decoded bytes: the ETag of a single PUT/part
	MD5      []byte       // raw MD5 (for multipart ETags)
	Checksum checksumInfo // Algorithm/Value set when the request named an algorithm
}

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// ingest streams the (already auth-decoded) request body into a new blob while
// computing its MD5 and the requested checksum, then verifies Content-MD5 and
// the checksum (from a header or the aws-chunked trailer). On any failure the
// blob is discarded and nothing is visible. The caller owns the returned blob
// (it must reference it from metadata or delete it).
func (s *Service) ingest(r *http.Request, body io.Reader, cr checksumRequest) (ingested, error) {
	var in ingested
	w, err := s.blobs.Create()
	if err != nil {
		return in, awsproto.Internal(err)
	}
	md := md5.New()
	var ck hash.Hash
	writers := []io.Writer{w, md}
	if cr.Algorithm != "" {
		ck = newChecksumHash(cr.Algorithm)
		writers = append(writers, ck)
	}
	bufp := copyBufPool.Get().(*[]byte)
	n, err := io.CopyBuffer(io.MultiWriter(writers...), body, *bufp)
	copyBufPool.Put(bufp)
	if err != nil {
		w.Abort()
		if e := awsproto.As(err); e != nil {
			return in, e
		}
		return in, errIncompleteBody.WithCause(err)
	}
	if r.ContentLength >= 0 && n != r.ContentLength {
		w.Abort()
		return in, errIncompleteBody
	}
	in.Size = n
	in.MD5 = md.Sum(nil)
	in.MD5Hex = hex.EncodeToString(in.MD5)
	if cr.ContentMD5 != "" && base64.StdEncoding.EncodeToString(in.MD5) != cr.ContentMD5 {
		w.Abort()
		return in, errBadDigest.With("ExpectedDigest", cr.ContentMD5).With("CalculatedDigest", base64.StdEncoding.EncodeToString(in.MD5))
	}
	if ck != nil {
		got := base64.StdEncoding.EncodeToString(ck.Sum(nil))
		want := cr.Value
		if cr.FromTrailer {
			want = r.Trailer.Get(checksumHeader(cr.Algorithm))
			if want == "" {
				w.Abort()
				return in, errInvalidRequest.WithMessage("The x-amz-trailer header named " + checksumHeader(cr.Algorithm) + " but the trailer did not carry it")
			}
		}
		if want != "" && want != got {
			w.Abort()
			return in, errBadDigest.WithMessage("The " + cr.Algorithm + " you specified did not match the calculated checksum.")
		}
		in.Checksum = checksumInfo{Algorithm: cr.Algorithm, Value: got, Type: "FULL_OBJECT"}
	}
	id, _, err := w.Commit()
	if err != nil {
		return in, awsproto.Internal(err)
	}
	in.BlobID = id
	return in, nil
}
