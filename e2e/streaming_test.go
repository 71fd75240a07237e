package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestAWSChunked: the aws-chunked bodies boto3 and the Go SDK send over https
// (spec A3) and the signed variants other clients use, sent here over plain
// http with hand-made framing: the stored object is the decoded body, its
// ETag the MD5 of the decoded bytes, and a wrong trailer checksum, a broken
// frame or a forged chunk signature stores nothing.
func TestAWSChunked(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := s.goClient(t, withNoRetries())
	b := uniqueBucket("go-chunked")
	createBucketGo(t, c, b)
	data := randomBytes(301, 300_000)

	check := func(t *testing.T, key string, want []byte, alg string) {
		t.Helper()
		got := getGo(t, c, b, key)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: stored %d bytes, want the %d decoded bytes", key, len(got), len(want))
		}
		head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatalf("HeadObject %s: %v", key, err)
		}
		if aws.ToString(head.ETag) != md5ETag(want) || aws.ToInt64(head.ContentLength) != int64(len(want)) {
			t.Errorf("%s: ETag %s length %d, want %s %d", key, aws.ToString(head.ETag), aws.ToInt64(head.ContentLength), md5ETag(want), len(want))
		}
		if strings.Contains(aws.ToString(head.ContentEncoding), "aws-chunked") {
			t.Errorf("%s: stored Content-Encoding %q still has aws-chunked", key, aws.ToString(head.ContentEncoding))
		}
		if alg != "" {
			if got := checksumOf(alg, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256); got != checksumB64(alg, want) {
				t.Errorf("%s: stored %s = %q, want %q", key, alg, got, checksumB64(alg, want))
			}
		}
	}

	t.Run("unsigned trailer, one chunk (Go SDK shape)", func(t *testing.T) {
		r := s.chunkedPut(t, b, "unsigned-one", data, chunkedOpts{chunkSize: len(data), trailerAlg: "CRC32"})
		if r.status != 200 {
			t.Fatalf("PUT: %d %s", r.status, truncate(string(r.body), 400))
		}
		check(t, "unsigned-one", data, "CRC32")
	})
	t.Run("unsigned trailer, 64 KiB chunks in Transfer-Encoding chunked (boto3 shape)", func(t *testing.T) {
		r := s.chunkedPut(t, b, "unsigned-many", data, chunkedOpts{chunkSize: 64 << 10, trailerAlg: "CRC32C", transferChunked: true})
		if r.status != 200 {
			t.Fatalf("PUT: %d %s", r.status, truncate(string(r.body), 400))
		}
		check(t, "unsigned-many", data, "CRC32C")
	})
	t.Run("gzip,aws-chunked keeps gzip", func(t *testing.T) {
		r := s.chunkedPut(t, b, "gzip-enc", data[:1000], chunkedOpts{chunkSize: 400, trailerAlg: "CRC32", contentEncoding: "gzip,aws-chunked"})
		if r.status != 200 {
			t.Fatalf("PUT: %d %s", r.status, truncate(string(r.body), 400))
		}
		head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("gzip-enc")})
		if err != nil || aws.ToString(head.ContentEncoding) != "gzip" || aws.ToInt64(head.ContentLength) != 1000 {
			t.Errorf("HeadObject: err=%v Content-Encoding %q length %d, want gzip 1000", err, aws.ToString(head.ContentEncoding), aws.ToInt64(head.ContentLength))
		}
	})
	t.Run("signed chunks", func(t *testing.T) {
		r := s.chunkedPut(t, b, "signed", data, chunkedOpts{chunkSize: 64 << 10, signed: true})
		if r.status != 200 {
			t.Fatalf("PUT: %d %s", r.status, truncate(string(r.body), 400))
		}
		check(t, "signed", data, "")
	})
	t.Run("signed chunks with signed trailer", func(t *testing.T) {
		r := s.chunkedPut(t, b, "signed-trailer", data, chunkedOpts{chunkSize: 100_000, signed: true, trailerAlg: "SHA256"})
		if r.status != 200 {
			t.Fatalf("PUT: %d %s", r.status, truncate(string(r.body), 400))
		}
		check(t, "signed-trailer", data, "SHA256")
	})
	t.Run("wrong trailer checksum", func(t *testing.T) {
		r := s.chunkedPut(t, b, "bad-trailer", data, chunkedOpts{chunkSize: 64 << 10, trailerAlg: "CRC32", trailerValue: "AAAAAA=="})
		wantRawError(t, r, "BadDigest", 400)
		wantAbsent(t, c, b, "bad-trailer")
	})
	t.Run("forged chunk signature", func(t *testing.T) {
		r := s.chunkedPut(t, b, "forged", data, chunkedOpts{chunkSize: 64 << 10, signed: true, forgeChunk: 2})
		wantRawError(t, r, "SignatureDoesNotMatch", 403)
		wantAbsent(t, c, b, "forged")
	})
	t.Run("truncated frame", func(t *testing.T) {
		r := s.chunkedPut(t, b, "truncated", data, chunkedOpts{chunkSize: 64 << 10, trailerAlg: "CRC32", truncate: 1000, transferChunked: true})
		if r.status != 400 || (r.errorCode() != "IncompleteBody" && r.errorCode() != "InvalidRequest") {
			t.Errorf("truncated aws-chunked body: want 400 IncompleteBody/InvalidRequest, got %d %s", r.status, truncate(string(r.body), 300))
		}
		wantAbsent(t, c, b, "truncated")
	})
}

