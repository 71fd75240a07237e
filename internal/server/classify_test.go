package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// fakeAccessPoints says which "{account}/{name}" access points exist.
type fakeAccessPoints map[string]bool

func (f fakeAccessPoints) AccessPointExists(_ context.Context, account, name string) (bool, error) {
	return f[account+"/"+name], nil
}

func TestClassifyShapes(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		target  string // path, or absolute-form URL
		host    string // Host header ("" = from target or localhost:4566)
		headers map[string]string
		body    string
		signing string // SigV4 scope service; "" = unsigned
		want    awsproto.Route
		wantErr string // error code, "" = no error
	}{
		// A2: addressing styles.
		{name: "path style put", method: "PUT", target: "/probe-bucket/k", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "PutObject", Bucket: "probe-bucket", Key: "k"}},
		{name: "virtual host put with x-id", method: "PUT", target: "/k?x-id=PutObject", host: "probe-go.localhost:4599", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "PutObject", Bucket: "probe-go", Key: "k", VirtualHost: true}},
		{name: "list buckets", method: "GET", target: "/", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "ListBuckets"}},
		{name: "list directory buckets by x-id", method: "GET", target: "/?x-id=ListDirectoryBuckets", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "ListDirectoryBuckets"}},
		{name: "virtual host root lists objects", method: "GET", target: "/", host: "probe-bucket.localhost", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "ListObjects", Bucket: "probe-bucket", VirtualHost: true}},
		{name: "dotted bucket virtual host", method: "HEAD", target: "/", host: "my.dotted.bucket.localhost", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "HeadBucket", Bucket: "my.dotted.bucket", VirtualHost: true}},
		{name: "ipv6 base host", method: "HEAD", target: "/b/k", host: "[::1]:4566", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "HeadObject", Bucket: "b", Key: "k"}},
		{name: "ip base host with account prefix", method: "GET", target: "/v20180820/accesspoint/my-ap", host: "123456789012.127.0.0.1:4599",
			headers: map[string]string{"x-amz-account-id": "123456789012"}, signing: "s3",
			want: awsproto.Route{Service: "s3control", Operation: "GetAccessPoint", AccountID: "123456789012", PathParams: map[string]string{"name": "my-ap"}}},
		{name: "unknown host is path style", method: "GET", target: "/b/k", host: "10.1.2.3:4566", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "k"}},
		{name: "configured base host", method: "GET", target: "/k", host: "b.s3.example.test", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "k", VirtualHost: true}},
		{name: "host is lowercased", method: "GET", target: "/k", host: "B.LocalHost:4566", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "k", VirtualHost: true}},

		// A8: absolute-form request targets through HTTP_PROXY.
		{name: "absolute form virtual host", method: "GET", target: "http://probe-bucket.localhost:4599/dir/k?x-id=GetObject", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "probe-bucket", Key: "dir/k", VirtualHost: true}},
		{name: "absolute form s3 control", method: "PUT", target: "http://123456789012.localhost:4599/v20180820/accesspoint/my-ap",
			headers: map[string]string{"x-amz-account-id": "123456789012"}, signing: "s3",
			want: awsproto.Route{Service: "s3control", Operation: "CreateAccessPoint", AccountID: "123456789012", PathParams: map[string]string{"name": "my-ap"}}},
		{name: "absolute form without path", method: "GET", target: "http://localhost:4599", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "ListBuckets"}},

		// Sub-resources.
		{name: "delete objects botocore form", method: "POST", target: "/b?delete", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "DeleteObjects", Bucket: "b"}},
		{name: "delete objects go form", method: "POST", target: "/?delete=", host: "b.localhost", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "DeleteObjects", Bucket: "b", VirtualHost: true}},
		{name: "list objects v2 botocore", method: "GET", target: "/b?list-type=2&prefix=dir%2F&delimiter=%2F&max-keys=2&start-after=dir%2Fa&encoding-type=url", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "ListObjectsV2", Bucket: "b"}},
		{name: "list objects v1", method: "GET", target: "/b?prefix=x&marker=y", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "ListObjects", Bucket: "b"}},
		{name: "upload part ignores x-id", method: "PUT", target: "/b/k?partNumber=1&uploadId=u1&x-id=UploadPart", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "UploadPart", Bucket: "b", Key: "k"}},
		{name: "x-id cannot override the shape", method: "PUT", target: "/b/k?x-id=DeleteBucket", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "PutObject", Bucket: "b", Key: "k"}},
		{name: "upload part copy", method: "PUT", target: "/b/k?partNumber=2&uploadId=u1", headers: map[string]string{"x-amz-copy-source": "/src/k"}, signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "UploadPartCopy", Bucket: "b", Key: "k"}},
		{name: "copy object", method: "PUT", target: "/b/k", headers: map[string]string{"x-amz-copy-source": "src/k"}, signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "CopyObject", Bucket: "b", Key: "k"}},
		{name: "put object tagging beats copy source", method: "PUT", target: "/b/k?tagging", headers: map[string]string{"x-amz-copy-source": "src/k"}, signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "PutObjectTagging", Bucket: "b", Key: "k"}},
		{name: "create multipart upload", method: "POST", target: "/b/big?uploads", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "CreateMultipartUpload", Bucket: "b", Key: "big"}},
		{name: "complete multipart upload", method: "POST", target: "/b/big?uploadId=u1", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "CompleteMultipartUpload", Bucket: "b", Key: "big"}},
		{name: "list parts", method: "GET", target: "/b/big?uploadId=u1&max-parts=2", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "ListParts", Bucket: "b", Key: "big"}},
		{name: "get object part number", method: "GET", target: "/b/big?partNumber=1", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "big"}},
		{name: "list multipart uploads", method: "GET", target: "/b?uploads", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "ListMultipartUploads", Bucket: "b"}},
		{name: "bucket location", method: "GET", target: "/b?location", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetBucketLocation", Bucket: "b"}},
		{name: "bucket lifecycle resolves to current operation", method: "GET", target: "/b?lifecycle", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetBucketLifecycleConfiguration", Bucket: "b"}},
		{name: "analytics with id", method: "GET", target: "/b?analytics&id=a1", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetBucketAnalyticsConfiguration", Bucket: "b"}},
		{name: "analytics without id lists", method: "GET", target: "/b?analytics", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "ListBucketAnalyticsConfigurations", Bucket: "b"}},
		{name: "trailing slash is bucket level", method: "PUT", target: "/b/", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "CreateBucket", Bucket: "b"}},
		{name: "conflicting sub-resources use precedence", method: "GET", target: "/b?tagging&acl", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetBucketAcl", Bucket: "b"}},
		{name: "browser post upload", method: "POST", target: "/b", headers: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "PostObject", Bucket: "b"}},
		{name: "unsupported method", method: "PATCH", target: "/b/k", signing: "s3",
			want: awsproto.Route{Service: "s3", Bucket: "b", Key: "k"}, wantErr: "MethodNotAllowed"},
		{name: "sigv2 presigned get", method: "GET", target: "/b/small.txt?AWSAccessKeyId=AKID&Signature=V17Y%3D&Expires=1795557580",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "small.txt", SigningService: "s3"}},

		// Keys: the raw path decoded exactly once.
		{name: "key encoded by sigv4 clients", method: "PUT", target: "/b/dir/a%20b%2Bc%3Dd~e/%C3%A9t%C3%A9%20%281%29.txt", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "PutObject", Bucket: "b", Key: "dir/a b+c=d~e/été (1).txt"}},
		{name: "literal plus stays plus", method: "GET", target: "/b/a+b", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "a+b"}},
		{name: "encoded slash", method: "GET", target: "/b/a%2Fb", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "a/b"}},
		{name: "decoded once only", method: "GET", target: "/b/100%252F", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "100%2F"}},
		{name: "double slash and dot segments kept", method: "GET", target: "/b//x/../y/./z", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "/x/../y/./z"}},
		{name: "virtual host key keeps leading slash", method: "GET", target: "//lead", host: "b.localhost", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "/lead", VirtualHost: true}},

		// A6: access points, Object Lambda, aliases.
		{name: "olap host signed s3-object-lambda", method: "GET", target: "/orders/1.json", host: "my-olap-123456789012.localhost:4599", signing: "s3-object-lambda",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", AccessPoint: "my-olap", AccountID: "123456789012", ObjectLambda: true, Key: "orders/1.json", SigningService: "s3-object-lambda"}},
		{name: "olap presigned list", method: "GET", target: "/?list-type=2&prefix=&delimiter=%2F&encoding-type=url&X-Amz-Credential=AKID%2F20250101%2Fus-east-1%2Fs3-object-lambda%2Faws4_request",
			host: "my-olap-123456789012.localhost",
			want: awsproto.Route{Service: "s3", Operation: "ListObjectsV2", AccessPoint: "my-olap", AccountID: "123456789012", ObjectLambda: true, SigningService: "s3-object-lambda"}},
		{name: "access point host that exists", method: "GET", target: "/orders/1.json", host: "my-ap-123456789012.localhost:4599", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", AccessPoint: "my-ap", AccountID: "123456789012", Key: "orders/1.json"}},
		{name: "bucket named like an access point", method: "GET", target: "/orders/1.json", host: "other-ap-123456789012.localhost:4599", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "other-ap-123456789012", Key: "orders/1.json", VirtualHost: true}},
		{name: "path style bucket named like an access point", method: "PUT", target: "/my-ap-123456789012", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "CreateBucket", Bucket: "my-ap-123456789012"}},
		{name: "access point alias path style", method: "GET", target: "/my-ap-abcdefgh1234-s3alias/orders/1.json", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "my-ap-abcdefgh1234-s3alias", AccessPointAlias: "my-ap-abcdefgh1234-s3alias", Key: "orders/1.json"}},
		{name: "olap alias path style signed s3", method: "GET", target: "/my-olap-abcdefgh1234--ol-s3/orders/1.json", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "my-olap-abcdefgh1234--ol-s3", AccessPointAlias: "my-olap-abcdefgh1234--ol-s3", ObjectLambda: true, Key: "orders/1.json"}},
		{name: "access point alias virtual host", method: "GET", target: "/orders/1.json", host: "my-ap-abcdefgh1234-s3alias.localhost", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "my-ap-abcdefgh1234-s3alias", AccessPointAlias: "my-ap-abcdefgh1234-s3alias", Key: "orders/1.json", VirtualHost: true}},

		// A7: WriteGetObjectResponse.
		{name: "wgor host prefix", method: "POST", target: "/WriteGetObjectResponse", host: "io-probe-route-1.localhost:4599",
			headers: map[string]string{"x-amz-request-route": "io-probe-route-1", "x-amz-request-token": "t"}, signing: "s3-object-lambda",
			want: awsproto.Route{Service: "s3", Operation: "WriteGetObjectResponse", RequestRoute: "io-probe-route-1", SigningService: "s3-object-lambda"}},
		{name: "wgor without host prefix", method: "POST", target: "/WriteGetObjectResponse",
			headers: map[string]string{"x-amz-request-route": "io-probe-route-1"}, signing: "s3-object-lambda",
			want: awsproto.Route{Service: "s3", Operation: "WriteGetObjectResponse", RequestRoute: "io-probe-route-1", SigningService: "s3-object-lambda"}},
		{name: "wgor host prefix mismatch", method: "POST", target: "/WriteGetObjectResponse", host: "io-other.localhost",
			headers: map[string]string{"x-amz-request-route": "io-probe-route-1"}, signing: "s3-object-lambda",
			want: awsproto.Route{Service: "s3", Operation: "WriteGetObjectResponse", SigningService: "s3-object-lambda"}, wantErr: "InvalidRequest"},
		{name: "wgor missing route", method: "POST", target: "/WriteGetObjectResponse", signing: "s3-object-lambda",
			want: awsproto.Route{Service: "s3", Operation: "WriteGetObjectResponse", SigningService: "s3-object-lambda"}, wantErr: "InvalidRequest"},

		// A5: S3 Control.
		{name: "s3 control list access points", method: "GET", target: "/v20180820/accesspoint?bucket=orders", host: "123456789012.localhost",
			headers: map[string]string{"x-amz-account-id": "123456789012"}, signing: "s3",
			want: awsproto.Route{Service: "s3control", Operation: "ListAccessPoints", AccountID: "123456789012", PathParams: map[string]string{}}},
		{name: "s3 control olap configuration", method: "PUT", target: "/v20180820/accesspointforobjectlambda/my-olap/configuration", host: "123456789012.localhost",
			headers: map[string]string{"x-amz-account-id": "123456789012"}, signing: "s3",
			want: awsproto.Route{Service: "s3control", Operation: "PutAccessPointConfigurationForObjectLambda", AccountID: "123456789012", PathParams: map[string]string{"name": "my-olap"}}},
		{name: "s3 control missing account header", method: "GET", target: "/v20180820/accesspoint/my-ap", signing: "s3",
			want: awsproto.Route{Service: "s3control", Operation: "GetAccessPoint", PathParams: map[string]string{"name": "my-ap"}}, wantErr: "InvalidRequest"},
		{name: "s3 control account mismatch", method: "GET", target: "/v20180820/accesspoint/my-ap", host: "111111111111.localhost",
			headers: map[string]string{"x-amz-account-id": "123456789012"}, signing: "s3",
			want: awsproto.Route{Service: "s3control", Operation: "GetAccessPoint", PathParams: map[string]string{"name": "my-ap"}}, wantErr: "InvalidRequest"},
		{name: "s3 control unknown path", method: "GET", target: "/v20180820/nothing-here", signing: "s3",
			headers: map[string]string{"x-amz-account-id": "123456789012"},
			want:    awsproto.Route{Service: "s3control"}, wantErr: "MethodNotAllowed"},
		{name: "virtual bucket key under v20180820", method: "GET", target: "/v20180820/x", host: "b.localhost", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "b", Key: "v20180820/x", VirtualHost: true}},

		// Lambda REST-JSON.
		{name: "lambda list functions trailing slash", method: "GET", target: "/2015-03-31/functions/", signing: "lambda",
			want: awsproto.Route{Service: "lambda", Operation: "ListFunctions", PathParams: map[string]string{}}},
		{name: "lambda invoke by arn", method: "POST", target: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aredact/invocations", signing: "lambda",
			want: awsproto.Route{Service: "lambda", Operation: "Invoke", PathParams: map[string]string{"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:redact"}}},
		{name: "lambda unsigned by path root", method: "GET", target: "/2018-10-31/layers?find=LayerVersion&Arn=x",
			want: awsproto.Route{Service: "lambda", Operation: "GetLayerVersionByArn", PathParams: map[string]string{}}},
		{name: "lambda unknown path", method: "GET", target: "/2015-03-31/nothing", signing: "lambda",
			want: awsproto.Route{Service: "lambda"}, wantErr: "UnknownOperationException"},
		{name: "bucket named like a lambda root", method: "GET", target: "/2015-03-31/functions/f", signing: "s3",
			want: awsproto.Route{Service: "s3", Operation: "GetObject", Bucket: "2015-03-31", Key: "functions/f"}},

		// awsjson.
		{name: "kinesis", method: "POST", target: "/", headers: map[string]string{"X-Amz-Target": "Kinesis_20131202.PutRecord", "Content-Type": "application/x-amz-json-1.1"}, signing: "kinesis",
			want: awsproto.Route{Service: "kinesis", Operation: "PutRecord", JSONPrefix: "Kinesis_20131202"}},
		{name: "glue", method: "POST", target: "/", headers: map[string]string{"X-Amz-Target": "AWSGlue.CreateDatabase"}, signing: "glue",
			want: awsproto.Route{Service: "glue", Operation: "CreateDatabase", JSONPrefix: "AWSGlue"}},
		{name: "json unknown operation", method: "POST", target: "/", headers: map[string]string{"X-Amz-Target": "Logs_20140328.Frobnicate"}, signing: "logs",
			want: awsproto.Route{Service: "logs", JSONPrefix: "Logs_20140328"}, wantErr: "UnknownOperationException"},
		{name: "json unknown service", method: "POST", target: "/", headers: map[string]string{"X-Amz-Target": "DynamoDB_20120810.GetItem", "Content-Type": "application/x-amz-json-1.0"}, signing: "dynamodb",
			want: awsproto.Route{}, wantErr: "UnknownOperationException"},

		// Query.
		{name: "sts form signed", method: "POST", target: "/", body: "Action=GetCallerIdentity&Version=2011-06-15",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, signing: "sts",
			want: awsproto.Route{Service: "sts", Operation: "GetCallerIdentity"}},
		{name: "iam form signed without version", method: "POST", target: "/", body: "Action=ListUsers",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, signing: "iam",
			want: awsproto.Route{Service: "iam", Operation: "ListUsers"}},
		{name: "sts unknown action", method: "POST", target: "/", body: "Action=Frobnicate&Version=2011-06-15",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, signing: "sts",
			want: awsproto.Route{Service: "sts"}, wantErr: "InvalidAction"},
		{name: "form post signed for s3 is not query", method: "POST", target: "/", body: "Action=GetCallerIdentity",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, signing: "s3",
			want: awsproto.Route{Service: "s3"}, wantErr: "MethodNotAllowed"},
	}
	c := NewClassifier(ClassifierOptions{
		BaseHosts:    []string{"s3.example.test"},
		AccessPoints: fakeAccessPoints{"123456789012/my-ap": true},
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if !strings.HasPrefix(tt.target, "http://") {
				r.Host = "localhost:4566"
			}
			if tt.host != "" {
				r.Host = tt.host
			}
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if tt.signing != "" {
				r.Header.Set("Authorization", sigV4(tt.signing))
			}
			got, err := c.Classify(r)
			if tt.wantErr != "" {
				if e := awsproto.As(err); e == nil || e.Code != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			want := tt.want
			if want.SigningService == "" {
				want.SigningService = tt.signing
			}
			if want.Region == "" && strings.HasPrefix(r.Header.Get("Authorization"), "AWS4") || strings.Contains(tt.target, "X-Amz-Credential") {
				want.Region = "us-east-1"
			}
			if want.Protocol == "" {
				want.Protocol = protocolOfService(want.Service, got.Protocol)
			}
			if !routesEqual(got, want) {
				t.Errorf("route\n got %+v\nwant %+v", got, want)
			}
			// The body is still there for signature verification and the handler.
			if b, _ := io.ReadAll(r.Body); string(b) != tt.body {
				t.Errorf("body after classification %q, want %q", b, tt.body)
			}
		})
	}
}

