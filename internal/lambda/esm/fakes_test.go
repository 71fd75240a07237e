package esm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

const (
	testStream = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
	testFn     = "arn:aws:lambda:us-east-1:123456789012:function:consumer"
	testRole   = "arn:aws:iam::123456789012:role/lambda-kinesis"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fakeStream is an in-memory stream: shards of records whose sequence
// numbers are "<2-digit shard><10-digit position>", position 0 being the
// shard's starting sequence.
type fakeStream struct {
	mu     sync.Mutex
	clock  *fakeClock
	shards []*fakeShard
	exists bool
}

type fakeShard struct {
	idx     int
	parents []string
	closed  bool
	expired bool
	recs    []Record
}

func shardName(i int) string { return fmt.Sprintf("shardId-%012d", i) }
func seqOf(shard, pos int) string {
	return fmt.Sprintf("%02d%010d", shard, pos)
}

func newFakeStream(clock *fakeClock, shards int) *fakeStream {
	s := &fakeStream{clock: clock, exists: true}
	for i := 0; i < shards; i++ {
		s.shards = append(s.shards, &fakeShard{idx: i})
	}
	return s
}

// put appends records "<prefix>-<n>" to a shard, returning their sequence numbers.
func (s *fakeStream) put(shard, n int, data func(i int) string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh := s.shards[shard]
	var seqs []string
	for i := 0; i < n; i++ {
		seq := seqOf(shard, len(sh.recs)+1)
		sh.recs = append(sh.recs, Record{SequenceNumber: seq, PartitionKey: fmt.Sprintf("pk-%d", i%7),
			Data: []byte(data(i)), ArrivalTime: s.clock.Now()})
		seqs = append(seqs, seq)
	}
	return seqs
}

// split closes a shard and adds two children.
func (s *fakeStream) split(parent int) (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shards[parent].closed = true
	a := &fakeShard{idx: len(s.shards), parents: []string{shardName(parent)}}
	b := &fakeShard{idx: len(s.shards) + 1, parents: []string{shardName(parent)}}
	s.shards = append(s.shards, a, b)
	return a.idx, b.idx
}

// expire drops a shard from listings, as retention does to a closed
// shard whose records all expired.
func (s *fakeStream) expire(shard int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shards[shard].expired = true
}

func (s *fakeStream) Shards(ctx context.Context, arn string) ([]Shard, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if arn != testStream || !s.exists {
		return nil, fmt.Errorf("%w: %s", ErrStreamNotFound, arn)
	}
	var out []Shard
	for _, sh := range s.shards {
		if sh.expired {
			continue
		}
		out = append(out, Shard{ID: shardName(sh.idx), ParentIDs: sh.parents, StartingSequence: seqOf(sh.idx, 0), Closed: sh.closed})
	}
	return out, nil
}

func (s *fakeStream) shard(id string) (*fakeShard, error) {
	for _, sh := range s.shards {
		if shardName(sh.idx) == id {
			return sh, nil
		}
	}
	return nil, fmt.Errorf("no shard %s", id)
}

func (s *fakeStream) from(id string, pos, limit, maxBytes int) ([]Record, error) {
	sh, err := s.shard(id)
	if err != nil {
		return nil, err
	}
	var out []Record
	size := 0
	for i := pos; i < len(sh.recs) && len(out) < limit; i++ {
		size += len(sh.recs[i].Data) + len(sh.recs[i].PartitionKey)
		if len(out) > 0 && size > maxBytes {
			break
		}
		out = append(out, sh.recs[i])
	}
	return out, nil
}

func (s *fakeStream) ReadAfter(ctx context.Context, arn, id, after string, limit, maxBytes int) ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var shard, pos int
	if _, err := fmt.Sscanf(after, "%02d%010d", &shard, &pos); err != nil || shardName(shard) != id {
		return nil, fmt.Errorf("bad sequence %q for %s", after, id)
	}
	return s.from(id, pos, limit, maxBytes)
}

func (s *fakeStream) ReadFromStart(ctx context.Context, arn, id string, limit, maxBytes int) ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.from(id, 0, limit, maxBytes)
}

func (s *fakeStream) LatestSequence(ctx context.Context, arn, id string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, err := s.shard(id)
	if err != nil || len(sh.recs) == 0 {
		return "", err
	}
	return sh.recs[len(sh.recs)-1].SequenceNumber, nil
}

func (s *fakeStream) ReadAtTimestamp(ctx context.Context, arn, id string, ts time.Time, limit, maxBytes int) ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, err := s.shard(id)
	if err != nil {
		return nil, err
	}
	pos := sort.Search(len(sh.recs), func(i int) bool { return !sh.recs[i].ArrivalTime.Before(ts) })
	return s.from(id, pos, limit, maxBytes)
}

