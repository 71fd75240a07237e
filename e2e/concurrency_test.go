package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestConcurrentOverwrites: while writers replace one key with different
// bodies, every read returns one whole body with the ETag of that body,
// never a mix; the final object is one of the bodies.
func TestConcurrentOverwrites(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := s.goClient(t)
	b := uniqueBucket("go-race")
	createBucketGo(t, c, b)
	const key = "contended"
	bodies := map[string][]byte{} // etag → body
	var versions [][]byte
	for i := range 6 {
		body := randomBytes(uint64(700+i), 512<<10+i)
		bodies[md5ETag(body)] = body
		versions = append(versions, body)
	}
	putGo(t, c, b, key, versions[0])

	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				body := versions[(w+i)%len(versions)]
				if _, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
					errs <- fmt.Sprintf("PutObject: %v", err)
				}
			}
		}()
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 8 {
				out, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
				if err != nil {
					errs <- fmt.Sprintf("GetObject: %v", err)
					continue
				}
				got, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil {
					errs <- fmt.Sprintf("reading: %v", err)
					continue
				}
				sum := md5.Sum(got)
				etag := `"` + hex.EncodeToString(sum[:]) + `"`
				if _, ok := bodies[etag]; !ok {
					errs <- fmt.Sprintf("read %d bytes that are none of the written bodies", len(got))
				} else if aws.ToString(out.ETag) != etag {
					errs <- fmt.Sprintf("body of %s served with ETag %s", etag, aws.ToString(out.ETag))
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	final := getGo(t, c, b, key)
	if _, ok := bodies[md5ETag(final)]; !ok {
		t.Errorf("final object is none of the written bodies (%d bytes)", len(final))
	}
}

// TestListingPageCap: ListObjectsV2 returns at most 1000 keys per page, also
// when asked for more, and pages through 1,005 keys without loss.
func TestListingPageCap(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := s.goClient(t)
	b := uniqueBucket("go-cap")
	createBucketGo(t, c, b)
	const n = 1005
	keys := make(chan string, n)
	for i := range n {
		keys <- fmt.Sprintf("k/%04d", i)
	}
	close(keys)
	var wg sync.WaitGroup
	var failed sync.Once
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				if _, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
					failed.Do(func() { t.Errorf("PutObject %s: %v", k, err) })
				}
			}
		}()
	}
	wg.Wait()
	for _, maxKeys := range []*int32{nil, aws.Int32(5000)} {
		page, err := c.ListObjectsV2(ctxT(t), &s3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: maxKeys})
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		if len(page.Contents) != 1000 || !aws.ToBool(page.IsTruncated) || aws.ToInt32(page.KeyCount) != 1000 || aws.ToString(page.NextContinuationToken) == "" {
			t.Errorf("MaxKeys %v: %d keys, KeyCount %d, truncated %v; want 1000 and truncated",
				aws.ToInt32(maxKeys), len(page.Contents), aws.ToInt32(page.KeyCount), aws.ToBool(page.IsTruncated))
		}
	}
	all := listKeysGo(t, c, b, "")
	if len(all) != n {
		t.Errorf("paged listing returned %d keys, want %d", len(all), n)
	}
	for i, k := range all {
		if want := fmt.Sprintf("k/%04d", i); k != want {
			t.Errorf("key %d = %s, want %s", i, k, want)
			break
		}
	}
	v1, err := c.ListObjects(ctxT(t), &s3.ListObjectsInput{Bucket: aws.String(b), MaxKeys: aws.Int32(5000)})
	if err != nil {
		t.Fatalf("ListObjects: %v", err)
	}
	if len(v1.Contents) != 1000 || !aws.ToBool(v1.IsTruncated) {
		t.Errorf("ListObjects MaxKeys 5000: %d keys, truncated %v; want 1000 and truncated", len(v1.Contents), aws.ToBool(v1.IsTruncated))
	}
}
