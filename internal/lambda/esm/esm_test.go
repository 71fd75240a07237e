package esm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// The event element is the AWS-recorded field set in its order (spec §3.1).
func TestEventRecordFormat(t *testing.T) {
	mp := mapping(nil)
	mp.EventSourceARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	mp.RoleARN = "arn:aws:iam::000000000000:role/lambda-kinesis"
	r := Record{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", PartitionKey: "order-1001",
		Data: []byte(`{"order_id":1001,"email":"kim@example.com"}`), ArrivalTime: time.UnixMilli(1764000000123)}
	enc, err := encodeRecord(&mp, "shardId-000000000000", &r)
	if err != nil {
		t.Fatal(err)
	}
	got := string(buildEvent([]pendingRecord{{rec: r, enc: enc}}))
	want := `{"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"order-1001",` +
		`"sequenceNumber":"49590338271490256608559692538361571095921575989136588898",` +
		`"data":"eyJvcmRlcl9pZCI6MTAwMSwiZW1haWwiOiJraW1AZXhhbXBsZS5jb20ifQ==","approximateArrivalTimestamp":1764000000.123},` +
		`"eventSource":"aws:kinesis","eventVersion":"1.0",` +
		`"eventID":"shardId-000000000000:49590338271490256608559692538361571095921575989136588898",` +
		`"eventName":"aws:kinesis:record","invokeIdentityArn":"arn:aws:iam::000000000000:role/lambda-kinesis",` +
		`"awsRegion":"us-east-1","eventSourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"}]}`
	if got != want {
		t.Fatalf("event\n got %s\nwant %s", got, want)
	}
}

// Every record of both shards reaches the function once, in shard order,
// in batches of at most BatchSize, and the checkpoints end at the last.
func TestDeliversInOrderPerShardOnce(t *testing.T) {
	e := newEnv(t, 2)
	e.stream.put(0, 1000, numbered("a"))
	e.stream.put(1, 700, numbered("b"))
	e.put(mapping(func(m *Mapping) { m.BatchSize = 64 }))
	e.waitFor("all records", func() bool {
		d := delivered(e.inv.snapshot(), nil)
		return len(d[shardName(0)]) >= 1000 && len(d[shardName(1)]) >= 700
	})
	calls := e.inv.snapshot()
	for _, c := range calls {
		if len(c.seqs) > 64 {
			t.Fatalf("batch of %d > BatchSize", len(c.seqs))
		}
	}
	d := delivered(calls, nil)
	wantSeq(t, d[shardName(0)], "a", 0, 1000)
	wantSeq(t, d[shardName(1)], "b", 0, 700)
	e.waitFor("checkpoints", func() bool {
		return e.checkpoint(mapping(nil).UUID, shardName(0)).After == seqOf(0, 1000) &&
			e.checkpoint(mapping(nil).UUID, shardName(1)).After == seqOf(1, 700)
	})
	if _, st, _ := e.m.Get(mapping(nil).UUID); st.State != StateEnabled || st.LastProcessingResult != ResultOK {
		t.Fatalf("status %+v", st)
	}
}

// The batching window holds a short batch until it ends; a full batch goes
// at once.
func TestBatchingWindow(t *testing.T) {
	e := newEnv(t, 1)
	e.put(mapping(func(m *Mapping) { m.BatchSize = 10; m.MaximumBatchingWindow = time.Minute }))
	e.waitFor("enabled", func() bool { _, st, _ := e.m.Get(mapping(nil).UUID); return st.State == StateEnabled })
	e.stream.put(0, 3, numbered("w"))
	time.Sleep(50 * time.Millisecond)
	if n := len(e.inv.snapshot()); n != 0 {
		t.Fatalf("%d invocations inside the window", n)
	}
	e.clock.Advance(61 * time.Second)
	e.waitFor("window end", func() bool { return len(e.inv.snapshot()) == 1 })
	if c := e.inv.snapshot()[0]; len(c.data) != 3 {
		t.Fatalf("window batch %v", c.data)
	}
	// A full batch does not wait for the window.
	e.stream.put(0, 10, numbered("x"))
	e.waitFor("full batch", func() bool { return len(e.inv.snapshot()) == 2 })
	wantSeq(t, e.inv.snapshot()[1].data, "x", 0, 10)
}

