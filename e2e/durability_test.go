package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// crashObject is what the test knows about one upload: its content is a
// function of its key, so any object visible after the crash can be checked
// whether or not it was acknowledged.
type crashObject struct {
	size      int
	multipart bool
	etag      string // what the server acknowledged (empty until then)
}

const crashPartSize = 5 << 20

func crashContent(key string, size int) []byte {
	var seed uint64
	for _, c := range []byte(key) {
		seed = seed*131 + uint64(c)
	}
	return randomBytes(seed, size)
}

// TestCrashDurability: 16 concurrent Go SDK uploaders (4 KiB–6 MiB, objects
// over 5 MiB as multipart), SIGKILL mid-run, restart on the same data
// directory: every acknowledged object is present with its ETag, size, bytes
// and checksum; anything else visible is complete and intact.
func TestCrashDurability(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	logDir := t.TempDir()
	srv, err := launch(harness.binary, filepath.Join(logDir, "before-crash.log"), "--data-dir", dataDir)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		srv.kill()
		if t.Failed() {
			t.Logf("server output before the crash (tail):\n%s", srv.outputTail(40))
		}
	})
	c := srv.goClient(t, withNoRetries())
	b := uniqueBucket("crash")
	createBucketGo(t, c, b)

	var (
		mu        sync.Mutex
		attempted = map[string]*crashObject{}
		acked     atomic.Int64
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	uploader := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = crashPartSize; u.Concurrency = 2 })
	var workers sync.WaitGroup
	for w := range 16 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for i := 0; ctx.Err() == nil; i++ {
				size := 4<<10 + rng.IntN(6<<20-4<<10+1)
				if i%4 == 3 {
					size = crashPartSize + 1 + rng.IntN(1<<20) // every fourth upload is multipart
				}
				key := fmt.Sprintf("w%02d/obj-%03d", w, i)
				obj := &crashObject{size: size, multipart: size > crashPartSize}
				mu.Lock()
				attempted[key] = obj
				mu.Unlock()
				body := crashContent(key, size)
				var etag string
				if obj.multipart {
					out, err := uploader.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(body)})
					if err != nil {
						return
					}
					etag = aws.ToString(out.ETag)
				} else {
					out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(body)})
					if err != nil {
						return
					}
					etag = aws.ToString(out.ETag)
				}
				mu.Lock()
				obj.etag = etag
				mu.Unlock()
				acked.Add(1)
			}
		}()
	}

	// Kill once enough uploads are acknowledged, at a moment chosen at random
	// so the kill lands in the middle of some writes.
	deadline := time.Now().Add(60 * time.Second)
	for acked.Load() < 40 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
	srv.kill() // SIGKILL
	cancel()
	workers.Wait()

	mu.Lock()
	var ackedKeys, inFlight int
	for _, o := range attempted {
		if o.etag != "" {
			ackedKeys++
		} else {
			inFlight++
		}
	}
	mu.Unlock()
	t.Logf("killed after %d acknowledged uploads (%d in flight)", ackedKeys, inFlight)
	if ackedKeys < 16 {
		t.Fatalf("only %d uploads acknowledged before the kill; server output:\n%s", ackedKeys, srv.outputTail(40))
	}

	again := startServer(t, "--data-dir", dataDir)
	c2 := again.goClient(t)
	listed := map[string]types.Object{}
	p := s3.NewListObjectsV2Paginator(c2, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctxT(t))
		if err != nil {
			t.Fatalf("ListObjectsV2 after restart: %v", err)
		}
		for _, o := range page.Contents {
			listed[aws.ToString(o.Key)] = o
		}
	}

	verify := func(key string, o *crashObject) {
		want := crashContent(key, o.size)
		wantETag := md5ETag(want)
		if o.multipart {
			wantETag = multipartETag(want, crashPartSize)
		}
		if o.etag != "" && o.etag != wantETag {
			t.Errorf("%s: acknowledged ETag %s, expected %s", key, o.etag, wantETag)
		}
		get, err := c2.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Errorf("%s: GetObject after restart: %v", key, err)
			return
		}
		body, err := io.ReadAll(get.Body) // the SDK checks the stored CRC32 (single PUTs)
		get.Body.Close()
		if err != nil {
			t.Errorf("%s: reading body: %v", key, err)
			return
		}
		if !bytes.Equal(body, want) {
			t.Errorf("%s: body differs after restart (%d bytes, want %d; sha256 %s want %s)", key, len(body), len(want), sha256Hex(body), sha256Hex(want))
		}
		if aws.ToString(get.ETag) != wantETag {
			t.Errorf("%s: ETag after restart %s, want %s", key, aws.ToString(get.ETag), wantETag)
		}
		if !o.multipart && aws.ToString(get.ChecksumCRC32) != checksumB64("CRC32", want) {
			t.Errorf("%s: stored CRC32 %q, want %q", key, aws.ToString(get.ChecksumCRC32), checksumB64("CRC32", want))
		}
	}

	for key, o := range attempted {
		if o.etag == "" {
			continue
		}
		if _, ok := listed[key]; !ok {
			t.Errorf("acknowledged object %s (%d bytes) is missing after the crash", key, o.size)
			continue
		}
		verify(key, o)
	}
	visibleUnacked := 0
	for key, lo := range listed {
		o, ok := attempted[key]
		if !ok {
			t.Errorf("unknown object %s listed after restart", key)
			continue
		}
		if aws.ToInt64(lo.Size) != int64(o.size) {
			t.Errorf("%s: listed size %d, want %d (a half-written object is visible)", key, aws.ToInt64(lo.Size), o.size)
		}
		if o.etag == "" {
			visibleUnacked++
			verify(key, o) // unacknowledged but visible: must be whole
		}
	}
	t.Logf("after restart: %d objects listed, %d of them completed but not acknowledged before the kill", len(listed), visibleUnacked)
	// In-flight multipart uploads may survive as uploads, never as objects.
	for key, o := range attempted {
		if o.etag != "" {
			continue
		}
		if _, ok := listed[key]; ok {
			continue
		}
		_, err := c2.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
		wantAPIError(t, err, "NotFound", 404)
	}
}

