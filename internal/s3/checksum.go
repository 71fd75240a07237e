package s3

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"
)

// Checksum algorithms S3 accepts (x-amz-checksum-<alg>, x-amz-sdk-checksum-algorithm).
const (
	algCRC32     = "CRC32"
	algCRC32C    = "CRC32C"
	algCRC64NVME = "CRC64NVME"
	algSHA1      = "SHA1"
	algSHA256    = "SHA256"
)

var checksumAlgorithms = []string{algCRC32, algCRC32C, algCRC64NVME, algSHA1, algSHA256}

// crc64NVMETable is the reflected CRC-64/NVME polynomial; with Go's crc64
// (init and final xor ~0) it yields the CRC64NVME S3 uses ("123456789" → ae8b14860a799888).
var crc64NVMETable = crc64.MakeTable(0x9a6c9329ac4bc9b5)

var crc32cTable = crc32.MakeTable(crc32.Castagnoli)

// newChecksumHash returns a fresh hash for alg, or nil if alg is unknown.
func newChecksumHash(alg string) hash.Hash {
	switch strings.ToUpper(alg) {
	case algCRC32:
		return crc32.NewIEEE()
	case algCRC32C:
		return crc32.New(crc32cTable)
	case algCRC64NVME:
		return crc64.New(crc64NVMETable)
	case algSHA1:
		return sha1.New()
	case algSHA256:
		return sha256.New()
	}
	return nil
}

// checksumHeader is the request/response header carrying alg's checksum.
func checksumHeader(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

// checksumDefaultType is the checksum type S3 gives an algorithm for multipart uploads
// when the client does not say: full-object for the CRCs of the CRC64NVME family... kept
// simple: CRC64NVME is FULL_OBJECT, the others COMPOSITE.
func checksumDefaultType(alg string) string {
	if alg == algCRC64NVME {
		return "FULL_OBJECT"
	}
	return "COMPOSITE"
}

// checksumRequest is what a request asks the server to verify about its body.
type checksumRequest struct {
	// Algorithm is the checksum algorithm in use ("" if none).
	Algorithm string
	// Value is the expected base64 value from a header; empty if it comes in
	// the aws-chunked trailer (FromTrailer) or if the client only asked the
	// server to compute one.
	Value       string
	FromTrailer bool
	// ContentMD5 is the base64 Content-MD5 header, if any.
	ContentMD5 string
}

// parseChecksumRequest reads x-amz-checksum-*, x-amz-sdk-checksum-algorithm,
// x-amz-trailer and Content-MD5.
func parseChecksumRequest(h http.Header) (checksumRequest, error) {
	var cr checksumRequest
	if md := h.Get("Content-MD5"); md != "" {
		raw, err := base64.StdEncoding.DecodeString(md)
		if err != nil || len(raw) != md5.Size {
			return cr, errInvalidDigest
		}
		cr.ContentMD5 = md
	}
	found := 0
	for _, alg := range checksumAlgorithms {
		if v := h.Get(checksumHeader(alg)); v != "" {
			cr.Algorithm, cr.Value = alg, v
			found++
		}
	}
	if found > 1 {
		return cr, errInvalidRequest.WithMessage("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	if t := h.Get("X-Amz-Trailer"); t != "" {
		name := strings.ToLower(strings.TrimSpace(t))
		for _, alg := range checksumAlgorithms {
			if name == checksumHeader(alg) {
				if found > 0 && cr.Algorithm != alg {
					return cr, errInvalidRequest.WithMessage("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
				}
				cr.Algorithm, cr.FromTrailer = alg, true
			}
		}
		if !cr.FromTrailer {
			return cr, errInvalidRequest.WithMessage("The value specified in the x-amz-trailer header is not supported")
		}
	}
	if cr.Algorithm == "" {
		if a := strings.ToUpper(h.Get("X-Amz-Sdk-Checksum-Algorithm")); a != "" {
			if newChecksumHash(a) == nil {
				return cr, errInvalidRequest.WithMessage("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
			}
			cr.Algorithm = a
		}
	}
	return cr, nil
}

// checksumSizes is the decoded length of each algorithm's checksum.
var checksumSizes = map[string]int{algCRC32: 4, algCRC32C: 4, algCRC64NVME: 8, algSHA1: 20, algSHA256: 32}

// checkChecksumValueFormat rejects an x-amz-checksum-<alg> header that is not
// the base64 of a digest of the algorithm's size, as S3 does before reading
// the body.
func checkChecksumValueFormat(cr checksumRequest) error {
	if cr.Value == "" {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(cr.Value)
	if err != nil || len(raw) != checksumSizes[cr.Algorithm] {
		return errInvalidRequest.WithMessage("Value for " + checksumHeader(cr.Algorithm) + " header is invalid.")
	}
	return nil
}