// A batch never makes an event over 6 MB.
func TestBatchPayloadLimit(t *testing.T) {
	e := newEnv(t, 1)
	big := strings.Repeat("z", 900<<10) // ~1.2 MB base64 each
	e.stream.put(0, 12, func(i int) string { return fmt.Sprintf("%02d", i) + big })
	e.put(mapping(func(m *Mapping) { m.BatchSize = 100 }))
	e.waitFor("all", func() bool { return len(delivered(e.inv.snapshot(), nil)[shardName(0)]) == 12 })
	for _, c := range e.inv.snapshot() {
		size := 0
		for _, d := range c.data {
			size += len(d) * 4 / 3
		}
		if size > MaxPayloadBytes || len(c.data) > 5 {
			t.Fatalf("batch of %d records, %d bytes of data", len(c.data), size)
		}
	}
}

func failFirst(n int) func(call, int) ([]byte, string, error) {
	return func(c call, i int) ([]byte, string, error) {
		if i < n {
			return []byte(`{"errorMessage":"boom","errorType":"Exception"}`), "Unhandled", nil
		}
		return []byte("null"), "", nil
	}
}

// Failed batches are retried whole until they succeed; retries, record age
// and bisection decide when to give up.
func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		mod      func(*Mapping)
		respond  func(call, int) ([]byte, string, error)
		advance  time.Duration // clock moved after the first call
		want     []int         // batch sizes of the calls, in order
		discards int
		cond     string
	}{
		{name: "function error retried until success", respond: failFirst(3), want: []int{8, 8, 8, 8}},
		{name: "throttle retried until success", respond: func(c call, i int) ([]byte, string, error) {
			if i < 2 {
				return nil, "", errors.New("throttled")
			}
			return nil, "", nil
		}, mod: func(m *Mapping) { m.MaximumRetryAttempts = 0 }, want: []int{8, 8, 8}},
		{name: "retries exhausted", respond: failFirst(100), mod: func(m *Mapping) { m.MaximumRetryAttempts = 2 },
			want: []int{8, 8, 8}, discards: 1, cond: condRetries},
		{name: "record age exceeded", respond: failFirst(100), mod: func(m *Mapping) { m.MaximumRecordAgeSeconds = 60 },
			advance: 2 * time.Minute, discards: 1, cond: condAge},
		{name: "bisect isolates the bad record", mod: func(m *Mapping) { m.BisectBatchOnFunctionError = true; m.MaximumRetryAttempts = 0 },
			respond: func(c call, i int) ([]byte, string, error) {
				for _, d := range c.data {
					if d == "r-00005" {
						return []byte(`{}`), "Unhandled", nil
					}
				}
				return []byte("null"), "", nil
			},
			// [0,8) fails → [0,4) ok, [4,8) fails → [4,6) fails → [4] ok, [5] fails alone (discarded); [6,8) ok
			want: []int{8, 4, 4, 2, 1, 1, 2}, discards: 1, cond: condRetries},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			e.inv.respond = tc.respond
			e.stream.put(0, 8, numbered("r"))
			e.put(mapping(func(m *Mapping) {
				m.BatchSize = 8
				if tc.mod != nil {
					tc.mod(m)
				}
			}))
			if tc.advance > 0 {
				e.waitFor("first call", func() bool { return len(e.inv.snapshot()) > 0 })
				e.clock.Advance(tc.advance)
			}
			e.waitFor("checkpoint", func() bool { return e.checkpoint(mapping(nil).UUID, shardName(0)).After == seqOf(0, 8) })
			calls := e.inv.snapshot()
			if tc.want != nil {
				var sizes []int
				for _, c := range calls {
					sizes = append(sizes, len(c.data))
				}
				if fmt.Sprint(sizes) != fmt.Sprint(tc.want) {
					t.Fatalf("batch sizes %v, want %v", sizes, tc.want)
				}
			}
			_, st, _ := e.m.Get(mapping(nil).UUID)
			if st.DiscardedBatches != tc.discards {
				t.Fatalf("discarded %d, want %d", st.DiscardedBatches, tc.discards)
			}
			if tc.cond != "" && !strings.Contains(st.LastFailure, `"condition":"`+tc.cond+`"`) {
				t.Fatalf("failure record %s, want condition %s", st.LastFailure, tc.cond)
			}
			// The last call decides LastProcessingResult.
			if want := ResultOK; calls[len(calls)-1].failed(tc.respond, len(calls)-1) && st.LastProcessingResult != ResultProblem ||
				!calls[len(calls)-1].failed(tc.respond, len(calls)-1) && st.LastProcessingResult != want {
				t.Fatalf("LastProcessingResult %q", st.LastProcessingResult)
			}
			// The shard moves on after giving up.
			e.stream.put(0, 1, numbered("next"))
			e.waitFor("next record", func() bool {
				c := e.inv.snapshot()
				return c[len(c)-1].data[0] == "next-00000"
			})
		})
	}
}

