package bench

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// setupConcurrency is how many requests write the objects that GET and List workloads read.
const setupConcurrency = 16

// target is one S3 server under measurement.
type target struct {
	label       string
	endpoint    string
	description string
	srv         *server // nil for an --endpoint we did not start
	client      *s3.Client
	cfg         Config
	payload     payload

	bucket     string // PUT and GET objects
	listBucket string // exactly cfg.ListKeys objects
	listed     []string
	getReady   map[int]bool
}

func newTarget(cfg Config, label, endpoint, description string, srv *server, httpClient aws.HTTPClient, p payload) *target {
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "tributary-bench-" + hex.EncodeToString(suffix)
	return &target{
		label: label, endpoint: endpoint, description: description, srv: srv,
		client: newS3Client(cfg, endpoint, httpClient), cfg: cfg, payload: p,
		bucket: name, listBucket: name + "-list", getReady: map[int]bool{},
	}
}

func (t *target) dataError(key, format string, args ...any) error {
	return &DataError{Target: t.label, Key: key, Detail: fmt.Sprintf(format, args...)}
}

func (t *target) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, t.cfg.OpTimeout)
}

// setup creates the buckets and writes the objects the selected GET and List workloads read.
func (t *target) setup(ctx context.Context, workloads []Workload, progress func(string, ...any)) error {
	if err := t.createBucket(ctx, t.bucket); err != nil {
		return err
	}
	for _, w := range workloads {
		switch {
		case w.Op == OpGet && !t.getReady[w.Size]:
			progress("%s: writing %d objects of %s for the GET workloads", t.label, t.cfg.GetObjects, sizeName(w.Size))
			if err := t.putAll(ctx, t.bucket, t.cfg.GetObjects, w.Size, func(i int) string { return getKey(w.Size, i) }); err != nil {
				return err
			}
			t.getReady[w.Size] = true
		case w.Op == OpList && t.listed == nil:
			if err := t.createBucket(ctx, t.listBucket); err != nil {
				return err
			}
			progress("%s: writing %d objects for the ListObjectsV2 workload", t.label, t.cfg.ListKeys)
			start := time.Now()
			keys := make([]string, t.cfg.ListKeys)
			for i := range keys {
				keys[i] = listKey(i)
			}
			if err := t.putAll(ctx, t.listBucket, len(keys), 64, func(i int) string { return keys[i] }); err != nil {
				return err
			}
			progress("%s: wrote %d objects in %s", t.label, len(keys), time.Since(start).Round(time.Millisecond))
			t.listed = keys
		}
	}
	return nil
}

func getKey(size, i int) string {
	return fmt.Sprintf("get/%s/%05d", strings.ReplaceAll(sizeName(size), " ", ""), i)
}

// listKey is zero padded so that S3's byte order equals numeric order.
func listKey(i int) string { return fmt.Sprintf("list/%07d", i) }

func (t *target) createBucket(ctx context.Context, bucket string) error {
	octx, cancel := t.opContext(ctx)
	defer cancel()
	if _, err := t.client.CreateBucket(octx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return fmt.Errorf("%s: CreateBucket %s: %w", t.label, bucket, err)
	}
	return nil
}

