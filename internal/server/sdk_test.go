package server

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// recordingS3 records each route and answers NoSuchKey, so every SDK call
// fails with an error the test can check after the route was recorded.
type recordingS3 struct {
	mu     sync.Mutex
	routes []awsproto.Route
}

func (f *recordingS3) Name() string { return "s3" }

func (f *recordingS3) Handle(_ http.ResponseWriter, _ *http.Request, rt awsproto.Route) error {
	f.mu.Lock()
	f.routes = append(f.routes, rt)
	f.mu.Unlock()
	return awsproto.NewError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
}

func (f *recordingS3) take() []awsproto.Route {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.routes
	f.routes = nil
	return r
}

// TestGoSDKRequestsClassify drives the real aws-sdk-go-v2 S3 client, in
// virtual-host style (its default, through a dialer that maps *.localhost
// to the server) and path style, and checks the route of each request and
// that the SDK parses the rendered error.
func TestGoSDKRequestsClassify(t *testing.T) {
	rec := &recordingS3{}
	srv := New(Options{Services: []Service{rec}, Authenticator: okAuth{}, Region: "us-east-1"})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	dialer := &net.Dialer{}
	httpClient := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, "127.0.0.1:"+port) // every *.localhost is this server
		},
	}}
	body := func() *bytes.Reader { return bytes.NewReader([]byte("hello")) }
	key := "dir/a b+c=d~e/été (1).txt"
	calls := []struct {
		op   string
		call func(context.Context, *s3.Client) error
	}{
		{"ListBuckets", func(ctx context.Context, c *s3.Client) error {
			_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}},
		{"CreateBucket", func(ctx context.Context, c *s3.Client) error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
			return err
		}},
		{"PutObject", func(ctx context.Context, c *s3.Client) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key), Body: body()})
			return err
		}},
		{"GetObject", func(ctx context.Context, c *s3.Client) error {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key), Range: aws.String("bytes=0-1")})
			return err
		}},
		{"HeadObject", func(ctx context.Context, c *s3.Client) error {
			_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
			return err
		}},
		{"DeleteObjects", func(ctx context.Context, c *s3.Client) error {
			_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"),
				Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("a")}}}})
			return err
		}},
		{"ListObjectsV2", func(ctx context.Context, c *s3.Client) error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
			return err
		}},
		{"CopyObject", func(ctx context.Context, c *s3.Client) error {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bkt"), Key: aws.String("copy"), CopySource: aws.String("bkt/src")})
			return err
		}},
		{"CreateMultipartUpload", func(ctx context.Context, c *s3.Client) error {
			_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big")})
			return err
		}},
		{"UploadPart", func(ctx context.Context, c *s3.Client) error {
			_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("big"),
				UploadId: aws.String("u1"), PartNumber: aws.Int32(1), Body: body()})
			return err
		}},
		{"UploadPartCopy", func(ctx context.Context, c *s3.Client) error {
			_, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("bkt"), Key: aws.String("big"),
				UploadId: aws.String("u1"), PartNumber: aws.Int32(2), CopySource: aws.String("bkt/src")})
			return err
		}},
		{"CompleteMultipartUpload", func(ctx context.Context, c *s3.Client) error {
			_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"),
				UploadId: aws.String("u1"), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: aws.String(`"e"`), PartNumber: aws.Int32(1)}}}})
			return err
		}},
		{"ListParts", func(ctx context.Context, c *s3.Client) error {
			_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: aws.String("u1")})
			return err
		}},
		{"AbortMultipartUpload", func(ctx context.Context, c *s3.Client) error {
			_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: aws.String("u1")})
			return err
		}},
		{"PutObjectTagging", func(ctx context.Context, c *s3.Client) error {
			_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("bkt"), Key: aws.String(key),
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
			return err
		}},
		{"GetBucketLocation", func(ctx context.Context, c *s3.Client) error {
			_, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("bkt")})
			return err
		}},
	}
	for _, style := range []struct {
		name      string
		pathStyle bool
	}{{"virtual host", false}, {"path style", true}} {
		client := s3.New(s3.Options{
			Region:       "us-east-1",
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
			BaseEndpoint: aws.String("http://localhost:" + port),
			UsePathStyle: style.pathStyle,
			HTTPClient:   httpClient,
			Retryer:      aws.NopRetryer{},
		})
		for _, c := range calls {
			t.Run(style.name+"/"+c.op, func(t *testing.T) {
				err := c.call(context.Background(), client)
				var apiErr smithy.APIError
				wantCode := "NoSuchKey"
				if c.op == "HeadObject" {
					wantCode = "NotFound" // HEAD errors have no body; the SDK names the status
				}
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != wantCode {
					t.Errorf("SDK error = %v, want %s", err, wantCode)
				}
				routes := rec.take()
				if len(routes) != 1 {
					t.Fatalf("%d requests reached the service, want 1", len(routes))
				}
				rt := routes[0]
				if rt.Operation != c.op {
					t.Errorf("operation %s, want %s", rt.Operation, c.op)
				}
				if c.op != "ListBuckets" && (rt.Bucket != "bkt" || rt.VirtualHost == style.pathStyle) {
					t.Errorf("bucket %q virtual %v", rt.Bucket, rt.VirtualHost)
				}
				if c.op == "PutObject" && rt.Key != key {
					t.Errorf("key %q, want %q", rt.Key, key)
				}
			})
		}
	}
}