// ReportBatchItemFailures: success forms, the lowest failure checkpoints
// just before it, and malformed entries fail the whole batch (spec §1.7.5).
func TestReportBatchItemFailures(t *testing.T) {
	seq := func(i int) string { return seqOf(0, i+1) }
	tests := []struct {
		name   string
		flag   bool
		result string
		retry  int // index of the first record of the second call; -1: no retry
	}{
		{name: "empty list", flag: true, result: `{"batchItemFailures":[]}`, retry: -1},
		{name: "null list", flag: true, result: `{"batchItemFailures":null}`, retry: -1},
		{name: "empty object", flag: true, result: `{}`, retry: -1},
		{name: "null", flag: true, result: `null`, retry: -1},
		{name: "no payload", flag: true, result: ``, retry: -1},
		{name: "lowest failure", flag: true, result: `{"batchItemFailures":[{"itemIdentifier":"` + seq(5) + `"},{"itemIdentifier":"` + seq(3) + `"}]}`, retry: 3},
		{name: "first record failed", flag: true, result: `{"batchItemFailures":[{"itemIdentifier":"` + seq(0) + `"}]}`, retry: 0},
		{name: "empty identifier", flag: true, result: `{"batchItemFailures":[{"itemIdentifier":""}]}`, retry: 0},
		{name: "null identifier", flag: true, result: `{"batchItemFailures":[{"itemIdentifier":null}]}`, retry: 0},
		{name: "bad key", flag: true, result: `{"batchItemFailures":[{"itemId":"` + seq(2) + `"}]}`, retry: 0},
		{name: "unknown identifier", flag: true, result: `{"batchItemFailures":[{"itemIdentifier":"nope"}]}`, retry: 0},
		{name: "flag off ignores the list", flag: false, result: `{"batchItemFailures":[{"itemIdentifier":"` + seq(3) + `"}]}`, retry: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			e.inv.respond = func(c call, n int) ([]byte, string, error) {
				if n == 0 {
					return []byte(tc.result), "", nil
				}
				return nil, "", nil
			}
			e.stream.put(0, 8, numbered("r"))
			e.put(mapping(func(m *Mapping) { m.BatchSize = 8; m.ReportBatchItemFailures = tc.flag }))
			e.waitFor("checkpoint", func() bool { return e.checkpoint(mapping(nil).UUID, shardName(0)).After == seqOf(0, 8) })
			calls := e.inv.snapshot()
			if tc.retry < 0 {
				if len(calls) != 1 {
					t.Fatalf("%d calls, want 1", len(calls))
				}
				return
			}
			if len(calls) != 2 {
				t.Fatalf("%d calls, want 2", len(calls))
			}
			wantSeq(t, calls[1].data, "r", tc.retry, 8)
		})
	}
}

