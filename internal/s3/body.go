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
	"github.com/tributary-dev/tributary/internal/storage/blob"
)

// defaultInlineLimit is the largest single-PUT body kept inline in its
// object record rather than as a blob (see blobRef.Data): 4 KiB PUTs then
// cost one synced metadata commit, and bodies this small gain nothing from a
// file of their own.
const defaultInlineLimit = 32 << 10

// ingested describes a stored body: a blob, or inline bytes.
type ingested struct {
	BlobID   string
	Inline   []byte // the body, when it is kept inline (BlobID is then empty)
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
	w, err := s.blobs.Create()
	if err != nil {
		return ingested{}, awsproto.Internal(err)
	}
	return ingestTo(r, body, cr, w)
}

// ingestObject is ingest for a whole object: a body whose length is known
// and at most Config.InlineLimit is kept in memory for the object record
// instead of becoming a blob.
func (s *Service) ingestObject(r *http.Request, body io.Reader, cr checksumRequest) (ingested, error) {
	if r.ContentLength < 0 || r.ContentLength > s.cfg.InlineLimit {
		return s.ingest(r, body, cr)
	}
	return ingestTo(r, body, cr, &inlineWriter{buf: make([]byte, 0, r.ContentLength), limit: r.ContentLength})
}

// inlineWriter is a blob.Writer that keeps the body in memory; Commit
// returns no id.
type inlineWriter struct {
	buf   []byte
	limit int64
}

func (w *inlineWriter) Write(p []byte) (int, error) {
	if int64(len(w.buf)+len(p)) > w.limit {
		return 0, errIncompleteBody // more than the declared length
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}
func (w *inlineWriter) Commit() (string, int64, error) { return "", int64(len(w.buf)), nil }
func (w *inlineWriter) Abort() error                   { return nil }

func ingestTo(r *http.Request, body io.Reader, cr checksumRequest, w blob.Writer) (ingested, error) {
	var in ingested
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
	if iw, ok := w.(*inlineWriter); ok {
		in.Inline = iw.buf
	}
	return in, nil
}

// readSmallVerifiedBody reads a small request document (DeleteObjects,
// tagging) of at most limit bytes and verifies Content-MD5 and any
// x-amz-checksum-* (header or aws-chunked trailer) over it. When required is
// true (operations whose model says requestChecksumRequired), a request
// carrying neither is refused as S3 does. A body over the limit is
// MalformedXML: these bodies are XML documents.
func readSmallVerifiedBody(r *http.Request, limit int64, required bool) ([]byte, error) {
	cr, err := parseChecksumRequest(r.Header)
	if err != nil {
		return nil, err
	}
	if err := checkChecksumValueFormat(cr); err != nil {
		return nil, err
	}
	if required && cr.ContentMD5 == "" && cr.Value == "" && !cr.FromTrailer {
		return nil, errMissingContentMD5
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		if e := awsproto.As(err); e != nil {
			return nil, e
		}
		return nil, errIncompleteBody.WithCause(err)
	}
	if int64(len(body)) > limit {
		return nil, errMalformedXML
	}
	if r.ContentLength >= 0 && int64(len(body)) != r.ContentLength {
		return nil, errIncompleteBody
	}
	if cr.ContentMD5 != "" {
		sum := md5.Sum(body)
		if got := base64.StdEncoding.EncodeToString(sum[:]); got != cr.ContentMD5 {
			return nil, errBadDigest.With("ExpectedDigest", cr.ContentMD5).With("CalculatedDigest", got)
		}
	}
	if cr.Algorithm != "" {
		want := cr.Value
		if cr.FromTrailer {
			want = r.Trailer.Get(checksumHeader(cr.Algorithm))
		}
		if want != "" {
			h := newChecksumHash(cr.Algorithm)
			h.Write(body)
			if base64.StdEncoding.EncodeToString(h.Sum(nil)) != want {
				return nil, errBadDigest.WithMessage("The " + cr.Algorithm + " you specified did not match the calculated checksum.")
			}
		} else if required && cr.ContentMD5 == "" {
			return nil, errMissingContentMD5
		}
	}
	return body, nil
}
