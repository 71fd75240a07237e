package e2e

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestErrors: bad input answers the AWS code and status, and leaves nothing
// half-written (HeadObject 404 and absent from listings afterwards). Requests
// no SDK would send are signed by hand with the SDK's SigV4 signer.
func TestErrors(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := s.goClient(t, withNoRetries())
	b := uniqueBucket("go-err")
	createBucketGo(t, c, b)
	small := randomBytes(201, 100)
	putGo(t, c, b, "exists", small)

	t.Run("wrong secret", func(t *testing.T) {
		bad := s.goClient(t, withNoRetries(), withCredentials("test", "not-the-secret"))
		_, err := bad.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("wrong-secret"), Body: bytes.NewReader(small)})
		wantAPIError(t, err, "SignatureDoesNotMatch", 403)
		_, err = bad.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("exists")})
		wantAPIError(t, err, "SignatureDoesNotMatch", 403)
		wantAbsent(t, c, b, "wrong-secret")
	})
	t.Run("unknown access key", func(t *testing.T) {
		bad := s.goClient(t, withNoRetries(), withCredentials("AKIDUNKNOWN0000000", "test"))
		_, err := bad.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("unknown-key"), Body: bytes.NewReader(small)})
		wantAPIError(t, err, "InvalidAccessKeyId", 403)
		_, err = bad.ListBuckets(ctxT(t), &s3.ListBucketsInput{})
		wantAPIError(t, err, "InvalidAccessKeyId", 403)
		wantAbsent(t, c, b, "unknown-key")
	})
	t.Run("skewed clock", func(t *testing.T) {
		// The SDK corrects its clock after RequestTimeTooSkewed and retries,
		// so the skewed request is signed by hand.
		for _, skew := range []time.Duration{-20 * time.Minute, 20 * time.Minute} {
			r := s.raw(t, rawRequest{method: http.MethodPut, path: "/" + b + "/skewed", body: small, signTime: time.Now().Add(skew)})
			wantRawError(t, r, "RequestTimeTooSkewed", 403)
		}
		// 10 minutes is within AWS's 15-minute window
		r := s.raw(t, rawRequest{method: http.MethodPut, path: "/" + b + "/slightly-skewed", body: small, signTime: time.Now().Add(-10 * time.Minute)})
		if r.status != 200 {
			t.Errorf("a 10-minute skew must be accepted: %d %s", r.status, truncate(string(r.body), 300))
		}
		wantAbsent(t, c, b, "skewed")
	})
	t.Run("anonymous", func(t *testing.T) {
		r := s.raw(t, rawRequest{method: http.MethodGet, path: "/" + b + "/exists", unsigned: true})
		wantRawError(t, r, "AccessDenied", 403)
		r = s.raw(t, rawRequest{method: http.MethodPut, path: "/" + b + "/anonymous", body: small, unsigned: true})
		wantRawError(t, r, "AccessDenied", 403)
		wantAbsent(t, c, b, "anonymous")
	})
	t.Run("unknown bucket", func(t *testing.T) {
		missing := uniqueBucket("go-missing")
		_, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(missing), Key: aws.String("k")})
		wantAPIError(t, err, "NoSuchBucket", 404)
		_, err = c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(missing), Key: aws.String("k"), Body: bytes.NewReader(small)})
		wantAPIError(t, err, "NoSuchBucket", 404)
		_, err = c.ListObjectsV2(ctxT(t), &s3.ListObjectsV2Input{Bucket: aws.String(missing)})
		wantAPIError(t, err, "NoSuchBucket", 404)
		_, err = c.DeleteBucket(ctxT(t), &s3.DeleteBucketInput{Bucket: aws.String(missing)})
		wantAPIError(t, err, "NoSuchBucket", 404)
		_, err = c.CreateMultipartUpload(ctxT(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(missing), Key: aws.String("k")})
		wantAPIError(t, err, "NoSuchBucket", 404)
		_, err = c.HeadBucket(ctxT(t), &s3.HeadBucketInput{Bucket: aws.String(missing)})
		wantAPIError(t, err, "NotFound", 404)
		// a PUT into a missing bucket must not create it
		_, err = c.HeadBucket(ctxT(t), &s3.HeadBucketInput{Bucket: aws.String(missing)})
		wantAPIError(t, err, "NotFound", 404)
		r := s.raw(t, rawRequest{method: http.MethodGet, path: "/" + missing + "/k"})
		wantRawError(t, r, "NoSuchBucket", 404)
		if !strings.Contains(string(r.body), "<RequestId>") {
			t.Errorf("S3 error body without RequestId: %s", r.body)
		}
		if ct := r.header.Get("Content-Type"); !strings.Contains(ct, "xml") {
			t.Errorf("S3 error Content-Type = %q, want application/xml", ct)
		}
		ok := s.raw(t, rawRequest{method: http.MethodGet, path: "/" + b + "/exists"})
		if ok.status != 200 || ok.header.Get("x-amz-request-id") == "" || ok.header.Get("x-amz-id-2") == "" {
			t.Errorf("successful GET: status %d, x-amz-request-id %q, x-amz-id-2 %q (both belong on every response)",
				ok.status, ok.header.Get("x-amz-request-id"), ok.header.Get("x-amz-id-2"))
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		_, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("no/such/key")})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("no/such/key")})
		wantAPIError(t, err, "NotFound", 404)
		_, err = c.GetObjectTagging(ctxT(t), &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("no/such/key")})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = c.CopyObject(ctxT(t), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy-of-nothing"), CopySource: aws.String(b + "/no/such/key")})
		wantAPIError(t, err, "NoSuchKey", 404)
		wantAbsent(t, c, b, "copy-of-nothing")
	})
	t.Run("invalid bucket names", func(t *testing.T) {
		names := []string{"ab", strings.Repeat("a", 64), "Invalid_Name", "UPPER", "bad..name", "-leading", "trailing-",
			"192.168.5.4", "xn--punycode", "sthree-bucket", "name-s3alias", "name--ol-s3"}
		for _, name := range names {
			_, err := c.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(name)})
			if err == nil {
				t.Errorf("CreateBucket %q succeeded", name)
				continue
			}
			wantAPIError(t, err, "InvalidBucketName", 400)
		}
		out, err := c.ListBuckets(ctxT(t), &s3.ListBucketsInput{})
		if err != nil {
			t.Fatalf("ListBuckets: %v", err)
		}
		for _, bk := range out.Buckets {
			for _, name := range names {
				if aws.ToString(bk.Name) == name {
					t.Errorf("invalid bucket %q exists", name)
				}
			}
		}
	})
	t.Run("malformed XML", func(t *testing.T) {
		create, err := c.CreateMultipartUpload(ctxT(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mpu-malformed")})
		if err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
		part := randomBytes(202, 1000)
		if _, err := c.UploadPart(ctxT(t), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mpu-malformed"), UploadId: create.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(part)}); err != nil {
			t.Fatalf("UploadPart: %v", err)
		}
		for _, body := range []string{
			"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>",
			"not xml at all",
			`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></CompleteMultipartUpload>`,
		} {
			r := s.raw(t, rawRequest{method: http.MethodPost, path: "/" + b + "/mpu-malformed", query: "uploadId=" + aws.ToString(create.UploadId), body: []byte(body)})
			wantRawError(t, r, "MalformedXML", 400)
		}
		wantAbsent(t, c, b, "mpu-malformed")
		parts, err := c.ListParts(ctxT(t), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("mpu-malformed"), UploadId: create.UploadId})
		if err != nil || len(parts.Parts) != 1 {
			t.Errorf("upload damaged by a malformed Complete: err=%v %+v", err, parts)
		}
		for _, body := range []string{"this is not xml", "<Delete><Object><Key>exists</Key></Object>"} {
			r := s.raw(t, rawRequest{method: http.MethodPost, path: "/" + b, query: "delete=", body: []byte(body),
				header: map[string]string{"x-amz-checksum-crc32": checksumB64("CRC32", []byte(body)), "x-amz-sdk-checksum-algorithm": "CRC32"}})
			wantRawError(t, r, "MalformedXML", 400)
		}
		if got := getGo(t, c, b, "exists"); !bytes.Equal(got, small) {
			t.Errorf("a malformed DeleteObjects changed data")
		}
		r := s.raw(t, rawRequest{method: http.MethodPut, path: "/" + b + "/exists", query: "tagging=", body: []byte("<Tagging><TagSet><Tag>")})
		wantRawError(t, r, "MalformedXML", 400)
	})
	t.Run("part order and ETag", func(t *testing.T) {
		key := "mpu-order"
		create, err := c.CreateMultipartUpload(ctxT(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
		var done []types.CompletedPart
		// both parts are 5 MiB so a wrong order is not also EntityTooSmall
		for i, p := range [][]byte{randomBytes(203, 5<<20), randomBytes(204, 5<<20)} {
			out, err := c.UploadPart(ctxT(t), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: create.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
			if err != nil {
				t.Fatalf("UploadPart: %v", err)
			}
			done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
		}
		complete := func(parts ...types.CompletedPart) error {
			_, err := c.CompleteMultipartUpload(ctxT(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key),
				UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
			return err
		}
		wantAPIError(t, complete(done[1], done[0]), "InvalidPartOrder", 400)
		wantAPIError(t, complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: aws.String(md5ETag([]byte("x")))}, done[1]), "InvalidPart", 400)
		wantAPIError(t, complete(done[0], types.CompletedPart{PartNumber: aws.Int32(7), ETag: done[1].ETag}), "InvalidPart", 400)
		wantAbsent(t, c, b, key)
		if _, err := c.AbortMultipartUpload(ctxT(t), &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: create.UploadId}); err != nil {
			t.Errorf("AbortMultipartUpload: %v", err)
		}
		_, err = c.UploadPart(ctxT(t), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: aws.String("no-such-upload-id"),
			PartNumber: aws.Int32(1), Body: bytes.NewReader(small)})
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = c.AbortMultipartUpload(ctxT(t), &s3.AbortMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: aws.String("no-such-upload-id")})
		wantAPIError(t, err, "NoSuchUpload", 404)
	})
	t.Run("body does not match checksum", func(t *testing.T) {
		body := randomBytes(205, 4096)
		put := func(key string, mod func(*s3.PutObjectInput)) error {
			in := &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(body)}
			mod(in)
			_, err := c.PutObject(ctxT(t), in)
			return err
		}
		wantAPIError(t, put("bad-crc32", func(in *s3.PutObjectInput) { in.ChecksumCRC32 = aws.String("AAAAAA==") }), "BadDigest", 400)
		wantAPIError(t, put("bad-sha256", func(in *s3.PutObjectInput) { in.ChecksumSHA256 = aws.String(checksumB64("SHA256", []byte("other"))) }), "BadDigest", 400)
		wantAPIError(t, put("bad-md5", func(in *s3.PutObjectInput) { in.ContentMD5 = aws.String("1B2M2Y8AsgTpgAmY7PhCfg==") }), "BadDigest", 400)
		r := s.raw(t, rawRequest{method: http.MethodPut, path: "/" + b + "/bad-crc32c", body: body,
			header: map[string]string{"x-amz-checksum-crc32c": checksumB64("CRC32C", []byte("other")), "x-amz-sdk-checksum-algorithm": "CRC32C"}})
		wantRawError(t, r, "BadDigest", 400)
		r = s.raw(t, rawRequest{method: http.MethodPut, path: "/" + b + "/bad-content-sha", body: body, payloadHash: sha256Hex([]byte("other"))})
		wantRawError(t, r, "XAmzContentSHA256Mismatch", 400)
		for _, k := range []string{"bad-crc32", "bad-sha256", "bad-md5", "bad-crc32c", "bad-content-sha"} {
			wantAbsent(t, c, b, k)
		}
		create, err := c.CreateMultipartUpload(ctxT(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("bad-part")})
		if err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
		_, err = c.UploadPart(ctxT(t), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("bad-part"), UploadId: create.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(body), ChecksumCRC32: aws.String("AAAAAA==")})
		wantAPIError(t, err, "BadDigest", 400)
		parts, err := c.ListParts(ctxT(t), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("bad-part"), UploadId: create.UploadId})
		if err != nil || len(parts.Parts) != 0 {
			t.Errorf("a part with a bad checksum was kept: err=%v %+v", err, parts)
		}
	})
	t.Run("invalid range", func(t *testing.T) {
		_, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("exists"), Range: aws.String("bytes=1000-2000")})
		wantAPIError(t, err, "InvalidRange", 416)
	})
	t.Run("bucket not empty", func(t *testing.T) {
		_, err := c.DeleteBucket(ctxT(t), &s3.DeleteBucketInput{Bucket: aws.String(b)})
		wantAPIError(t, err, "BucketNotEmpty", 409)
		if _, err := c.HeadBucket(ctxT(t), &s3.HeadBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Errorf("bucket gone after a refused delete: %v", err)
		}
		if got := getGo(t, c, b, "exists"); !bytes.Equal(got, small) {
			t.Errorf("object changed by a refused bucket delete")
		}
	})
	t.Run("presigned URL expired or tampered", func(t *testing.T) {
		expired := s.presignRaw(t, http.MethodGet, "/"+b+"/exists", time.Now().Add(-2*time.Hour), 3600)
		status, _, body := httpDo(t, http.MethodGet, expired, nil)
		if status != 403 || !strings.Contains(string(body), "<Code>AccessDenied</Code>") {
			t.Errorf("expired SigV4 presigned URL: want 403 AccessDenied, got %d %s", status, truncate(string(body), 300))
		}
		valid := s.presignRaw(t, http.MethodGet, "/"+b+"/exists", time.Now(), 60)
		status, _, body = httpDo(t, http.MethodGet, valid, nil)
		if status != 200 || !bytes.Equal(body, small) {
			t.Errorf("valid SigV4 presigned URL: %d %s", status, truncate(string(body), 300))
		}
		tampered := strings.Replace(valid, "/exists?", "/exists2?", 1)
		status, _, body = httpDo(t, http.MethodGet, tampered, nil)
		if status != 403 || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("tampered SigV4 presigned URL: want 403 SignatureDoesNotMatch, got %d %s", status, truncate(string(body), 300))
		}
	})
	t.Run("key too long", func(t *testing.T) {
		_, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(strings.Repeat("k", 1025)), Body: bytes.NewReader(small)})
		wantAPIError(t, err, "KeyTooLongError", 400)
	})
	t.Run("unknown operation is NotImplemented or MethodNotAllowed, not 500", func(t *testing.T) {
		// PATCH is no S3 operation; the server must not panic or answer 500/200.
		r := s.raw(t, rawRequest{method: http.MethodPatch, path: "/" + b + "/exists"})
		if r.status < 400 || r.status >= 500 && r.status != 501 {
			t.Errorf("PATCH: status %d %s", r.status, truncate(string(r.body), 300))
		}
	})
}

// presignRaw builds a SigV4 presigned URL signed at signTime (path style on
// 127.0.0.1), so expiry can be tested without waiting.
func (s *server) presignRaw(t testing.TB, method, path string, signTime time.Time, expires int) string {
	t.Helper()
	req, err := http.NewRequest(method, s.endpoint+path+"?X-Amz-Expires="+itoa(expires), nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", signTime, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	return u
}