// A restart resumes after the stored checkpoint: nothing is delivered
// twice or skipped.
func TestResumeFromCheckpoint(t *testing.T) {
	e := newEnv(t, 2)
	e.stream.put(0, 300, numbered("a"))
	e.stream.put(1, 300, numbered("b"))
	e.put(mapping(func(m *Mapping) { m.BatchSize = 50 }))
	uuid := mapping(nil).UUID
	e.waitFor("first part", func() bool {
		return e.checkpoint(uuid, shardName(0)).After == seqOf(0, 300) && e.checkpoint(uuid, shardName(1)).After == seqOf(1, 300)
	})
	e.restart()
	e.stream.put(0, 200, func(i int) string { return fmt.Sprintf("a-%05d", 300+i) })
	e.stream.put(1, 200, func(i int) string { return fmt.Sprintf("b-%05d", 300+i) })
	e.waitFor("second part", func() bool {
		return e.checkpoint(uuid, shardName(0)).After == seqOf(0, 500) && e.checkpoint(uuid, shardName(1)).After == seqOf(1, 500)
	})
	d := delivered(e.inv.snapshot(), nil)
	wantSeq(t, d[shardName(0)], "a", 0, 500)
	wantSeq(t, d[shardName(1)], "b", 0, 500)
	if mps := e.m.List(); len(mps) != 1 || mps[0].BatchSize != 50 {
		t.Fatalf("after restart: %+v", mps)
	}
}

// Children of a split start only once the parent is drained, also across
// a restart.
func TestParentsBeforeChildren(t *testing.T) {
	e := newEnv(t, 1)
	e.stream.put(0, 250, numbered("p"))
	a, b := e.stream.split(0)
	e.stream.put(a, 40, numbered("ca"))
	e.stream.put(b, 40, numbered("cb"))
	e.put(mapping(func(m *Mapping) { m.BatchSize = 25 }))
	uuid := mapping(nil).UUID
	e.waitFor("children", func() bool {
		d := delivered(e.inv.snapshot(), nil)
		return len(d[shardName(a)]) == 40 && len(d[shardName(b)]) == 40
	})
	calls := e.inv.snapshot()
	lastParent, firstChild := -1, len(calls)
	for i, c := range calls {
		if c.shard == shardName(0) {
			lastParent = i
		} else if i < firstChild {
			firstChild = i
		}
	}
	if lastParent > firstChild {
		t.Fatalf("child call %d before parent call %d", firstChild, lastParent)
	}
	wantSeq(t, delivered(calls, nil)[shardName(0)], "p", 0, 250)
	if !e.checkpoint(uuid, shardName(0)).Done {
		t.Fatal("parent not marked done")
	}
	// Later splits of a child are found by the shard refresh.
	e.restart()
	c1, c2 := e.stream.split(a)
	e.stream.put(c1, 5, numbered("g1"))
	e.stream.put(c2, 5, numbered("g2"))
	e.waitFor("grandchildren", func() bool {
		d := delivered(e.inv.snapshot(), nil)
		return len(d[shardName(c1)]) == 5 && len(d[shardName(c2)]) == 5
	})
	if d := delivered(e.inv.snapshot(), nil); len(d[shardName(0)]) != 250 || len(d[shardName(a)]) != 40 {
		t.Fatalf("redelivered after restart: parent %d, child %d", len(d[shardName(0)]), len(d[shardName(a)]))
	}
}

// LATEST skips what the stream held when the mapping started (and stays
// put over a restart before the first batch); AT_TIMESTAMP starts at the
// time.
func TestStartingPositions(t *testing.T) {
	t.Run("LATEST", func(t *testing.T) {
		e := newEnv(t, 1)
		e.stream.put(0, 5, numbered("old"))
		e.put(mapping(func(m *Mapping) { m.StartingPosition = Latest }))
		e.waitFor("start fixed", func() bool { _, st, _ := e.m.Get(mapping(nil).UUID); return st.State == StateEnabled })
		e.restart()
		e.stream.put(0, 3, numbered("new"))
		e.waitFor("new records", func() bool { return len(delivered(e.inv.snapshot(), nil)[shardName(0)]) >= 3 })
		wantSeq(t, delivered(e.inv.snapshot(), nil)[shardName(0)], "new", 0, 3)
	})
	t.Run("AT_TIMESTAMP", func(t *testing.T) {
		e := newEnv(t, 1)
		e.stream.put(0, 4, numbered("before"))
		e.clock.Advance(time.Minute)
		at := e.clock.Now()
		e.stream.put(0, 4, numbered("after"))
		e.put(mapping(func(m *Mapping) { m.StartingPosition = AtTimestamp; m.StartingPositionTimestamp = at }))
		e.waitFor("records", func() bool { return len(delivered(e.inv.snapshot(), nil)[shardName(0)]) >= 4 })
		wantSeq(t, delivered(e.inv.snapshot(), nil)[shardName(0)], "after", 0, 4)
	})
}

