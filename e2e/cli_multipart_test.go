package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestCLIMultipart: the multipart operations one by one through s3api,
// including the Complete checks (order, ETag, empty list, EntityTooSmall)
// that must leave no object behind.
func TestCLIMultipart(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	dir := t.TempDir()
	b := uniqueBucket("cli-mpu")
	s.aws(t, "s3api", "create-bucket", "--bucket", b)

	srcData := randomBytes(61, 4096)
	s.aws(t, "s3api", "put-object", "--bucket", b, "--key", "copy source", "--body", writeFile(t, filepath.Join(dir, "src"), srcData))
	p1 := randomBytes(62, 5<<20)
	p2 := randomBytes(63, 5<<20)
	p3 := srcData[:1024] // via upload-part-copy
	key := "mp/big object.bin"

	created := s.awsJSON(t, "s3api", "create-multipart-upload", "--bucket", b, "--key", key,
		"--content-type", "application/x-mp", "--metadata", "stage=test")
	uploadID := str(created, "UploadId")
	if uploadID == "" || str(created, "Key") != key || str(created, "Bucket") != b {
		t.Fatalf("create-multipart-upload: %v", created)
	}
	etags := make([]string, 3)

	t.Run("list-multipart-uploads", func(t *testing.T) {
		out := s.awsJSON(t, "s3api", "list-multipart-uploads", "--bucket", b)
		found := false
		for _, u := range asList(out["Uploads"]) {
			if str(u, "UploadId") == uploadID && str(u, "Key") == key {
				found = true
			}
		}
		if !found {
			t.Errorf("upload %s not listed: %v", uploadID, out)
		}
	})
	t.Run("upload-part", func(t *testing.T) {
		for i, p := range [][]byte{p1, p2} {
			out := s.awsJSON(t, "s3api", "upload-part", "--bucket", b, "--key", key, "--upload-id", uploadID,
				"--part-number", itoa(i+1), "--body", writeFile(t, filepath.Join(dir, "part"+itoa(i+1)), p))
			etags[i] = str(out, "ETag")
			if etags[i] != md5ETag(p) {
				t.Errorf("part %d ETag = %q, want %s", i+1, etags[i], md5ETag(p))
			}
		}
	})
	t.Run("upload-part-copy", func(t *testing.T) {
		out := s.awsJSON(t, "s3api", "upload-part-copy", "--bucket", b, "--key", key, "--upload-id", uploadID,
			"--part-number", "3", "--copy-source", b+"/copy source", "--copy-source-range", "bytes=0-1023")
		res, _ := out["CopyPartResult"].(map[string]any)
		etags[2] = str(res, "ETag")
		if etags[2] != md5ETag(p3) {
			t.Errorf("upload-part-copy ETag = %q, want %s (%v)", etags[2], md5ETag(p3), out)
		}
	})
	t.Run("list-parts", func(t *testing.T) {
		out := s.awsJSON(t, "s3api", "list-parts", "--bucket", b, "--key", key, "--upload-id", uploadID, "--page-size", "1")
		parts := asList(out["Parts"])
		if len(parts) != 3 {
			t.Fatalf("list-parts: %v", out)
		}
		for i, p := range parts {
			want := []int{len(p1), len(p2), len(p3)}[i]
			if num(p, "PartNumber") != int64(i+1) || num(p, "Size") != int64(want) || str(p, "ETag") != etags[i] {
				t.Errorf("part %d: %v", i+1, p)
			}
		}
	})

	complete := func(parts ...map[string]any) []string {
		if parts == nil {
			parts = []map[string]any{} // `{"Parts":[]}`: an empty list, which S3 calls MalformedXML
		}
		doc, _ := json.Marshal(map[string]any{"Parts": parts})
		return []string{"s3api", "complete-multipart-upload", "--bucket", b, "--key", key, "--upload-id", uploadID, "--multipart-upload", string(doc)}
	}
	part := func(n int, etag string) map[string]any { return map[string]any{"PartNumber": n, "ETag": etag} }

	t.Run("complete rejects bad part lists", func(t *testing.T) {
		s.awsFail(t, "InvalidPartOrder", complete(part(2, etags[1]), part(1, etags[0]), part(3, etags[2]))...)
		s.awsFail(t, "InvalidPart", complete(part(1, md5ETag([]byte("not part one"))), part(2, etags[1]), part(3, etags[2]))...)
		s.awsFail(t, "InvalidPart", complete(part(1, etags[0]), part(2, etags[1]), part(4, etags[2]))...)
		s.awsFail(t, "MalformedXML", complete()...)
		s.awsFail(t, "404", "s3api", "head-object", "--bucket", b, "--key", key)
		// the upload survives failed completes
		out := s.awsJSON(t, "s3api", "list-parts", "--bucket", b, "--key", key, "--upload-id", uploadID)
		if len(asList(out["Parts"])) != 3 {
			t.Errorf("parts lost after failed completes: %v", out)
		}
	})
	t.Run("complete", func(t *testing.T) {
		out := s.awsJSON(t, complete(part(1, etags[0]), part(2, etags[1]), part(3, etags[2]))...)
		whole := bytes.Join([][]byte{p1, p2, p3}, nil)
		wantETag := multipartETagOf(p1, p2, p3)
		if str(out, "ETag") != wantETag || str(out, "Key") != key || str(out, "Bucket") != b {
			t.Errorf("complete: %v, want ETag %s", out, wantETag)
		}
		head := s.awsJSON(t, "s3api", "head-object", "--bucket", b, "--key", key)
		if num(head, "ContentLength") != int64(len(whole)) || str(head, "ETag") != wantETag ||
			str(head, "ContentType") != "application/x-mp" || !reflect.DeepEqual(head["Metadata"], map[string]any{"stage": "test"}) {
			t.Errorf("head after complete: %v", head)
		}
		dst := filepath.Join(dir, "whole")
		s.aws(t, "s3api", "get-object", "--bucket", b, "--key", key, dst)
		if !bytes.Equal(readFile(t, dst), whole) {
			t.Errorf("completed object bytes differ")
		}
		ph := s.awsJSON(t, "s3api", "head-object", "--bucket", b, "--key", key, "--part-number", "2")
		if num(ph, "ContentLength") != int64(len(p2)) || num(ph, "PartsCount") != 3 {
			t.Errorf("head-object --part-number 2: %v", ph)
		}
		pg := s.awsJSON(t, "s3api", "get-object", "--bucket", b, "--key", key, "--part-number", "3", dst)
		if !bytes.Equal(readFile(t, dst), p3) || num(pg, "PartsCount") != 3 {
			t.Errorf("get-object --part-number 3: %v", pg)
		}
		ups := s.awsJSON(t, "s3api", "list-multipart-uploads", "--bucket", b)
		for _, u := range asList(ups["Uploads"]) {
			if str(u, "UploadId") == uploadID {
				t.Errorf("completed upload still listed")
			}
		}
		s.awsFail(t, "NoSuchUpload", "s3api", "list-parts", "--bucket", b, "--key", key, "--upload-id", uploadID)
	})
	t.Run("EntityTooSmall then abort", func(t *testing.T) {
		small := "mp/small parts"
		up := str(s.awsJSON(t, "s3api", "create-multipart-upload", "--bucket", b, "--key", small), "UploadId")
		var parts []map[string]any
		for i := 1; i <= 2; i++ {
			out := s.awsJSON(t, "s3api", "upload-part", "--bucket", b, "--key", small, "--upload-id", up,
				"--part-number", itoa(i), "--body", writeFile(t, filepath.Join(dir, "tiny"), randomBytes(uint64(70+i), 1024)))
			parts = append(parts, part(i, str(out, "ETag")))
		}
		doc, _ := json.Marshal(map[string]any{"Parts": parts})
		s.awsFail(t, "EntityTooSmall", "s3api", "complete-multipart-upload", "--bucket", b, "--key", small, "--upload-id", up, "--multipart-upload", string(doc))
		s.awsFail(t, "404", "s3api", "head-object", "--bucket", b, "--key", small)
		s.aws(t, "s3api", "abort-multipart-upload", "--bucket", b, "--key", small, "--upload-id", up)
		s.awsFail(t, "NoSuchUpload", "s3api", "list-parts", "--bucket", b, "--key", small, "--upload-id", up)
		ups := s.awsJSON(t, "s3api", "list-multipart-uploads", "--bucket", b)
		for _, u := range asList(ups["Uploads"]) {
			if str(u, "UploadId") == up {
				t.Errorf("aborted upload still listed")
			}
		}
	})
}

