package s3_test

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tributary-dev/tributary/internal/awstest"
)

// BenchmarkListObjectsV2Server lists 10,000 keys in pages of 1000 through
// aws-sdk-go-v2 against the whole server (classifier, SigV4, middleware,
// the configured kv), started in-process by awstest: the end-to-end figure
// the target is about, with both sides in one profile. cpu-ms/op is
// the CPU both sides spent per 10,000 keys.
//
//	go test ./internal/s3/ -run '^$' -bench ListObjectsV2Server -benchtime 20x
func BenchmarkListObjectsV2Server(b *testing.B) {
	srv := awstest.Start(b)
	client := srv.S3(b)
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("list-bench")}); err != nil {
		b.Fatal(err)
	}
	const keys = 10000
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < keys; i += 16 {
				key := "list/" + strconv.Itoa(1000000+i)
				if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("list-bench"), Key: aws.String(key), Body: bytes.NewReader([]byte(key))}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	cpu0 := listServerCPUTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String("list-bench"), MaxKeys: aws.Int32(1000)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				b.Fatal(err)
			}
			n += len(out.Contents)
		}
		if n != keys {
			b.Fatalf("listed %d keys", n)
		}
	}
	b.ReportMetric(float64(keys*b.N)/b.Elapsed().Seconds(), "keys/s")
	b.ReportMetric(float64(listServerCPUTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// listServerCPUTime is the process's user+system CPU time (client and
// server both): on a shared machine it shows the work done when wall time
// mostly shows the neighbours.
func listServerCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