// States: Creating → Enabled, Disabling → Disabled (nothing delivered),
// re-enabled resumes, Deleting → gone with its kv keys.
func TestStatesAndRemove(t *testing.T) {
	e := newEnv(t, 1)
	uuid := mapping(nil).UUID
	if err := e.m.Put(context.Background(), mapping(func(m *Mapping) { m.EventSourceARN += "-missing" })); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("unknown stream: %v", err)
	}
	// Put before Start: the mapping waits in Creating.
	if err := e.m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.put(mapping(nil))
	if _, st, _ := e.m.Get(uuid); st.State != StateCreating || st.LastProcessingResult != ResultNone {
		t.Fatalf("after create: %+v", st)
	}
	if err := e.m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.waitFor("Enabled", func() bool { _, st, _ := e.m.Get(uuid); return st.State == StateEnabled })
	e.put(mapping(func(m *Mapping) { m.Enabled = false }))
	e.waitFor("Disabled", func() bool { _, st, _ := e.m.Get(uuid); return st.State == StateDisabled })
	e.stream.put(0, 5, numbered("d"))
	time.Sleep(30 * time.Millisecond)
	if n := len(e.inv.snapshot()); n != 0 {
		t.Fatalf("disabled mapping invoked %d times", n)
	}
	e.restart()
	if _, st, ok := e.m.Get(uuid); !ok || st.State != StateDisabled {
		t.Fatalf("after restart: %+v", st)
	}
	e.put(mapping(nil))
	e.waitFor("re-enabled delivery", func() bool { return len(delivered(e.inv.snapshot(), nil)[shardName(0)]) == 5 })
	if err := e.m.Remove(context.Background(), uuid); err != nil {
		t.Fatal(err)
	}
	if _, st, ok := e.m.Get(uuid); ok && st.State != StateDeleting {
		t.Fatalf("after remove: %+v", st)
	}
	e.waitFor("gone", func() bool { _, _, ok := e.m.Get(uuid); return !ok })
	if err := e.m.Remove(context.Background(), uuid); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
	n := 0
	e.kv.View(func(r kv.Reader) error {
		return r.Iterate([]byte(keyPrefix), nil, func(k, _ []byte) (bool, error) { n++; return true, nil })
	})
	if n != 0 {
		t.Fatalf("%d keys left under %s", n, keyPrefix)
	}
}

// A parent that expires while its batch keeps failing is given up on
// (RecordAgeExceeded) and its children go ahead; ParallelizationFactor > 1
// still delivers in shard order.
func TestExpiredParent(t *testing.T) {
	e := newEnv(t, 1)
	e.inv.respond = func(c call, n int) ([]byte, string, error) {
		if c.shard == shardName(0) {
			return []byte(`{}`), "Unhandled", nil
		}
		return nil, "", nil
	}
	e.stream.put(0, 5, numbered("p"))
	a, b := e.stream.split(0)
	e.stream.put(a, 30, numbered("ca"))
	e.stream.put(b, 30, numbered("cb"))
	e.put(mapping(func(m *Mapping) { m.BatchSize = 7; m.ParallelizationFactor = 4 }))
	e.waitFor("parent retried", func() bool { return len(e.inv.snapshot()) > 3 })
	if d := delivered(e.inv.snapshot(), nil); len(d[shardName(a)])+len(d[shardName(b)]) != 0 {
		t.Fatal("children started before the parent finished")
	}
	e.stream.expire(0)
	e.waitFor("children", func() bool {
		d := delivered(e.inv.snapshot(), nil)
		return len(d[shardName(a)]) == 30 && len(d[shardName(b)]) == 30
	})
	d := delivered(e.inv.snapshot(), nil)
	wantSeq(t, d[shardName(a)], "ca", 0, 30)
	wantSeq(t, d[shardName(b)], "cb", 0, 30)
	if _, st, _ := e.m.Get(mapping(nil).UUID); st.DiscardedBatches != 1 || !strings.Contains(st.LastFailure, condAge) {
		t.Fatalf("status %+v", st)
	}
}
