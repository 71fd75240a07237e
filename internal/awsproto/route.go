package awsproto

import "context"

// Protocol is the wire protocol a request arrived in; it decides how errors
// and responses are rendered.
type Protocol string

const (
	ProtocolJSON10    Protocol = "json1.0"
	ProtocolJSON11    Protocol = "json1.1"
	ProtocolRESTJSON  Protocol = "rest-json"
	ProtocolRESTXML   Protocol = "rest-xml"  // S3 (and S3 Object Lambda, WriteGetObjectResponse)
	ProtocolS3Control Protocol = "s3control" // REST-XML with <ErrorResponse> wrapped errors
	ProtocolQuery     Protocol = "query"     // STS, IAM
)

// Route is the classifier's answer: which service and operation a request is
// for, plus the addressing facts the classifier had to work out (bucket, key,
// access point) so that services never re-parse hosts.
type Route struct {
	Service   string   // "s3", "s3control", "sts", "kinesis", "lambda", ...
	Operation string   // botocore operation name, e.g. "PutObject"
	Protocol  Protocol // how to render responses and errors
	// JSONPrefix is the X-Amz-Target prefix for JSON protocols (e.g. "Kinesis_20131202").
	JSONPrefix string

	// S3 addressing. Bucket is the bucket name, or an access point alias
	// (ending -s3alias or --ol-s3) as addressed; Key is the decoded key ("" for
	// bucket-level operations).
	Bucket string
	Key    string
	// AccessPoint is set when the request was addressed to an access point by
	// host ({name}-{account}.host); ObjectLambda marks an Object Lambda access point.
	AccessPoint  string
	ObjectLambda bool
	// AccessPointAlias is set (equal to Bucket) when the bucket name is an
	// access point alias: "-s3alias", or "--ol-s3" for Object Lambda (which
	// also sets ObjectLambda).
	AccessPointAlias string
	// AccountID comes from the host label or x-amz-account-id (S3 Control).
	AccountID string
	// RequestRoute is WriteGetObjectResponse's x-amz-request-route.
	RequestRoute string
	// PathParams holds REST-JSON path parameters by name (e.g. FunctionName).
	PathParams map[string]string

	// SigningService and Region come from the SigV4 credential scope ("s3" for SigV2).
	SigningService string
	Region         string
	// VirtualHost is true when the bucket came from the Host header.
	VirtualHost bool
}

type routeKey struct{}
type requestIDKey struct{}

// WithRoute stores the route in ctx.
func WithRoute(ctx context.Context, r Route) context.Context {
	return context.WithValue(ctx, routeKey{}, r)
}

// RouteFrom returns the route stored in ctx.
func RouteFrom(ctx context.Context) (Route, bool) {
	r, ok := ctx.Value(routeKey{}).(Route)
	return r, ok
}

// WithRequestID stores the request id in ctx.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id stored in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
