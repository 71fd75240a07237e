package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/tributary-dev/tributary/internal/auth"
	"github.com/tributary-dev/tributary/internal/server"
	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
)

var ctx = context.Background()

// testClock is a frozen clock tests advance.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *testClock) Ms() int64 { return c.Now().UnixMilli() }

// env is a Logs service behind the real server pipeline (classifier,
// SigV4, error rendering) on an httptest server, with a real SDK client.
type env struct {
	t      testing.TB
	svc    *Service
	clock  *testClock
	meta   kv.Store
	logs   *streamlog.Store
	dir    string
	client *cwl.Client
	srv    *httptest.Server
	dests  *fakeResolver
	cfg    func(*Config, *streamlog.Options)
}

type envOption func(*Config, *streamlog.Options)

func withSegmentBytes(n int64) envOption {
	return func(_ *Config, o *streamlog.Options) { o.SegmentBytes = n }
}

func durable() envOption { return func(_ *Config, o *streamlog.Options) { o.NoSync = false } }

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, clock: &testClock{now: time.UnixMilli(1_700_000_000_000)}, meta: kv.NewMemory(), dir: t.TempDir(),
		dests: newFakeResolver()}
	e.start(opts...)
	return e
}

func (e *env) start(opts ...envOption) {
	t := e.t
	cfg := Config{Region: testRegion, AccountID: testAccount, Now: e.clock.Now, Destinations: e.dests,
		RetryMin: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond, PollInterval: 50 * time.Millisecond}
	lo := streamlog.Options{NoSync: true}
	for _, o := range opts {
		o(&cfg, &lo)
	}
	logs, err := streamlog.Open(e.dir, lo)
	if err != nil {
		t.Fatal(err)
	}
	e.logs = logs
	e.svc = New(e.meta, logs, cfg)
	if err := e.svc.Start(ctx); err != nil {
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
	e.srv = httptest.NewServer(srv.Handler())
	e.client = cwl.New(cwl.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(e.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Transport: ownBodyTransport{&http.Transport{MaxIdleConnsPerHost: 16}}},
	})
	t.Cleanup(e.stop)
}

func (e *env) stop() {
	if e.srv == nil {
		return
	}
	e.svc.Stop(ctx)
	e.srv.CloseClientConnections()
	e.srv.Close()
	if err := e.logs.Close(); err != nil {
		e.t.Errorf("close logs: %v", err)
	}
	e.srv = nil
}

// restart stops the service and starts a new one on the same storage.
func (e *env) restart(opts ...envOption) {
	e.stop()
	e.start(opts...)
}

// ownBodyTransport gives net/http a request body of its own (see the
// kinesis harness: the SDK's body races net/http's Content-Length check on
// a loaded machine).
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

func (e *env) createGroup(name string) {
	e.t.Helper()
	if _, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) createStream(group, stream string) {
	e.t.Helper()
	if _, err := e.client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		e.t.Fatal(err)
	}
}

// put writes messages with timestamps starting at ts (1 ms apart).
func (e *env) put(group, stream string, ts int64, msgs ...string) *cwl.PutLogEventsOutput {
	e.t.Helper()
	evs := make([]types.InputLogEvent, len(msgs))
	for i, m := range msgs {
		evs[i] = types.InputLogEvent{Timestamp: aws.Int64(ts + int64(i)), Message: aws.String(m)}
	}
	out, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
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

// fakeResolver is a registry of fake destinations by ARN.
type fakeResolver struct {
	mu    sync.Mutex
	dests map[string]*fakeDestination
}

func newFakeResolver() *fakeResolver { return &fakeResolver{dests: map[string]*fakeDestination{}} }

func (r *fakeResolver) Resolve(arn string) (Destination, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.dests[arn]
	if d == nil {
		return nil, ErrDestinationNotFound
	}
	return d, nil
}

func (r *fakeResolver) add(arn string, maxBytes int) *fakeDestination {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := &fakeDestination{maxBytes: maxBytes, changed: make(chan struct{}, 1)}
	r.dests[arn] = d
	return d
}

// fakeDestination records what it is given; fail makes it refuse.
type fakeDestination struct {
	mu       sync.Mutex
	maxBytes int
	fail     bool
	discard  bool  // count deliveries, keep no payloads (benchmarks)
	failErr  error // what Deliver answers while fail is set (nil: a retryable error)
	probes   [][]byte
	records  []fakeRecord
	attempts int
	changed  chan struct{}
}

type fakeRecord struct {
	key     string
	payload []byte
}

func (d *fakeDestination) Probe(ctx context.Context, msg []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail {
		return errors.New("destination down")
	}
	d.probes = append(d.probes, msg)
	return nil
}

func (d *fakeDestination) Deliver(ctx context.Context, key string, payloads [][]byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.attempts++
	defer func() {
		select {
		case d.changed <- struct{}{}:
		default:
		}
	}()
	if d.fail {
		if d.failErr != nil {
			return d.failErr
		}
		return errors.New("destination down")
	}
	if d.discard {
		return nil
	}
	for _, p := range payloads {
		d.records = append(d.records, fakeRecord{key: key, payload: append([]byte(nil), p...)})
	}
	return nil
}

func (d *fakeDestination) MaxRecordBytes() int { return d.maxBytes }

func (d *fakeDestination) setFail(v bool) {
	d.mu.Lock()
	d.fail = v
	d.mu.Unlock()
}

func (d *fakeDestination) snapshot() (records []fakeRecord, attempts int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]fakeRecord(nil), d.records...), d.attempts
}

// dataMessageJSON is the decoded DATA_MESSAGE.
type dataMessageJSON struct {
	MessageType         string   `json:"messageType"`
	Owner               string   `json:"owner"`
	LogGroup            string   `json:"logGroup"`
	LogStream           string   `json:"logStream"`
	SubscriptionFilters []string `json:"subscriptionFilters"`
	LogEvents           []struct {
		ID        string `json:"id"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	} `json:"logEvents"`
}

func gunzip(t testing.TB, p []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(p))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func decodePayload(t testing.TB, p []byte) dataMessageJSON {
	t.Helper()
	var m dataMessageJSON
	if err := json.Unmarshal(gunzip(t, p), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// deliveredMessages flattens what d received into messages, in order.
func deliveredMessages(t testing.TB, d *fakeDestination) []string {
	recs, _ := d.snapshot()
	var out []string
	for _, r := range recs {
		for _, ev := range decodePayload(t, r.payload).LogEvents {
			out = append(out, ev.Message)
		}
	}
	return out
}

// waitFor polls cond until it holds or 5 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func joinLines(s []string) string { return strings.Join(s, "\n") }

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(7, 11)) }

func sortEvents[T any](s []T, less func(a, b T) bool) {
	sort.SliceStable(s, func(i, j int) bool { return less(s[i], s[j]) })
}
