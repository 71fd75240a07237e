package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strings"
)

// aws-chunked decoding (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
// .../sigv4-streaming-trailers.html, spec A3):
//
//	chunk       = hex-size [";chunk-signature=" 64HEX] CRLF data CRLF
//	last-chunk  = "0" [";chunk-signature=" 64HEX] CRLF
//	body        = *chunk last-chunk *(trailer-line CRLF) CRLF
//
// A signed trailer block ends with "x-amz-trailer-signature:" 64HEX CRLF.
// Data is handed to the consumer straight from the source whenever the
// framing buffer is empty, so large chunks cost one copy and no allocation.

const (
	// chunkBufSize is the framing buffer and so the longest header or trailer line.
	chunkBufSize = 8 << 10
	// maxTrailerBytes bounds the whole trailer block.
	maxTrailerBytes = 16 << 10
	// maxChunkSizeDigits keeps a chunk size within int64.
	maxChunkSizeDigits = 15
)

type chunkState uint8

const (
	stateChunkHeader chunkState = iota
	stateChunkData
	stateChunkEnd // CRLF after the data
	stateTrailer
	stateDone
)

// chunkSigner verifies the signature chain of STREAMING-AWS4-HMAC-SHA256-*
// bodies: every chunk is signed over the previous signature and the SHA-256
// of its data, the trailer over the last chunk signature and its lines.
type chunkSigner struct {
	mac     hash.Hash // HMAC-SHA256 keyed with the signing key; Reset per use
	data    hash.Hash // SHA-256 of the current chunk's data
	prefix  string    // "\n" + amzDate + "\n" + scope + "\n"
	prev    [64]byte  // hex of the previous signature (the seed at first)
	scratch []byte    // the string to sign, reused
	sum     [32]byte  // digest scratch (a field, so Sum does not allocate)
}

func newChunkSigner(key []byte, amzDate, scope, seed string) *chunkSigner {
	s := &chunkSigner{
		mac:    hmac.New(sha256.New, key),
		data:   sha256.New(),
		prefix: "\n" + amzDate + "\n" + scope + "\n",
	}
	copy(s.prev[:], strings.ToLower(seed))
	return s
}

// sign computes HMAC(key, algo + prefix + prev + "\n" + middle + hex(digest)),
// makes it the new previous signature, and reports whether it equals claimed
// (which it lower-cases in place).
func (s *chunkSigner) sign(algo, middle string, digest []byte, claimed []byte) bool {
	b := append(s.scratch[:0], algo...)
	b = append(b, s.prefix...)
	b = append(b, s.prev[:]...)
	b = append(b, '\n')
	b = append(b, middle...)
	b = hex.AppendEncode(b, digest)
	s.scratch = b
	s.mac.Reset()
	s.mac.Write(b)
	var got [64]byte
	hex.Encode(got[:], s.mac.Sum(s.sum[:0]))
	s.prev = got
	if len(claimed) != len(got) {
		return false
	}
	for i, c := range claimed {
		if 'A' <= c && c <= 'F' {
			claimed[i] = c + ('a' - 'A')
		}
	}
	return hmac.Equal(got[:], claimed)
}

// verifyChunk checks the signature of the chunk whose data went into s.data.
func (s *chunkSigner) verifyChunk(claimed []byte) bool {
	digest := s.data.Sum(s.sum[:0])
	ok := s.sign("AWS4-HMAC-SHA256-PAYLOAD", emptySHA256+"\n", digest, claimed)
	s.data.Reset()
	return ok
}

// verifyTrailer checks the trailer signature over the canonical trailer
// lines ("name:value\n" each).
func (s *chunkSigner) verifyTrailer(lines []byte, claimed []byte) bool {
	digest := sha256.Sum256(lines)
	return s.sign("AWS4-HMAC-SHA256-TRAILER", "", digest[:], claimed)
}

