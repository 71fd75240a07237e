package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestGoSDK: aws-sdk-go-v2 with default settings (virtual-host addressing
// through the *.localhost dialer, checksums when_supported) for every round
// trip the issue names, with byte-exact bodies.
func TestGoSDK(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := s.goClient(t)
	b := uniqueBucket("go-sdk")
	createBucketGo(t, c, b)
	data := randomBytes(101, 1<<20+17)

	t.Run("put get head", func(t *testing.T) {
		put, err := c.PutObject(ctxT(t), &s3.PutObjectInput{
			Bucket: aws.String(b), Key: aws.String("objects/one"), Body: bytes.NewReader(data),
			ContentType: aws.String("application/x-one"), Metadata: map[string]string{"purpose": "e2e", "n": "1"},
			ContentDisposition: aws.String("inline"), CacheControl: aws.String("no-cache"),
		})
		if err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		if aws.ToString(put.ETag) != md5ETag(data) {
			t.Errorf("PutObject ETag = %s, want %s", aws.ToString(put.ETag), md5ETag(data))
		}
		if aws.ToString(put.ChecksumCRC32) != checksumB64("CRC32", data) {
			t.Errorf("PutObject ChecksumCRC32 = %q, want %q (the SDK sends CRC32 by default)", aws.ToString(put.ChecksumCRC32), checksumB64("CRC32", data))
		}
		if got := getGo(t, c, b, "objects/one"); !bytes.Equal(got, data) {
			t.Errorf("GetObject body differs (%d vs %d bytes)", len(got), len(data))
		}
		head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("objects/one")})
		if err != nil {
			t.Fatalf("HeadObject: %v", err)
		}
		if aws.ToInt64(head.ContentLength) != int64(len(data)) || aws.ToString(head.ETag) != md5ETag(data) ||
			aws.ToString(head.ContentType) != "application/x-one" || aws.ToString(head.ContentDisposition) != "inline" ||
			aws.ToString(head.CacheControl) != "no-cache" || head.LastModified == nil ||
			!reflect.DeepEqual(head.Metadata, map[string]string{"purpose": "e2e", "n": "1"}) {
			t.Errorf("HeadObject: len=%d etag=%s type=%s disp=%s cache=%s meta=%v",
				aws.ToInt64(head.ContentLength), aws.ToString(head.ETag), aws.ToString(head.ContentType),
				aws.ToString(head.ContentDisposition), aws.ToString(head.CacheControl), head.Metadata)
		}
	})
	t.Run("empty object", func(t *testing.T) {
		if etag := putGo(t, c, b, "objects/empty", nil); etag != `"d41d8cd98f00b204e9800998ecf8427e"` {
			t.Errorf("empty object ETag = %s", etag)
		}
		if got := getGo(t, c, b, "objects/empty"); len(got) != 0 {
			t.Errorf("empty object body has %d bytes", len(got))
		}
	})
	t.Run("checksums", func(t *testing.T) {
		for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c,
			types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256} {
			name := string(alg)
			key := "checksums/" + name
			want := checksumB64(name, data)
			put, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key),
				Body: bytes.NewReader(data), ChecksumAlgorithm: alg})
			if err != nil {
				t.Errorf("PutObject %s: %v", name, err)
				continue
			}
			if got := checksumOf(name, put.ChecksumCRC32, put.ChecksumCRC32C, put.ChecksumCRC64NVME, put.ChecksumSHA1, put.ChecksumSHA256); got != want {
				t.Errorf("PutObject %s checksum = %q, want %q", name, got, want)
			}
			get, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Errorf("GetObject %s: %v", name, err)
				continue
			}
			body, err := io.ReadAll(get.Body) // the SDK validates the checksum at EOF
			get.Body.Close()
			if err != nil || !bytes.Equal(body, data) {
				t.Errorf("GetObject %s body: err=%v equal=%v", name, err, bytes.Equal(body, data))
			}
			if got := checksumOf(name, get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256); got != want {
				t.Errorf("GetObject %s checksum = %q, want %q", name, got, want)
			}
			head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Errorf("HeadObject %s: %v", name, err)
				continue
			}
			if got := checksumOf(name, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256); got != want {
				t.Errorf("HeadObject %s checksum = %q, want %q", name, got, want)
			}
		}
	})
	t.Run("range with default checksum mode", func(t *testing.T) {
		// The SDK asks for checksums on every GET; a ranged reply must not
		// carry the full-object value or the SDK fails the read (spec A3).
		get, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("objects/one"), Range: aws.String("bytes=100-199")})
		if err != nil {
			t.Fatalf("ranged GetObject: %v", err)
		}
		body, err := io.ReadAll(get.Body)
		get.Body.Close()
		if err != nil || !bytes.Equal(body, data[100:200]) {
			t.Errorf("ranged body: err=%v equal=%v", err, bytes.Equal(body, data[100:200]))
		}
		if want := "bytes 100-199/" + itoa(len(data)); aws.ToString(get.ContentRange) != want {
			t.Errorf("ContentRange = %q, want %q", aws.ToString(get.ContentRange), want)
		}
	})
	t.Run("list", func(t *testing.T) {
		keys := []string{"list/a", "list/b b", "list/c+d=e", "list/dir/x", "list/dir/y", "list/Z", "list/été", "list/日本/x", "list/100%"}
		for _, k := range keys {
			putGo(t, c, b, k, []byte(k))
		}
		want := append([]string(nil), keys...)
		sort.Strings(want)
		var got []string
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("list/"), MaxKeys: aws.Int32(2)})
		pages := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctxT(t))
			if err != nil {
				t.Fatalf("ListObjectsV2: %v", err)
			}
			pages++
			for _, o := range page.Contents {
				got = append(got, aws.ToString(o.Key))
			}
		}
		if !reflect.DeepEqual(got, want) || pages != (len(want)+1)/2 {
			t.Errorf("ListObjectsV2 (MaxKeys 2, %d pages):\n got %q\nwant %q", pages, got, want)
		}
		d, err := c.ListObjectsV2(ctxT(t), &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("list/"), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatalf("ListObjectsV2 delimiter: %v", err)
		}
		var prefixes []string
		for _, cp := range d.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(cp.Prefix))
		}
		if !reflect.DeepEqual(prefixes, []string{"list/dir/", "list/日本/"}) || len(d.Contents) != 6 || aws.ToInt32(d.KeyCount) != 8 {
			t.Errorf("delimiter listing: prefixes %q, %d contents, KeyCount %d", prefixes, len(d.Contents), aws.ToInt32(d.KeyCount))
		}
		v1, err := c.ListObjects(ctxT(t), &s3.ListObjectsInput{Bucket: aws.String(b), Prefix: aws.String("list/"), Marker: aws.String("list/c+d=e")})
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		var v1keys []string
		for _, o := range v1.Contents {
			v1keys = append(v1keys, aws.ToString(o.Key))
		}
		var after []string
		for _, k := range want {
			if k > "list/c+d=e" {
				after = append(after, k)
			}
		}
		if !reflect.DeepEqual(v1keys, after) {
			t.Errorf("ListObjects marker:\n got %q\nwant %q", v1keys, after)
		}
	})
	t.Run("keys that must not be normalised or re-encoded", func(t *testing.T) {
		// S3 signs the path encoded once and never cleans it (spec B6, C7):
		// no collapsing of "//", "." or "..", and sub-delimiters stay keys.
		keys := []string{"odd/sym $&,;:@!'()*=+[]{}|^`\"", "odd/a//b", "odd/./dot", "odd/x/../up", "odd/trailing/", "odd/%41%2F", "odd/tab\tnl", "odd/ spaces "}
		for i, k := range keys {
			body := []byte(fmt.Sprintf("body %d of %q", i, k))
			if _, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
				t.Errorf("PutObject %q: %v", k, err)
				continue
			}
			if got := getGo(t, c, b, k); !bytes.Equal(got, body) {
				t.Errorf("GetObject %q returned %q", k, got)
			}
		}
		want := append([]string(nil), keys...)
		sort.Strings(want)
		if got := listKeysGo(t, c, b, "odd/"); !reflect.DeepEqual(got, want) {
			t.Errorf("listed keys:\n got %q\nwant %q", got, want)
		}
	})
	t.Run("copy", func(t *testing.T) {
		src := "copy/src été+1.bin"
		putGo(t, c, b, src, data[:5000])
		out, err := c.CopyObject(ctxT(t), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/dst"),
			CopySource: aws.String(b + "/" + urlPathEscapeKey(src))})
		if err != nil {
			t.Fatalf("CopyObject: %v", err)
		}
		if aws.ToString(out.CopyObjectResult.ETag) != md5ETag(data[:5000]) {
			t.Errorf("CopyObject ETag = %s", aws.ToString(out.CopyObjectResult.ETag))
		}
		if got := getGo(t, c, b, "copy/dst"); !bytes.Equal(got, data[:5000]) {
			t.Errorf("copied body differs")
		}
		_, err = c.CopyObject(ctxT(t), &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy/dst"),
			CopySource: aws.String(b + "/" + urlPathEscapeKey(src)), MetadataDirective: types.MetadataDirectiveReplace,
			Metadata: map[string]string{"replaced": "true"}, ContentType: aws.String("text/x-replaced")})
		if err != nil {
			t.Fatalf("CopyObject REPLACE: %v", err)
		}
		head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("copy/dst")})
		if err != nil || aws.ToString(head.ContentType) != "text/x-replaced" || !reflect.DeepEqual(head.Metadata, map[string]string{"replaced": "true"}) {
			t.Errorf("after REPLACE copy: err=%v %+v", err, head)
		}
	})
	t.Run("multipart with manager", func(t *testing.T) {
		big := randomBytes(102, 12<<20+17)
		up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20; u.Concurrency = 3 })
		out, err := up.Upload(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("mpu/managed"), Body: bytes.NewReader(big)})
		if err != nil {
			t.Fatalf("Uploader: %v", err)
		}
		if want := multipartETag(big, 5<<20); aws.ToString(out.ETag) != want {
			t.Errorf("Uploader ETag = %s, want %s", aws.ToString(out.ETag), want)
		}
		buf := manager.NewWriteAtBuffer(make([]byte, 0, len(big)))
		down := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize = 5 << 20; d.Concurrency = 3 })
		n, err := down.Download(ctxT(t), buf, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("mpu/managed")})
		if err != nil {
			t.Fatalf("Downloader: %v", err)
		}
		if n != int64(len(big)) || !bytes.Equal(buf.Bytes(), big) {
			t.Errorf("Downloader: %d bytes, equal=%v", n, bytes.Equal(buf.Bytes(), big))
		}
		part, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("mpu/managed"), PartNumber: aws.Int32(3)})
		if err != nil {
			t.Fatalf("GetObject partNumber=3: %v", err)
		}
		body, err := io.ReadAll(part.Body)
		part.Body.Close()
		if err != nil || !bytes.Equal(body, big[10<<20:]) || aws.ToInt32(part.PartsCount) != 3 {
			t.Errorf("GetObject partNumber=3: err=%v equal=%v PartsCount=%d", err, bytes.Equal(body, big[10<<20:]), aws.ToInt32(part.PartsCount))
		}
	})
	t.Run("multipart with CRC32C parts", func(t *testing.T) {
		key := "mpu/crc32c"
		parts := [][]byte{randomBytes(103, 5<<20), randomBytes(104, 1000)}
		create, err := c.CreateMultipartUpload(ctxT(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
		if err != nil {
			t.Fatalf("CreateMultipartUpload: %v", err)
		}
		var completed []types.CompletedPart
		var rawSums []byte
		for i, p := range parts {
			out, err := c.UploadPart(ctxT(t), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: create.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
			if err != nil {
				t.Fatalf("UploadPart %d: %v", i+1, err)
			}
			if aws.ToString(out.ChecksumCRC32C) != checksumB64("CRC32C", p) {
				t.Errorf("UploadPart %d ChecksumCRC32C = %q, want %q", i+1, aws.ToString(out.ChecksumCRC32C), checksumB64("CRC32C", p))
			}
			rawSums = append(rawSums, checksumRaw("CRC32C", p)...)
			completed = append(completed, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32C: out.ChecksumCRC32C})
		}
		listed, err := c.ListParts(ctxT(t), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: create.UploadId})
		if err != nil || len(listed.Parts) != 2 || aws.ToString(listed.Parts[1].ChecksumCRC32C) != checksumB64("CRC32C", parts[1]) {
			t.Errorf("ListParts: err=%v %+v", err, listed)
		}
		done, err := c.CompleteMultipartUpload(ctxT(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key),
			UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}})
		if err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		wantComposite := checksumB64("CRC32C", rawSums) + "-2"
		if aws.ToString(done.ChecksumCRC32C) != wantComposite || aws.ToString(done.ETag) != multipartETagOf(parts...) {
			t.Errorf("Complete: ChecksumCRC32C %q (want %q), ETag %s (want %s)", aws.ToString(done.ChecksumCRC32C), wantComposite,
				aws.ToString(done.ETag), multipartETagOf(parts...))
		}
		head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil || aws.ToString(head.ChecksumCRC32C) != wantComposite {
			t.Errorf("HeadObject checksum mode: err=%v ChecksumCRC32C=%q want %q", err, aws.ToString(head.ChecksumCRC32C), wantComposite)
		}
		if got := getGo(t, c, b, key); !bytes.Equal(got, bytes.Join(parts, nil)) {
			t.Errorf("completed body differs")
		}
	})
	t.Run("presign", func(t *testing.T) {
		putGo(t, c, b, "presign/get me", data[:777])
		pc := s3.NewPresignClient(c)
		req, err := pc.PresignGetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("presign/get me")})
		if err != nil {
			t.Fatalf("PresignGetObject: %v", err)
		}
		if !strings.Contains(req.URL, b+".localhost") || !strings.Contains(req.URL, "X-Amz-Signature=") {
			t.Errorf("expected a virtual-host SigV4 URL, got %s", req.URL)
		}
		status, _, body := httpDo(t, http.MethodGet, req.URL, nil)
		if status != 200 || !bytes.Equal(body, data[:777]) {
			t.Errorf("presigned GET: %d, equal=%v %s", status, bytes.Equal(body, data[:777]), truncate(string(body), 300))
		}
		put, err := pc.PresignPutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("presign/put me")}, s3.WithPresignExpires(5*time.Minute))
		if err != nil {
			t.Fatalf("PresignPutObject: %v", err)
		}
		status, _, body = httpDo(t, http.MethodPut, put.URL, bytes.NewReader(data[:999]))
		if status != 200 {
			t.Fatalf("presigned PUT: %d %s", status, truncate(string(body), 300))
		}
		if got := getGo(t, c, b, "presign/put me"); !bytes.Equal(got, data[:999]) {
			t.Errorf("presigned PUT stored different bytes")
		}
	})
	t.Run("tagging", func(t *testing.T) {
		_, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("tags/k"), Body: strings.NewReader("t"), Tagging: aws.String("a=1&b=2")})
		if err != nil {
			t.Fatalf("PutObject with Tagging: %v", err)
		}
		if got := goTags(t, c, b, "tags/k"); !reflect.DeepEqual(got, map[string]string{"a": "1", "b": "2"}) {
			t.Errorf("tags = %v", got)
		}
		_, err = c.PutObjectTagging(ctxT(t), &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("tags/k"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("x"), Value: aws.String("y z")}}}})
		if err != nil {
			t.Fatalf("PutObjectTagging: %v", err)
		}
		if got := goTags(t, c, b, "tags/k"); !reflect.DeepEqual(got, map[string]string{"x": "y z"}) {
			t.Errorf("tags after PutObjectTagging = %v", got)
		}
		if _, err := c.DeleteObjectTagging(ctxT(t), &s3.DeleteObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("tags/k")}); err != nil {
			t.Fatalf("DeleteObjectTagging: %v", err)
		}
		if got := goTags(t, c, b, "tags/k"); len(got) != 0 {
			t.Errorf("tags after delete = %v", got)
		}
		_, err = c.PutBucketTagging(ctxT(t), &s3.PutBucketTaggingInput{Bucket: aws.String(b),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("owner"), Value: aws.String("e2e")}}}})
		if err != nil {
			t.Fatalf("PutBucketTagging: %v", err)
		}
		bt, err := c.GetBucketTagging(ctxT(t), &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
		if err != nil || len(bt.TagSet) != 1 || aws.ToString(bt.TagSet[0].Value) != "e2e" {
			t.Errorf("GetBucketTagging: err=%v %+v", err, bt)
		}
		if _, err := c.DeleteBucketTagging(ctxT(t), &s3.DeleteBucketTaggingInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("DeleteBucketTagging: %v", err)
		}
		_, err = c.GetBucketTagging(ctxT(t), &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
		wantAPIError(t, err, "NoSuchTagSet", 404)
	})
	t.Run("conditional", func(t *testing.T) {
		_, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("objects/one"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
		wantAPIError(t, err, "PreconditionFailed", 412)
		_, err = c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("objects/one"), IfMatch: aws.String(`"ffffffffffffffffffffffffffffffff"`)})
		wantAPIError(t, err, "PreconditionFailed", 412)
		if got := getGo(t, c, b, "objects/one"); !bytes.Equal(got, data) {
			t.Errorf("object changed by a refused conditional put")
		}
	})
	t.Run("delete", func(t *testing.T) {
		keys := listKeysGo(t, c, b, "")
		var ids []types.ObjectIdentifier
		for _, k := range keys {
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
		}
		out, err := c.DeleteObjects(ctxT(t), &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: ids}})
		if err != nil {
			t.Fatalf("DeleteObjects: %v", err)
		}
		if len(out.Deleted) != len(keys) || len(out.Errors) != 0 {
			t.Errorf("DeleteObjects: %d deleted of %d, errors %+v", len(out.Deleted), len(keys), out.Errors)
		}
		if left := listKeysGo(t, c, b, ""); len(left) != 0 {
			t.Errorf("left after DeleteObjects: %q", left)
		}
		if _, err := c.DeleteBucket(ctxT(t), &s3.DeleteBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("DeleteBucket: %v", err)
		}
		_, err = c.HeadBucket(ctxT(t), &s3.HeadBucketInput{Bucket: aws.String(b)})
		wantAPIError(t, err, "NotFound", 404)
	})
}

func checksumOf(alg string, crc32, crc32c, crc64, sha1, sha256 *string) string {
	switch alg {
	case "CRC32":
		return aws.ToString(crc32)
	case "CRC32C":
		return aws.ToString(crc32c)
	case "CRC64NVME":
		return aws.ToString(crc64)
	case "SHA1":
		return aws.ToString(sha1)
	case "SHA256":
		return aws.ToString(sha256)
	}
	return ""
}

func goTags(t *testing.T, c *s3.Client, bucket, key string) map[string]string {
	t.Helper()
	out, err := c.GetObjectTagging(ctxT(t), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObjectTagging: %v", err)
	}
	m := map[string]string{}
	for _, tag := range out.TagSet {
		m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return m
}
