package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxBufferedBody bounds a body read into memory to hash it for the
// signature (services other than S3 sign the hash of the body without
// sending it in x-amz-content-sha256). The largest legitimate one is
// Lambda's CreateFunction/UpdateFunctionCode with an inline 50 MB zip,
// base64-encoded in JSON (about 67 MB); Lambda answers its own
// "Zipped size must be smaller than 52428800 bytes" below this bound.
const maxBufferedBody = 72 << 20

// sha256Reader passes the body through and, at EOF, compares its SHA-256
// with x-amz-content-sha256: the Read that reaches the end returns
// XAmzContentSHA256Mismatch instead of io.EOF when they differ.
type sha256Reader struct {
	src  io.ReadCloser
	h    hash.Hash
	want string // lower-case hex
	err  error
}

func (s *sha256Reader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.src.Read(p)
	s.h.Write(p[:n])
	switch {
	case err == io.EOF:
		var sum [32]byte
		if got := hex.EncodeToString(s.h.Sum(sum[:0])); got != s.want {
			s.err = errContentSHA256Mismatch(s.want, got)
			return n, s.err
		}
		s.err = io.EOF
	case err != nil:
		s.err = err
	}
	return n, err
}

func (s *sha256Reader) Close() error { return s.src.Close() }

// bufferedBody is a body read into memory that still closes the original.
type bufferedBody struct {
	*bytes.Reader
	orig io.Closer
}

func (b bufferedBody) Close() error { return b.orig.Close() }

// bufferBody reads the whole body (up to maxBufferedBody), puts an
// equivalent body back on r and returns the bytes.
func bufferBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > maxBufferedBody {
		return nil, errBodyTooLarge(maxBufferedBody)
	}
	// Sized from Content-Length when known: io.ReadAll's regrowth was a fifth
	// of the server's CPU on 700 KB Kinesis PutRecords bodies.
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, maxBufferedBody+1))
	data := buf.Bytes()
	if err != nil {
		return nil, errIncompleteBody().WithCause(err)
	}
	if len(data) > maxBufferedBody {
		return nil, errBodyTooLarge(maxBufferedBody)
	}
	r.Body = bufferedBody{bytes.NewReader(data), r.Body}
	r.ContentLength = int64(len(data))
	return data, nil
}

func bodySHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// setupPayload makes r.Body check or decode the payload as
// x-amz-content-sha256 announces. signer verifies signed chunks; it is nil
// when they are not checked (AllowAnyCredentials). sigV4 tells whether the
// request was signed with SigV4 at all: signed chunks need a seed signature.
func setupPayload(r *http.Request, contentSHA string, signer *chunkSigner, sigV4 bool) error {
	switch contentSHA {
	case "", unsignedPayload:
		return nil
	case streamingUnsignedTrailer:
		return startChunked(r, nil, true, false)
	case streamingSigned, streamingSignedTrailer:
		if !sigV4 {
			return errInvalidRequest("x-amz-content-sha256 " + contentSHA + " needs a request signed with AWS4-HMAC-SHA256")
		}
		trailer := contentSHA == streamingSignedTrailer
		return startChunked(r, signer, trailer, trailer)
	}
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	r.Body = &sha256Reader{src: body, h: sha256.New(), want: strings.ToLower(contentSHA)}
	return nil
}

// startChunked replaces r.Body with an aws-chunked decoder and makes the
// request look like its decoded self: ContentLength from
// X-Amz-Decoded-Content-Length (-1 if absent), aws-chunked gone from
// Content-Encoding, and r.Trailer ready to receive the trailer lines.
func startChunked(r *http.Request, signer *chunkSigner, allowTrailer, signedTrailer bool) error {
	want := int64(-1)
	if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return errInvalidArgument("x-amz-decoded-content-length must be a non-negative integer", "x-amz-decoded-content-length", v)
		}
		want = n
	}
	if r.Trailer == nil {
		r.Trailer = make(http.Header)
	}
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	r.Body = newChunkedReader(body, want, signer, allowTrailer, signedTrailer, r.Trailer)
	r.ContentLength = want
	if want >= 0 {
		r.Header.Set("Content-Length", strconv.FormatInt(want, 10))
	} else {
		r.Header.Del("Content-Length")
	}
	stripAWSChunked(r.Header)
	return nil
}

// stripAWSChunked removes the aws-chunked coding from Content-Encoding:
// "gzip,aws-chunked" becomes "gzip"; a lone aws-chunked removes the header.
func stripAWSChunked(h http.Header) {
	vals := h.Values("Content-Encoding")
	if len(vals) == 0 {
		return
	}
	var keep []string
	for _, v := range vals {
		for part := range strings.SplitSeq(v, ",") {
			if p := strings.TrimSpace(part); p != "" && !strings.EqualFold(p, "aws-chunked") {
				keep = append(keep, p)
			}
		}
	}
	if len(keep) == 0 {
		h.Del("Content-Encoding")
		return
	}
	h.Set("Content-Encoding", strings.Join(keep, ","))
}