// TestGracefulRestart: data, metadata and tags written before a SIGTERM are
// there after a restart on the same data directory, and an in-flight upload
// when SIGTERM arrives is finished, not cut off.
func TestGracefulRestart(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	first, err := launch(harness.binary, filepath.Join(t.TempDir(), "first.log"), "--data-dir", dataDir)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		first.kill()
		if t.Failed() {
			t.Logf("first server output (tail):\n%s", first.outputTail(40))
		}
	})
	if !first.waitOutput(dataDir, 5*time.Second) {
		t.Errorf("startup output does not name the data directory %s:\n%s", dataDir, first.outputTail(20))
	}
	c := first.goClient(t)
	b := uniqueBucket("restart")
	createBucketGo(t, c, b)
	small := randomBytes(401, 10_000)
	_, err = c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("small"), Body: bytes.NewReader(small),
		Metadata: map[string]string{"kept": "yes"}, ContentType: aws.String("text/x-kept"), Tagging: aws.String("t=1")})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	big := randomBytes(402, 11<<20)
	up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20 })
	if _, err := up.Upload(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("big"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatalf("Upload: %v", err)
	}
	_, err = c.PutBucketTagging(ctxT(t), &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}}}})
	if err != nil {
		t.Fatalf("PutBucketTagging: %v", err)
	}
	pending, err := c.CreateMultipartUpload(ctxT(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("pending")})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	pendingPart := randomBytes(403, 1000)
	if _, err := c.UploadPart(ctxT(t), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("pending"), UploadId: pending.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(pendingPart)}); err != nil {
		t.Fatalf("UploadPart: %v", err)
	}

	// An upload in flight when SIGTERM arrives: half the body is sent, then
	// the signal, then the rest. The server must finish it.
	inflight := randomBytes(404, 4<<20)
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPut, first.endpoint+"/"+b+"/inflight", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(inflight))
	signRaw(t, req, rawRequest{body: inflight})
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := localhostHTTPClient().Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		rb, _ := io.ReadAll(resp.Body)
		done <- result{status: resp.StatusCode, body: string(rb)}
	}()
	if _, err := pw.Write(inflight[:2<<20]); err != nil {
		t.Fatalf("writing the first half: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	_ = first.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(500 * time.Millisecond)
	select {
	case <-first.exited:
		t.Errorf("server exited with a request in flight")
	default:
	}
	if _, err := pw.Write(inflight[2<<20:]); err != nil {
		t.Errorf("writing the second half after SIGTERM: %v", err)
	}
	pw.Close()
	r := <-done
	if r.err != nil || r.status != 200 {
		t.Errorf("in-flight PUT during shutdown: status %d err %v %s", r.status, r.err, truncate(r.body, 300))
	}
	select {
	case <-first.exited:
		if first.exitErr != nil {
			t.Errorf("exit after SIGTERM: %v", first.exitErr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("server did not exit within 20s of SIGTERM")
	}
	// new connections are refused once it has stopped
	if _, err := http.Get(first.endpoint + "/_tributary/health"); err == nil {
		t.Errorf("the stopped server still accepts connections")
	}

	second := startServer(t, "--data-dir", dataDir)
	c2 := second.goClient(t)
	if got := getGo(t, c2, b, "small"); !bytes.Equal(got, small) {
		t.Errorf("small object differs after restart")
	}
	head, err := c2.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("small")})
	if err != nil || aws.ToString(head.ContentType) != "text/x-kept" || !reflect.DeepEqual(head.Metadata, map[string]string{"kept": "yes"}) {
		t.Errorf("metadata after restart: err=%v %+v", err, head)
	}
	if got := goTags(t, c2, b, "small"); !reflect.DeepEqual(got, map[string]string{"t": "1"}) {
		t.Errorf("object tags after restart: %v", got)
	}
	if got := getGo(t, c2, b, "big"); !bytes.Equal(got, big) {
		t.Errorf("multipart object differs after restart")
	}
	if r.status == 200 {
		if got := getGo(t, c2, b, "inflight"); !bytes.Equal(got, inflight) {
			t.Errorf("acknowledged in-flight object differs after restart")
		}
	}
	bt, err := c2.GetBucketTagging(ctxT(t), &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
	if err != nil || len(bt.TagSet) != 1 {
		t.Errorf("bucket tags after restart: err=%v %+v", err, bt)
	}
	parts, err := c2.ListParts(ctxT(t), &s3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("pending"), UploadId: pending.UploadId})
	if err != nil || len(parts.Parts) != 1 || aws.ToString(parts.Parts[0].ETag) != md5ETag(pendingPart) {
		t.Errorf("pending upload after restart: err=%v %+v", err, parts)
	}
}