// chunkedReader decodes an aws-chunked body. It is the request body handed
// to services; errors are *awsproto.Error values.
type chunkedReader struct {
	src    io.ReadCloser
	buf    []byte
	r, w   int   // unread framing bytes are buf[r:w]
	srcErr error // sticky error from src (io.EOF once exhausted)

	state    chunkState
	left     int64 // data bytes of the current chunk still to deliver
	decoded  int64
	want     int64 // X-Amz-Decoded-Content-Length, -1 when absent
	chunkSig [64]byte

	signer        *chunkSigner // nil: chunk signatures are not checked
	allowTrailer  bool
	signedTrailer bool // the trailer block must end with x-amz-trailer-signature
	sawTrailerSig bool
	trailer       http.Header // receives the trailer lines
	trailerLines  []byte      // canonical trailer, for the trailer signature

	err error // sticky outcome once failed or finished
}

func newChunkedReader(src io.ReadCloser, want int64, signer *chunkSigner, allowTrailer, signedTrailer bool, trailer http.Header) *chunkedReader {
	return &chunkedReader{
		src: src, buf: make([]byte, chunkBufSize), want: want,
		signer: signer, allowTrailer: allowTrailer, signedTrailer: signedTrailer, trailer: trailer,
	}
}

func (c *chunkedReader) Close() error { return c.src.Close() }

func (c *chunkedReader) fail(err error) error {
	c.err = err
	return err
}

// truncated is the error for a body that ends inside the framing.
func (c *chunkedReader) truncated() error {
	if c.srcErr == nil || c.srcErr == io.EOF {
		return errIncompleteBody()
	}
	return errIncompleteBody().WithCause(c.srcErr)
}

// fill reads more framing bytes. It fails when the buffer is full (a line
// too long) or the source has ended.
func (c *chunkedReader) fill() error {
	if c.r > 0 {
		c.w = copy(c.buf, c.buf[c.r:c.w])
		c.r = 0
	}
	if c.w == len(c.buf) {
		return errChunkFraming("line too long")
	}
	if c.srcErr != nil {
		return c.truncated()
	}
	n, err := c.src.Read(c.buf[c.w:])
	c.w += n
	if err != nil {
		c.srcErr = err
	}
	return nil
}

// readLine returns the next CRLF-terminated line without its CRLF; the
// slice is valid until the next read. atEOF reports that the source ended
// cleanly exactly where a line would start.
func (c *chunkedReader) readLine() (line []byte, atEOF bool, err error) {
	for {
		if i := bytes.IndexByte(c.buf[c.r:c.w], '\n'); i >= 0 {
			line = c.buf[c.r : c.r+i]
			c.r += i + 1
			if len(line) == 0 || line[len(line)-1] != '\r' {
				return nil, false, errChunkFraming("line not terminated by CRLF")
			}
			return line[:len(line)-1], false, nil
		}
		if c.r == c.w && c.srcErr == io.EOF {
			return nil, true, nil
		}
		if err := c.fill(); err != nil {
			return nil, false, err
		}
	}
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for {
		if c.err != nil {
			return 0, c.err
		}
		switch c.state {
		case stateChunkData:
			if c.left == 0 {
				c.state = stateChunkEnd
				continue
			}
			if len(p) == 0 {
				return 0, nil
			}
			n, err := c.readData(p)
			if err != nil {
				return 0, c.fail(err)
			}
			if n > 0 {
				return n, nil
			}
		case stateChunkEnd:
			for c.w-c.r < 2 {
				if err := c.fill(); err != nil {
					return 0, c.fail(err)
				}
			}
			if c.buf[c.r] != '\r' || c.buf[c.r+1] != '\n' {
				return 0, c.fail(errChunkFraming("chunk data not followed by CRLF"))
			}
			c.r += 2
			if c.signer != nil && !c.signer.verifyChunk(c.chunkSig[:]) {
				return 0, c.fail(errSignatureDoesNotMatch())
			}
			c.state = stateChunkHeader
		case stateChunkHeader:
			line, atEOF, err := c.readLine()
			if err == nil && atEOF {
				err = errIncompleteBody()
			}
			if err != nil {
				return 0, c.fail(err)
			}
			if err := c.startChunk(line); err != nil {
				return 0, c.fail(err)
			}
		case stateTrailer:
			line, atEOF, err := c.readLine()
			if err != nil {
				return 0, c.fail(err)
			}
			if atEOF || len(line) == 0 {
				// Tolerate a source that ends where the final CRLF belongs.
				if err := c.finish(); err != nil {
					return 0, c.fail(err)
				}
				continue
			}
			if err := c.trailerLine(line); err != nil {
				return 0, c.fail(err)
			}
		case stateDone:
			return 0, io.EOF
		}
	}
}