// event is a decoded invocation payload.
type event struct {
	Records []struct {
		Kinesis struct {
			PartitionKey   string  `json:"partitionKey"`
			SequenceNumber string  `json:"sequenceNumber"`
			Data           string  `json:"data"`
			Arrival        float64 `json:"approximateArrivalTimestamp"`
		} `json:"kinesis"`
		EventID string `json:"eventID"`
	} `json:"Records"`
}

// call is one invocation as the fake function saw it.
type call struct {
	shard string // from the first eventID
	seqs  []string
	data  []string
}

// fakeInvoker records invocations and answers with respond.
type fakeInvoker struct {
	mu      sync.Mutex
	calls   []call
	respond func(c call, n int) (result []byte, fnErr string, err error) // n: index of this call
}

func (f *fakeInvoker) InvokeSync(ctx context.Context, fn string, payload []byte) ([]byte, string, error) {
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, "", err
	}
	var c call
	for i, r := range ev.Records {
		if i == 0 {
			c.shard = r.EventID[:len(r.EventID)-len(r.Kinesis.SequenceNumber)-1]
		}
		d, _ := base64.StdEncoding.DecodeString(r.Kinesis.Data)
		c.seqs = append(c.seqs, r.Kinesis.SequenceNumber)
		c.data = append(c.data, string(d))
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	n := len(f.calls) - 1
	respond := f.respond
	f.mu.Unlock()
	if respond == nil {
		return []byte("null"), "", nil
	}
	return respond(c, n)
}

func (f *fakeInvoker) snapshot() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// env is a manager on fakes and a memory kv.
type env struct {
	t      *testing.T
	clock  *fakeClock
	stream *fakeStream
	inv    *fakeInvoker
	kv     kv.Store
	m      *Manager
}

func newEnv(t *testing.T, shards int) *env {
	c := newClock()
	e := &env{t: t, clock: c, stream: newFakeStream(c, shards), inv: &fakeInvoker{}, kv: kv.NewMemory()}
	e.start()
	return e
}

func (e *env) start() {
	e.m = New(Config{Streams: e.stream, Invoke: e.inv, KV: e.kv, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PollInterval: 2 * time.Millisecond, RetryBackoff: time.Millisecond})
	if err := e.m.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	m := e.m
	e.t.Cleanup(func() { m.Stop(context.Background()) })
}

func (e *env) restart() {
	if err := e.m.Stop(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.start()
}

func mapping(mod func(*Mapping)) Mapping {
	mp := Mapping{UUID: "a1b2c3d4-0000-4000-8000-000000000001", FunctionARN: testFn, EventSourceARN: testStream,
		BatchSize: 100, StartingPosition: TrimHorizon, MaximumRetryAttempts: -1, MaximumRecordAgeSeconds: -1,
		Enabled: true, ParallelizationFactor: 1, RoleARN: testRole, Region: "us-east-1"}
	if mod != nil {
		mod(&mp)
	}
	return mp
}

func (e *env) put(mp Mapping) {
	e.t.Helper()
	if err := e.m.Put(context.Background(), mp); err != nil {
		e.t.Fatal(err)
	}
}

// waitFor polls cond for up to 5 s.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s (calls: %d)", what, len(e.inv.snapshot()))
		}
		time.Sleep(time.Millisecond)
	}
}

// delivered returns, per shard, the data of every record in call order,
// counting only calls that succeeded per ok (nil: all).
func delivered(calls []call, ok func(n int) bool) map[string][]string {
	out := map[string][]string{}
	for n, c := range calls {
		if ok == nil || ok(n) {
			out[c.shard] = append(out[c.shard], c.data...)
		}
	}
	return out
}

func numbered(prefix string) func(int) string {
	return func(i int) string { return fmt.Sprintf("%s-%05d", prefix, i) }
}

func wantSeq(t *testing.T, got []string, prefix string, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("%s: got %d records, want %d (%v…)", prefix, len(got), to-from, head(got))
	}
	for i, d := range got {
		if want := fmt.Sprintf("%s-%05d", prefix, from+i); d != want {
			t.Fatalf("%s: record %d = %q, want %q", prefix, i, d, want)
		}
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

func (e *env) checkpoint(uuid, shard string) checkpoint {
	_, cps, err := e.m.loadCheckpoints(uuid)
	if err != nil {
		e.t.Fatal(err)
	}
	return cps[shard]
}

// failed reports whether respond answered call n with a failure.
func (c call) failed(respond func(call, int) ([]byte, string, error), n int) bool {
	if respond == nil {
		return false
	}
	_, fnErr, err := respond(c, n)
	return fnErr != "" || err != nil
}
