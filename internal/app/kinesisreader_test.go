package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/kinesis"
	"github.com/tributary-dev/tributary/internal/lambda/esm"
	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

const (
	esmRegion  = "us-east-1"
	esmAccount = "000000000000"
	esmStream  = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	esmFn      = "arn:aws:lambda:us-east-1:000000000000:function:consumer"
)

// esmKinesis is a real Kinesis service on a temp streamlog store and a
// memory kv, reopened on the same storage by restart.
type esmKinesis struct {
	t    *testing.T
	dir  string
	meta kv.Store
	logs *streamlog.Store
	svc  *kinesis.Service
}

func newESMKinesis(t *testing.T) *esmKinesis {
	k := &esmKinesis{t: t, dir: t.TempDir(), meta: kv.NewMemory()}
	k.open()
	t.Cleanup(k.close)
	return k
}

func (k *esmKinesis) open() {
	logs, err := streamlog.Open(k.dir, streamlog.Options{})
	if err != nil {
		k.t.Fatal(err)
	}
	k.logs = logs
	k.svc = kinesis.New(k.meta, logs, kinesis.Config{Region: esmRegion, AccountID: esmAccount, CreateDelay: time.Nanosecond,
		UpdateDelay: time.Nanosecond, Logger: quietLogger()})
	if err := k.svc.Start(context.Background()); err != nil {
		k.t.Fatal(err)
	}
}

func (k *esmKinesis) close() {
	if k.svc == nil {
		return
	}
	k.svc.Stop(context.Background())
	k.logs.Close()
	k.svc = nil
}

// call runs a Kinesis operation through the service's own handler.
func (k *esmKinesis) call(op, body string) {
	k.t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	w := httptest.NewRecorder()
	err := k.svc.Handle(w, r, awsproto.Route{Service: "kinesis", Operation: op, Protocol: awsproto.ProtocolJSON11, JSONPrefix: "Kinesis_20131202"})
	if err != nil || w.Code != http.StatusOK {
		k.t.Fatalf("%s: %v (HTTP %d %s)", op, err, w.Code, w.Body)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// recordingFn is a function that records each invocation's records and
// fails the calls fail says to.
type recordingFn struct {
	mu    sync.Mutex
	calls [][]esmEventRecord
	fail  func(n int) bool
	after func(n int) // called after call n succeeded
}

type esmEventRecord struct {
	Kinesis struct {
		PartitionKey   string `json:"partitionKey"`
		SequenceNumber string `json:"sequenceNumber"`
		Data           string `json:"data"`
	} `json:"kinesis"`
	EventID        string `json:"eventID"`
	EventSourceARN string `json:"eventSourceARN"`
}

func (f *recordingFn) InvokeSync(ctx context.Context, fn string, payload []byte) ([]byte, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	var ev struct{ Records []esmEventRecord }
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	f.calls = append(f.calls, ev.Records)
	n := len(f.calls) - 1
	fail := f.fail != nil && f.fail(n)
	after := f.after
	f.mu.Unlock()
	if fail {
		return []byte(`{"errorMessage":"boom","errorType":"Exception"}`), "Unhandled", nil
	}
	if after != nil {
		after(n)
	}
	return []byte("null"), "", nil
}

// delivery is what the function saw, per shard, over the successful calls
// (a failed call's records are not counted).
func (f *recordingFn) delivery() map[string][]esmEventRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]esmEventRecord{}
	for n, recs := range f.calls {
		if f.fail != nil && f.fail(n) {
			continue
		}
		for _, r := range recs {
			shard, _, _ := strings.Cut(r.EventID, ":")
			out[shard] = append(out[shard], r)
		}
	}
	return out
}

func (f *recordingFn) count() int {
	n := 0
	for _, recs := range f.delivery() {
		n += len(recs)
	}
	return n
}

func newESM(k *esmKinesis, meta kv.Store, fn esm.Invoker) *esm.Manager {
	return esm.New(esm.Config{Streams: newKinesisReader(k.svc), Invoke: fn, KV: meta, Logger: quietLogger(),
		PollInterval: 5 * time.Millisecond, RetryBackoff: time.Millisecond})
}

// putRecords puts n records "k<key>/<counter>" over 16 partition keys.
func putRecords(t *testing.T, k *esmKinesis, from, n int) {
	recs := make([]kinesis.InProcessRecord, n)
	for i := range recs {
		j := from + i
		recs[i] = kinesis.InProcessRecord{PartitionKey: fmt.Sprintf("key-%02d", j%16), Data: fmt.Appendf(nil, "%06d", j)}
	}
	if err := k.svc.PutRecordsByARN(context.Background(), esmStream, recs); err != nil {
		t.Fatal(err)
	}
}