// readData delivers bytes of the current chunk: from the framing buffer if
// it holds some, else straight from the source into p.
func (c *chunkedReader) readData(p []byte) (int, error) {
	n := len(p)
	if int64(n) > c.left {
		n = int(c.left)
	}
	if c.r < c.w {
		n = copy(p[:n], c.buf[c.r:c.w])
		c.r += n
	} else {
		if c.srcErr != nil {
			return 0, c.truncated()
		}
		var err error
		n, err = c.src.Read(p[:n])
		if err != nil {
			c.srcErr = err
		}
	}
	c.left -= int64(n)
	c.decoded += int64(n)
	if c.want >= 0 && c.decoded > c.want {
		return 0, errIncompleteBody()
	}
	if c.signer != nil {
		c.signer.data.Write(p[:n])
	}
	return n, nil
}

// startChunk parses "hex-size[;chunk-signature=sig]".
func (c *chunkedReader) startChunk(line []byte) error {
	sizePart, ext, hasExt := bytes.Cut(line, []byte{';'})
	if len(sizePart) == 0 || len(sizePart) > maxChunkSizeDigits {
		return errChunkFraming("invalid chunk size")
	}
	var size int64
	for _, ch := range sizePart {
		v, ok := unhex(ch)
		if !ok {
			return errChunkFraming("invalid chunk size")
		}
		size = size<<4 | int64(v)
	}
	if c.signer != nil {
		sig, ok := bytes.CutPrefix(ext, []byte("chunk-signature="))
		if !hasExt || !ok || len(sig) != 64 {
			return errChunkFraming("chunk-signature missing or malformed")
		}
		copy(c.chunkSig[:], sig)
	}
	if size == 0 {
		// The final chunk is signed like the others, over empty data.
		if c.signer != nil && !c.signer.verifyChunk(c.chunkSig[:]) {
			return errSignatureDoesNotMatch()
		}
		c.state = stateTrailer
		return nil
	}
	c.left = size
	c.state = stateChunkData
	return nil
}

// trailerLine records one "name:value" trailer line, or checks the trailer
// signature line.
func (c *chunkedReader) trailerLine(line []byte) error {
	name, value, ok := bytes.Cut(line, []byte{':'})
	if !ok || len(bytes.TrimSpace(name)) == 0 || c.sawTrailerSig {
		return errMalformedTrailer()
	}
	lname := strings.ToLower(string(bytes.TrimSpace(name)))
	v := string(bytes.TrimSpace(value))
	if lname == "x-amz-trailer-signature" {
		if !c.signedTrailer {
			return nil // an unsigned variant carries nothing to check it against
		}
		c.sawTrailerSig = true
		if c.signer != nil && !c.signer.verifyTrailer(c.trailerLines, []byte(v)) {
			return errSignatureDoesNotMatch()
		}
		return nil
	}
	if !c.allowTrailer {
		return errMalformedTrailer()
	}
	if len(c.trailerLines)+len(lname)+len(v)+2 > maxTrailerBytes {
		return errMalformedTrailer()
	}
	c.trailerLines = append(c.trailerLines, lname...)
	c.trailerLines = append(c.trailerLines, ':')
	c.trailerLines = append(c.trailerLines, v...)
	c.trailerLines = append(c.trailerLines, '\n')
	key := http.CanonicalHeaderKey(lname)
	c.trailer[key] = append(c.trailer[key], v)
	return nil
}

// finish runs the end-of-body checks: trailer signature present, decoded
// length as declared, nothing after the final CRLF.
func (c *chunkedReader) finish() error {
	if c.signedTrailer && !c.sawTrailerSig {
		return errMalformedTrailer()
	}
	if c.want >= 0 && c.decoded != c.want {
		return errIncompleteBody()
	}
	if c.r < c.w {
		return errChunkFraming("data after the final chunk")
	}
	for c.srcErr == nil {
		n, err := c.src.Read(c.buf[:1])
		if n > 0 {
			return errChunkFraming("data after the final chunk")
		}
		if err != nil {
			c.srcErr = err
			if err != io.EOF {
				return errIncompleteBody().WithCause(err)
			}
		}
	}
	c.state = stateDone
	return nil
}
