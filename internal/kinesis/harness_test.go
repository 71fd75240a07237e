package kinesis

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tributary-dev/tributary/internal/auth"
	"github.com/tributary-dev/tributary/internal/server"
	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
)

// testClock is real time plus an offset tests can advance; frozen, it
// moves only when advanced.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
	frozen time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen.Add(c.offset)
	}
	return time.Now().Add(c.offset)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Freeze stops the clock at its current time.
func (c *testClock) Freeze() {
	c.mu.Lock()
	c.frozen = time.Now()
	c.mu.Unlock()
}

// env is a Kinesis service behind the real server pipeline (classifier,
// SigV4, error rendering) on an httptest server, with a real SDK client.
type env struct {
	t      testing.TB
	svc    *Service
	clock  *testClock
	meta   kv.Store
	logs   *streamlog.Store
	dir    string
	url    string
	client *kinesis.Client
	srv    *httptest.Server
}

type envOption func(*Config, *streamlog.Options)

func withThrottle() envOption { return func(c *Config, _ *streamlog.Options) { c.Throttle = true } }

func withSegmentBytes(n int64) envOption {
	return func(_ *Config, o *streamlog.Options) { o.SegmentBytes = n }
}

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, clock: &testClock{}, meta: kv.NewMemory(), dir: t.TempDir()}
	e.start(opts...)
	return e
}

// start (re)opens the logs and the service on the env's directory and kv.
func (e *env) start(opts ...envOption) {
	t := e.t
	cfg := Config{Region: testRegion, AccountID: testAccount, Now: e.clock.Now}
	lo := streamlog.Options{}
	for _, o := range opts {
		o(&cfg, &lo)
	}
	logs, err := streamlog.Open(e.dir, lo)
	if err != nil {
		t.Fatal(err)
	}
	e.logs = logs
	e.svc = New(e.meta, logs, cfg)
	if err := e.svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{
		Services: []server.Service{e.svc},
		Authenticator: auth.NewVerifier(auth.Options{
			Credentials:      []auth.Credential{{AccessKeyID: "test", SecretAccessKey: "test"}},
			DefaultAccountID: testAccount,
		}),
		Region: testRegion, AccountID: testAccount,
	})
	e.srv = httptest.NewUnstartedServer(srv.Handler())
	// As app.go does: HTTP/1.1 and HTTP/2 cleartext (the Java SDK's
	// SubscribeToShard uses h2c).
	e.srv.Config.Protocols = new(http.Protocols)
	e.srv.Config.Protocols.SetHTTP1(true)
	e.srv.Config.Protocols.SetUnencryptedHTTP2(true)
	e.srv.Start()
	e.url = e.srv.URL
	e.client = e.newClient()
	t.Cleanup(e.stop)
}

// newClient returns another SDK client for the server. Concurrent
// SubscribeToShard streams need one each: the SDK (kinesis v1.56.13)
// shares one event-stream decoding buffer per client.
func (e *env) newClient() *kinesis.Client {
	return e.clientWith(&http.Transport{MaxIdleConnsPerHost: 64})
}

// h2cClient returns a client that speaks HTTP/2 with prior knowledge over
// plain TCP, as the Java SDK v2 does for SubscribeToShard.
func (e *env) h2cClient() *kinesis.Client {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	return e.clientWith(tr)
}

func (e *env) clientWith(tr http.RoundTripper) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(e.url),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Transport: ownBodyTransport{tr}},
	})
}

func (e *env) stop() {
	if e.srv == nil {
		return
	}
	e.svc.Stop(context.Background())
	e.srv.CloseClientConnections()
	e.srv.Close()
	if err := e.logs.Close(); err != nil {
		e.t.Errorf("close logs: %v", err)
	}
	e.srv = nil
}

// ownBodyTransport gives net/http a request body of its own. The SDK's
// body (a safeReadCloser whose WriteTo answers io.EOF once the SDK has
// closed it) races net/http's check for bytes past Content-Length: on a
// loaded machine the transport's write loop sees that EOF as a body read
// error after the server has already answered, closes the connection, and
// the SDK fails reading a complete 200 response ("use of closed network
// connection"; the server logs its own write failing). Seen only in tests
// that read large GetRecords answers back to back on a busy box.
type ownBodyTransport struct{ http.RoundTripper }

func (t ownBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return t.RoundTripper.RoundTrip(r)
}

// restart stops the service and starts a new one on the same storage.
func (e *env) restart(opts ...envOption) {
	e.stop()
	e.start(opts...)
}

var ctx = context.Background()

// createStream creates a provisioned stream and lets it become ACTIVE.
func (e *env) createStream(name string, shards int32) {
	e.t.Helper()
	if _, err := e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(time.Second)
}

// wantCode fails unless err is the AWS error code (and, if given, message).
func wantCode(t testing.TB, err error, code string, message ...string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got %s: %s, want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if len(message) > 0 && ae.ErrorMessage() != message[0] {
		t.Fatalf("%s message:\n got %q\nwant %q", code, ae.ErrorMessage(), message[0])
	}
}

// captureProto records the HTTP protocol of an operation's response.
func captureProto(proto *string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("captureProto",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
					*proto = resp.Proto
				}
				return out, md, err
			}), middleware.After)
	}
}