// checkDelivery checks per-shard order (strictly increasing sequence
// numbers when once, else non-decreasing positions with replays only from
// a checkpoint), that every record 0..n-1 arrived, and returns how many
// arrived more than once.
func checkDelivery(t *testing.T, got map[string][]esmEventRecord, n int, once bool) int {
	t.Helper()
	seen := make([]int, n)
	if len(got) != 2 {
		t.Fatalf("records from %d shards, want 2", len(got))
	}
	dups := 0
	for shard, recs := range got {
		maxSeq := ""
		for i, r := range recs {
			if r.EventSourceARN != esmStream || !strings.HasPrefix(r.EventID, shard+":") {
				t.Fatalf("record %+v", r)
			}
			if r.Kinesis.SequenceNumber <= maxSeq {
				if once {
					t.Fatalf("%s: record %d seq %s not after %s", shard, i, r.Kinesis.SequenceNumber, maxSeq)
				}
			}
			maxSeq = max(maxSeq, r.Kinesis.SequenceNumber)
			data, err := base64.StdEncoding.DecodeString(r.Kinesis.Data)
			if err != nil {
				t.Fatal(err)
			}
			var j int
			fmt.Sscanf(string(data), "%d", &j)
			if seen[j] > 0 {
				dups++
			}
			seen[j]++
		}
	}
	for j, c := range seen {
		if c == 0 {
			t.Fatalf("record %d never delivered", j)
		}
		if once && c != 1 {
			t.Fatalf("record %d delivered %d times", j, c)
		}
	}
	// Per partition key, first deliveries are in put order.
	for shard, recs := range got {
		last := map[string]int{}
		for _, r := range recs {
			data, _ := base64.StdEncoding.DecodeString(r.Kinesis.Data)
			var j int
			fmt.Sscanf(string(data), "%d", &j)
			if prev, ok := last[r.Kinesis.PartitionKey]; ok && j < prev && once {
				t.Fatalf("%s: key %s: %d after %d", shard, r.Kinesis.PartitionKey, j, prev)
			}
			last[r.Kinesis.PartitionKey] = max(last[r.Kinesis.PartitionKey], j)
		}
	}
	return dups
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func esmMapping() esm.Mapping {
	return esm.Mapping{UUID: "3f0e7d9c-1111-4222-8333-444455556666", FunctionARN: esmFn, EventSourceARN: esmStream,
		BatchSize: 100, StartingPosition: esm.TrimHorizon, MaximumRetryAttempts: -1, MaximumRecordAgeSeconds: -1,
		Enabled: true, ParallelizationFactor: 1, RoleARN: "arn:aws:iam::000000000000:role/lambda-kinesis", Region: esmRegion}
}

// 10,000 records across 2 shards reach the function in order per shard,
// each once when it succeeds.
func TestKinesisESMDeliversOnce(t *testing.T) {
	k := newESMKinesis(t)
	k.call("CreateStream", `{"StreamName":"orders","ShardCount":2}`)
	putRecords(t, k, 0, 10_000)
	fn := &recordingFn{}
	m := newESM(k, kv.NewMemory(), fn)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(context.Background())
	if err := m.Put(context.Background(), esmMapping()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "10,000 records", func() bool { return fn.count() >= 10_000 })
	checkDelivery(t, fn.delivery(), 10_000, true)
}

// A failing function gets the same batch again until it succeeds; nothing
// is skipped.
func TestKinesisESMRetriesFailures(t *testing.T) {
	k := newESMKinesis(t)
	k.call("CreateStream", `{"StreamName":"orders","ShardCount":2}`)
	putRecords(t, k, 0, 2_000)
	fn := &recordingFn{fail: func(n int) bool { return n%3 == 1 }} // every third call fails
	m := newESM(k, kv.NewMemory(), fn)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(context.Background())
	if err := m.Put(context.Background(), esmMapping()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "2,000 records", func() bool { return fn.count() >= 2_000 })
	got := fn.delivery()
	checkDelivery(t, got, 2_000, true)
	// Each failed call is followed by the same batch.
	fn.mu.Lock()
	defer fn.mu.Unlock()
	for n := 1; n < len(fn.calls); n += 3 {
		failed := fn.calls[n]
		retried := false
		for _, c := range fn.calls[n+1:] {
			if c[0].EventID == failed[0].EventID {
				retried = len(c) == len(failed) && c[len(c)-1].EventID == failed[len(failed)-1].EventID
				break
			}
		}
		if !retried {
			t.Fatalf("failed call %d (%s…) not retried with the same batch", n, failed[0].EventID)
		}
	}
}

// Stopping mid-way and restarting Kinesis and the mappings on the same
// storage resumes from the checkpoints: every record arrives, in order
// per shard, replays only from a checkpoint (at-least-once, no gaps).
func TestKinesisESMResumesAfterRestart(t *testing.T) {
	k := newESMKinesis(t)
	k.call("CreateStream", `{"StreamName":"orders","ShardCount":2}`)
	putRecords(t, k, 0, 10_000)
	meta := kv.NewMemory() // Lambda's kv survives the restart, as the data dir does
	halfway := make(chan struct{})
	var once sync.Once
	fn := &recordingFn{after: func(n int) {
		if n == 30 {
			once.Do(func() { close(halfway) })
		}
	}}
	m := newESM(k, meta, fn)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := m.Put(context.Background(), esmMapping()); err != nil {
		t.Fatal(err)
	}
	<-halfway
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := fn.count()
	if before >= 10_000 {
		t.Fatalf("all %d delivered before the restart", before)
	}
	k.close()
	k.open()
	m2 := newESM(k, meta, fn)
	if err := m2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m2.Stop(context.Background())
	if _, st, ok := m2.Get(esmMapping().UUID); !ok || st.State == esm.StateDeleting {
		t.Fatalf("mapping after restart: %v %+v", ok, st)
	}
	putRecords(t, k, 10_000, 1_000)
	waitUntil(t, "11,000 records", func() bool { return fn.count() >= 11_000 })
	time.Sleep(20 * time.Millisecond)
	dups := checkDelivery(t, fn.delivery(), 11_000, false)
	// Only a batch in flight per shard at the stop may come again.
	if dups > 2*esmMapping().BatchSize {
		t.Fatalf("%d records delivered twice, more than the batches in flight", dups)
	}
	// Per shard, each new highest sequence number is the next record of
	// the shard: replays go back to a checkpoint, never forward past a gap.
	for shard, recs := range fn.delivery() {
		seqs := map[string]bool{}
		for _, r := range recs {
			seqs[r.Kinesis.SequenceNumber] = true
		}
		sorted := make([]string, 0, len(seqs))
		for s := range seqs {
			sorted = append(sorted, s)
		}
		slices.Sort(sorted)
		index := map[string]int{}
		for i, s := range sorted {
			index[s] = i
		}
		high := -1
		for _, r := range recs {
			i := index[r.Kinesis.SequenceNumber]
			if i > high+1 {
				t.Fatalf("%s: gap before %s", shard, r.Kinesis.SequenceNumber)
			}
			high = max(high, i)
		}
	}
}

// The adapter tells a missing stream apart (esm.ErrStreamNotFound) and
// lists shards with lineage after a split, parents closed.
func TestKinesisReaderAdapter(t *testing.T) {
	k := newESMKinesis(t)
	r := newKinesisReader(k.svc)
	ctx := context.Background()
	if _, err := r.Shards(ctx, esmStream); !errors.Is(err, esm.ErrStreamNotFound) {
		t.Fatalf("missing stream: %v", err)
	}
	k.call("CreateStream", `{"StreamName":"orders","ShardCount":1}`)
	if seq, err := r.LatestSequence(ctx, esmStream, "shardId-000000000000"); err != nil || seq != "" {
		t.Fatalf("empty shard latest %q, %v", seq, err)
	}
	putRecords(t, k, 0, 3)
	k.call("SplitShard", `{"StreamName":"orders","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"170141183460469231731687303715884105728"}`)
	shards, err := r.Shards(ctx, esmStream)
	if err != nil {
		t.Fatal(err)
	}
	if len(shards) != 3 || !shards[0].Closed || shards[1].Closed || fmt.Sprint(shards[1].ParentIDs) != "[shardId-000000000000]" {
		t.Fatalf("shards %+v", shards)
	}
	all, err := r.ReadFromStart(ctx, esmStream, shards[0].ID, 10, 1<<20)
	if err != nil || len(all) != 3 {
		t.Fatalf("from start: %d, %v", len(all), err)
	}
	latest, err := r.LatestSequence(ctx, esmStream, shards[0].ID)
	if err != nil || latest != all[2].SequenceNumber {
		t.Fatalf("latest %q, %v, want %s", latest, err, all[2].SequenceNumber)
	}
	after, err := r.ReadAfter(ctx, esmStream, shards[0].ID, all[0].SequenceNumber, 10, 1<<20)
	if err != nil || len(after) != 2 || after[0].SequenceNumber != all[1].SequenceNumber {
		t.Fatalf("after first: %+v, %v", after, err)
	}
	fromStart, err := r.ReadAfter(ctx, esmStream, shards[0].ID, shards[0].StartingSequence, 2, 1<<20)
	if err != nil || len(fromStart) != 2 || fromStart[0].SequenceNumber != all[0].SequenceNumber {
		t.Fatalf("after starting sequence: %+v, %v", fromStart, err)
	}
	at, err := r.ReadAtTimestamp(ctx, esmStream, shards[0].ID, all[0].ArrivalTime.Add(-time.Hour), 10, 1<<20)
	if err != nil || len(at) != 3 {
		t.Fatalf("at timestamp: %d, %v", len(at), err)
	}
	if _, err := r.ReadAfter(ctx, esmStream, shards[1].ID, all[0].SequenceNumber, 10, 1<<20); err == nil {
		t.Fatal("another shard's sequence number accepted")
	}
	if _, err := r.ReadFromStart(ctx, esmStream, "shardId-000000000009", 10, 1<<20); !errors.Is(err, kinesis.ErrShardNotFound) {
		t.Fatalf("missing shard: %v", err)
	}
}
