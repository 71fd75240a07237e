package app_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tributary-dev/tributary/internal/awstest"
	"github.com/tributary-dev/tributary/internal/config"
)

// The composition root wires S3 and STS behind one endpoint, and what S3
// stored is there again after a restart on the same data directory.
func TestRunServesAndPersists(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	onDir := func(c *config.Config) { c.DataDir = dir }

	first := awstest.Start(t, onDir)
	client := first.S3(t) // virtual-host addressing, the SDK default
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("persist")}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("tributary "), 10_000) // 100 KB: a file-backed body
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("persist"), Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("persist"), Key: aws.String("small"), Body: bytes.NewReader([]byte("inline"))}); err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(first.AWSConfig(t)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != "000000000000" || aws.ToString(id.Arn) != "arn:aws:iam::000000000000:root" {
		t.Fatalf("caller identity %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}

	// A second server on the same directory would fight over it; stop the
	// first one by starting the second in a subtest after cleanup ran.
	t.Run("after restart", func(t *testing.T) {
		stopFirst(t, first)
		second := awstest.Start(t, onDir)
		c2 := second.S3(t)
		for key, want := range map[string][]byte{"k": body, "small": []byte("inline")} {
			out, err := c2.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("persist"), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: %d bytes after restart, want %d", key, len(got), len(want))
			}
		}
	})
}

func stopFirst(t *testing.T, s *awstest.Server) {
	t.Helper()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
}