func protocolOfService(svc string, fallback awsproto.Protocol) awsproto.Protocol {
	switch svc {
	case "s3":
		return awsproto.ProtocolRESTXML
	case "s3control":
		return awsproto.ProtocolS3Control
	case "lambda":
		return awsproto.ProtocolRESTJSON
	case "sts", "iam":
		return awsproto.ProtocolQuery
	case "kinesis", "firehose", "logs", "glue", "comprehend":
		return awsproto.ProtocolJSON11
	}
	return fallback
}

func routesEqual(a, b awsproto.Route) bool {
	if len(a.PathParams) == 0 {
		a.PathParams = nil
	}
	if len(b.PathParams) == 0 {
		b.PathParams = nil
	}
	return reflect.DeepEqual(a, b)
}

func TestSigningScope(t *testing.T) {
	tests := []struct {
		auth, query     string
		service, region string
	}{
		{"AWS4-HMAC-SHA256 Credential=AKID/20261124/us-west-2/s3-object-lambda/aws4_request, SignedHeaders=host, Signature=ab", "", "s3-object-lambda", "us-west-2"},
		{"AWS4-HMAC-SHA256 Credential=AKID/20261124/eu-west-1/sts/aws4_request,SignedHeaders=host,Signature=ab", "", "sts", "eu-west-1"},
		{"AWS AKID:c2lnbmF0dXJl", "", "s3", ""},
		{"", "X-Amz-Credential=AKID%2F20261124%2Fus-east-1%2Fs3%2Faws4_request", "s3", "us-east-1"},
		{"", "AWSAccessKeyId=AKID&Signature=x&Expires=1", "s3", ""},
		{"", "", "", ""},
		{"Bearer token", "", "", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/?"+tt.query, nil)
		q := r.URL.Query()
		svc, region := signingScope(tt.auth, q)
		if svc != tt.service || region != tt.region {
			t.Errorf("signingScope(%q, %q) = %q, %q; want %q, %q", tt.auth, tt.query, svc, region, tt.service, tt.region)
		}
	}
}

func TestAccessPointLabel(t *testing.T) {
	tests := []struct {
		label, name, account string
		ok                   bool
	}{
		{"my-ap-123456789012", "my-ap", "123456789012", true},
		{"ap1-000000000000", "ap1", "000000000000", true},
		{"a-123456789012", "", "", false},     // name too short
		{"-ab-123456789012", "", "", false},   // leading hyphen
		{"ab--123456789012", "", "", false},   // trailing hyphen
		{"my_ap-123456789012", "", "", false}, // underscore
		{"my-ap-12345678901", "", "", false},  // 11 digits
		{"my-ap-12345678901x", "", "", false}, // not digits
		{strings.Repeat("a", 51) + "-123456789012", "", "", false},
	}
	for _, tt := range tests {
		name, account, ok := accessPointLabel(tt.label)
		if ok != tt.ok || name != tt.name || account != tt.account {
			t.Errorf("accessPointLabel(%q) = %q, %q, %v", tt.label, name, account, ok)
		}
	}
}