// TestCLILargeFile: an 80 MiB `aws s3 cp` up (multipart, 8 MiB parts sent
// concurrently) and back (ranged GETs with If-Match), compared by sha256.
func TestCLILargeFile(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	dir := t.TempDir()
	b := uniqueBucket("cli-large")
	s.aws(t, "s3", "mb", "s3://"+b)
	const size = 80 << 20
	data := randomBytes(81, size)
	src := writeFile(t, filepath.Join(dir, "big.bin"), data)
	wantSum := sha256.Sum256(data)
	// the CLI cuts 8 MiB parts (multipart_chunksize default)
	wantETag := multipartETag(data, 8<<20)
	// the CLI creates the upload with x-amz-checksum-algorithm CRC32 (spec
	// A2): the object's checksum is COMPOSITE, CRC32 of the part CRC32s, -N
	var partSums []byte
	for _, p := range splitParts(data, 8<<20) {
		partSums = append(partSums, checksumRaw("CRC32", p)...)
	}
	wantCRC := checksumB64("CRC32", partSums) + "-10"
	data = nil

	s.aws(t, "s3", "cp", src, "s3://"+b+"/large/big.bin")
	head := s.awsJSON(t, "s3api", "head-object", "--bucket", b, "--key", "large/big.bin", "--checksum-mode", "ENABLED")
	if num(head, "ContentLength") != size || str(head, "ETag") != wantETag || str(head, "ChecksumCRC32") != wantCRC {
		t.Errorf("after 80 MiB upload: head %v, want ETag %s ChecksumCRC32 %s", head, wantETag, wantCRC)
	}
	// s3 → s3 copy of a large object: multipart with UploadPartCopy ranges
	s.aws(t, "s3", "cp", "s3://"+b+"/large/big.bin", "s3://"+b+"/large/copy.bin")
	copied := s.awsJSON(t, "s3api", "head-object", "--bucket", b, "--key", "large/copy.bin")
	if num(copied, "ContentLength") != size || str(copied, "ETag") != wantETag {
		t.Errorf("after an 80 MiB s3-to-s3 copy (8 MiB UploadPartCopy ranges): head %v, want ETag %s", copied, wantETag)
	}
	down := filepath.Join(dir, "big.down")
	s.aws(t, "s3", "cp", "s3://"+b+"/large/big.bin", down)
	f, err := os.Open(down)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	n, _ := io.Copy(h, f)
	if n != size || !bytes.Equal(h.Sum(nil), wantSum[:]) {
		t.Errorf("80 MiB round trip: got %d bytes, sha256 mismatch=%v", n, !bytes.Equal(h.Sum(nil), wantSum[:]))
	}
}