type chunkedOpts struct {
	chunkSize       int
	trailerAlg      string // "" → no trailer
	trailerValue    string // "" → the right checksum
	signed          bool   // STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]
	transferChunked bool   // also HTTP Transfer-Encoding: chunked, no Content-Length
	contentEncoding string // "" → aws-chunked
	forgeChunk      int    // 1-based chunk whose signature is corrupted
	truncate        int    // drop this many bytes from the end of the body (use with transferChunked)
}

var sigRe = regexp.MustCompile(`Signature=([0-9a-f]{64})`)

// chunkedPut sends a PutObject whose body is aws-chunked encoded, unsigned
// with a trailer or with a signed chunk chain (spec A3 grammar).
func (s *server) chunkedPut(t *testing.T, bucket, key string, data []byte, o chunkedOpts) rawResponse {
	t.Helper()
	payloadHash := "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	if o.signed {
		payloadHash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
		if o.trailerAlg != "" {
			payloadHash += "-TRAILER"
		}
	}
	trailerName := ""
	if o.trailerAlg != "" {
		trailerName = "x-amz-checksum-" + strings.ToLower(o.trailerAlg)
	}
	chunks := splitParts(data, o.chunkSize)
	frame := func(sign func(chunk []byte) string, trailerSig func(trailer string) string) []byte {
		var buf bytes.Buffer
		for _, ch := range chunks {
			if len(ch) == 0 {
				continue
			}
			fmt.Fprintf(&buf, "%x", len(ch))
			if o.signed {
				fmt.Fprintf(&buf, ";chunk-signature=%s", sign(ch))
			}
			buf.WriteString("\r\n")
			buf.Write(ch)
			buf.WriteString("\r\n")
		}
		buf.WriteString("0") // the final zero-length chunk
		if o.signed {
			fmt.Fprintf(&buf, ";chunk-signature=%s", sign(nil))
		}
		buf.WriteString("\r\n")
		if trailerName != "" {
			value := o.trailerValue
			if value == "" {
				value = checksumB64(o.trailerAlg, data)
			}
			line := trailerName + ":" + value
			buf.WriteString(line + "\r\n")
			if o.signed {
				buf.WriteString("x-amz-trailer-signature:" + trailerSig(line+"\n") + "\r\n")
			}
		}
		buf.WriteString("\r\n")
		return buf.Bytes()
	}
	dummy := strings.Repeat("0", 64)
	encodedLen := len(frame(func([]byte) string { return dummy }, func(string) string { return dummy }))

	req, err := http.NewRequest(http.MethodPut, s.endpoint+"/"+bucket+"/"+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	enc := o.contentEncoding
	if enc == "" {
		enc = "aws-chunked"
	}
	req.Header.Set("Content-Encoding", enc)
	req.Header.Set("X-Amz-Decoded-Content-Length", itoa(len(data)))
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if trailerName != "" {
		req.Header.Set("X-Amz-Trailer", trailerName)
		req.Header.Set("X-Amz-Sdk-Checksum-Algorithm", o.trailerAlg)
	}
	if o.transferChunked {
		req.ContentLength = -1
	} else {
		req.ContentLength = int64(encodedLen)
		req.Header.Set("Content-Length", itoa(encodedLen))
	}
	signTime := time.Now().UTC()
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, "s3", "us-east-1", signTime,
		func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true }); err != nil {
		t.Fatal(err)
	}
	req.Header.Del("Content-Length") // net/http sends it from ContentLength

	m := sigRe.FindStringSubmatch(req.Header.Get("Authorization"))
	if m == nil {
		t.Fatalf("no seed signature in %q", req.Header.Get("Authorization"))
	}
	amzDate := req.Header.Get("X-Amz-Date")
	scope := amzDate[:8] + "/us-east-1/s3/aws4_request"
	key4 := signingKey("test", amzDate[:8], "us-east-1", "s3")
	prev := m[1]
	n := 0
	emptyHash := sha256Hex(nil)
	body := frame(func(chunk []byte) string {
		n++
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + emptyHash + "\n" + sha256Hex(chunk)
		prev = hex.EncodeToString(hmacSHA256(key4, sts))
		if n == o.forgeChunk {
			return strings.Repeat("f", 64)
		}
		return prev
	}, func(trailer string) string {
		sts := "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + sha256Hex([]byte(trailer))
		return hex.EncodeToString(hmacSHA256(key4, sts))
	})
	if len(body) != encodedLen {
		t.Fatalf("framing length changed between passes: %d vs %d", len(body), encodedLen)
	}
	if o.truncate > 0 {
		body = body[:len(body)-o.truncate]
	}
	if o.transferChunked {
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body))) // unknown length → chunked
	} else {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := localhostHTTPClient().Do(req)
	if err != nil {
		t.Fatalf("chunked PUT: %v", err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: rb}
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}