// putAll writes n objects of size bytes, named by keyOf, with setupConcurrency writers.
func (t *target) putAll(ctx context.Context, bucket string, n, size int, keyOf func(int) string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for range min(setupConcurrency, n) {
		wg.Go(func() {
			buf := make([]byte, size)
			copy(buf, t.payload.base)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				key := keyOf(i)
				stamp(buf, key)
				if err := t.putChecked(ctx, bucket, key, buf); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// putChecked stores body under key and checks the returned ETag is its MD5, as S3 computes it.
func (t *target) putChecked(ctx context.Context, bucket, key string, body []byte) error {
	octx, cancel := t.opContext(ctx)
	defer cancel()
	out, err := t.client.PutObject(octx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		return fmt.Errorf("%s: PutObject %s: %w", t.label, key, err)
	}
	return t.checkETag(key, body, out.ETag)
}

func (t *target) checkETag(key string, body []byte, etag *string) error {
	sum := md5.Sum(body)
	want := `"` + hex.EncodeToString(sum[:]) + `"`
	if got := aws.ToString(etag); got != want {
		return t.dataError(key, "PutObject returned ETag %s, want the body's MD5 %s", got, want)
	}
	return nil
}

// getInto reads key into buf (len(buf) must be at least size+1, so an over-long body is noticed) and
// returns the body.
func (t *target) getInto(ctx context.Context, bucket, key string, size int, buf []byte) ([]byte, error) {
	octx, cancel := t.opContext(ctx)
	defer cancel()
	out, err := t.client.GetObject(octx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("%s: GetObject %s: %w", t.label, key, err)
	}
	defer out.Body.Close()
	n, err := io.ReadFull(out.Body, buf[:size+1])
	switch {
	case err == nil:
		return nil, t.dataError(key, "body is longer than the %d bytes stored", size)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		if n != size {
			return nil, t.dataError(key, "body is %d bytes, want %d", n, size)
		}
		return buf[:n], nil
	case isChecksumMismatch(err):
		return nil, t.dataError(key, "%v", err)
	default:
		return nil, fmt.Errorf("%s: GetObject %s: reading body: %w", t.label, key, err)
	}
}

// putOp writes a new key per request; each worker reuses one buffer and stamps the key into it, so
// bodies are unique without allocating.
func (t *target) putOp(w Workload, phase string) func(worker int) opFunc {
	return func(int) opFunc {
		buf := make([]byte, w.Size)
		copy(buf, t.payload.base)
		return func(ctx context.Context, seq int64) (time.Duration, int64, error) {
			key := putKey(w, phase, seq)
			stamp(buf, key)
			octx, cancel := t.opContext(ctx)
			defer cancel()
			start := time.Now()
			out, err := t.client.PutObject(octx, &s3.PutObjectInput{
				Bucket: aws.String(t.bucket), Key: aws.String(key),
				Body: bytes.NewReader(buf), ContentLength: aws.Int64(int64(w.Size)),
			})
			lat := time.Since(start)
			if err != nil {
				return 0, 0, fmt.Errorf("%s: PutObject %s: %w", t.label, key, err)
			}
			if seq%int64(t.cfg.VerifyEvery) == 0 {
				if err := t.checkETag(key, buf, out.ETag); err != nil {
					return 0, 0, err
				}
			}
			return lat, int64(w.Size), nil
		}
	}
}

func putPrefix(w Workload, phase string) string { return fmt.Sprintf("put/%s/%s/", w.Name, phase) }

func putKey(w Workload, phase string, seq int64) string {
	return fmt.Sprintf("%s%09d", putPrefix(w, phase), seq)
}

// getOp reads the objects written by setup round robin; every body's length is checked and every
// VerifyEvery-th body compared byte for byte.
func (t *target) getOp(w Workload) func(worker int) opFunc {
	return func(int) opFunc {
		buf := make([]byte, w.Size+1)
		return func(ctx context.Context, seq int64) (time.Duration, int64, error) {
			key := getKey(w.Size, int(seq%int64(t.cfg.GetObjects)))
			start := time.Now()
			body, err := t.getInto(ctx, t.bucket, key, w.Size, buf)
			lat := time.Since(start)
			if err != nil {
				return 0, 0, err
			}
			if seq%int64(t.cfg.VerifyEvery) == 0 {
				if err := t.payload.verify(key, w.Size, body); err != nil {
					return 0, 0, t.dataError(key, "%v", err)
				}
			}
			return lat, int64(w.Size), nil
		}
	}
}

// listPass lists the list bucket completely, MaxKeys per page, and checks it holds exactly the keys
// written, in byte order. It returns the latency of every page.
func (t *target) listPass(ctx context.Context) ([]time.Duration, error) {
	p := s3.NewListObjectsV2Paginator(t.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(t.listBucket), MaxKeys: aws.Int32(int32(t.cfg.ListPage)),
	})
	var lat []time.Duration
	i := 0
	for p.HasMorePages() {
		octx, cancel := t.opContext(ctx)
		start := time.Now()
		out, err := p.NextPage(octx)
		lat = append(lat, time.Since(start))
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%s: ListObjectsV2 page %d: %w", t.label, len(lat), err)
		}
		if len(out.Contents) > t.cfg.ListPage {
			return nil, t.dataError(t.listBucket, "ListObjectsV2 page %d has %d keys, more than MaxKeys %d", len(lat), len(out.Contents), t.cfg.ListPage)
		}
		for _, obj := range out.Contents {
			got := aws.ToString(obj.Key)
			if i >= len(t.listed) {
				return nil, t.dataError(t.listBucket, "listing has more than the %d keys written (extra %q)", len(t.listed), got)
			}
			if got != t.listed[i] {
				return nil, t.dataError(t.listBucket, "listing position %d is %q, want %q", i, got, t.listed[i])
			}
			i++
		}
	}
	if i != len(t.listed) {
		return nil, t.dataError(t.listBucket, "listing has %d keys, want %d", i, len(t.listed))
	}
	return lat, nil
}

// checkAndDeletePuts lists what a PUT workload wrote: every acknowledged object must be there, and a
// sample is read back byte for byte. Then it deletes them, so disk use stays bounded across runs.
func (t *target) checkAndDeletePuts(ctx context.Context, w Workload, phase string, acked, attempted int64) error {
	keys, err := t.listPrefix(ctx, t.bucket, putPrefix(w, phase))
	if err != nil {
		return err
	}
	if n := int64(len(keys)); n < acked || n > attempted {
		return t.dataError(putPrefix(w, phase), "%d objects listed after %d acknowledged PutObject requests (%d attempted)", n, acked, attempted)
	}
	buf := make([]byte, w.Size+1)
	const samples = 8
	for i := range min(samples, len(keys)) {
		key := keys[i*len(keys)/min(samples, len(keys))]
		body, err := t.getInto(ctx, t.bucket, key, w.Size, buf)
		if err != nil {
			return fmt.Errorf("reading back %s: %w", key, err)
		}
		if err := t.payload.verify(key, w.Size, body); err != nil {
			return t.dataError(key, "read back after PutObject: %v", err)
		}
	}
	return t.deleteKeys(ctx, t.bucket, keys)
}

func (t *target) listPrefix(ctx context.Context, bucket, prefix string) ([]string, error) {
	p := s3.NewListObjectsV2Paginator(t.client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	var keys []string
	for p.HasMorePages() {
		octx, cancel := t.opContext(ctx)
		out, err := p.NextPage(octx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%s: ListObjectsV2 %s/%s: %w", t.label, bucket, prefix, err)
		}
		for _, obj := range out.Contents {
			keys = append(keys, aws.ToString(obj.Key))
		}
	}
	return keys, nil
}

func (t *target) deleteKeys(ctx context.Context, bucket string, keys []string) error {
	for len(keys) > 0 {
		batch := keys[:min(1000, len(keys))]
		keys = keys[len(batch):]
		ids := make([]types.ObjectIdentifier, len(batch))
		for i, k := range batch {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		octx, cancel := t.opContext(ctx)
		out, err := t.client.DeleteObjects(octx, &s3.DeleteObjectsInput{
			Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		cancel()
		if err != nil {
			return fmt.Errorf("%s: DeleteObjects in %s: %w", t.label, bucket, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("%s: DeleteObjects in %s: %d keys failed, first %s: %s %s", t.label, bucket, len(out.Errors), aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
		}
	}
	return nil
}

// removeBuckets empties and deletes the buckets this run created (for servers that outlive it).
func (t *target) removeBuckets(ctx context.Context) error {
	var errs []error
	buckets := []string{t.bucket}
	if t.listed != nil {
		buckets = append(buckets, t.listBucket)
	}
	for _, b := range buckets {
		keys, err := t.listPrefix(ctx, b, "")
		if err != nil {
			var nsb *types.NoSuchBucket
			if !errors.As(err, &nsb) {
				errs = append(errs, err)
			}
			continue
		}
		if err := t.deleteKeys(ctx, b, keys); err != nil {
			errs = append(errs, err)
			continue
		}
		octx, cancel := t.opContext(ctx)
		_, err = t.client.DeleteBucket(octx, &s3.DeleteBucketInput{Bucket: aws.String(b)})
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: DeleteBucket %s: %w", t.label, b, err))
		}
	}
	return errors.Join(errs...)
}
