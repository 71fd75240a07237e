package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// crashRecordData is record (producer, call, i)'s content: its name, then
// bytes derived from it, so any record read after the crash can be checked
// whether or not it was acknowledged.
func crashRecordData(id string, size int) []byte {
	var seed uint64
	for _, c := range []byte(id) {
		seed = seed*131 + uint64(c)
	}
	data := randomBytes(seed, size)
	copy(data, id+"|")
	return data
}

func parseCrashRecordID(data []byte) (string, bool) {
	id, _, ok := bytes.Cut(data, []byte("|"))
	return string(id), ok && bytes.HasPrefix(id, []byte("p"))
}

// crashRecordSize is the data size of a record; the id encodes it.
func crashRecordSize(id string) int {
	i := strings.LastIndexByte(id, 's')
	n, _ := strconv.Atoi(id[i+1:])
	return n
}

type ackedRecord struct{ shard, seq string }

// TestKinesisCrashDurability: 8 concurrent producers PutRecords (100 records of
// 100 B–4 KiB per call) against the binary on disk; SIGKILL mid-way; restart on
// the same data directory; every shard read from TRIM_HORIZON: every
// acknowledged record is there exactly once, with its sequence number, shard and
// bytes; anything else visible is intact and there once; sequence numbers
// increase along each shard.
func TestKinesisCrashDurability(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	srv, err := launch(harness.binary, filepath.Join(t.TempDir(), "before-crash.log"), "--data-dir", dataDir)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		srv.kill()
		if t.Failed() {
			t.Logf("server output before the crash (tail):\n%s", srv.outputTail(40))
		}
	})
	c := srv.kinesisGoClient(t, false)
	name := uniqueStream("crash-kds")
	createStreamGo(t, c, name, 4)

	var (
		mu      sync.Mutex
		acked   = map[string]ackedRecord{}
		ackedN  atomic.Int64
		workers sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for p := range 8 {
		workers.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(p), 7))
			for call := 0; ctx.Err() == nil; call++ {
				entries := make([]types.PutRecordsRequestEntry, 100)
				ids := make([]string, len(entries))
				for i := range entries {
					size := 100 + rng.IntN(4<<10-100)
					ids[i] = fmt.Sprintf("p%d-c%04d-r%03d-s%d", p, call, i, size)
					entries[i] = types.PutRecordsRequestEntry{
						PartitionKey: aws.String(fmt.Sprintf("key-%d", rng.IntN(1000))),
						Data:         crashRecordData(ids[i], size),
					}
				}
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
				if err != nil {
					return // the kill (or the cancel after it)
				}
				mu.Lock()
				for i, r := range out.Records {
					if r.ErrorCode == nil {
						acked[ids[i]] = ackedRecord{aws.ToString(r.ShardId), aws.ToString(r.SequenceNumber)}
						ackedN.Add(1)
					}
				}
				mu.Unlock()
			}
		})
	}
	deadline := time.Now().Add(60 * time.Second)
	for ackedN.Load() < 4000 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Duration(rand.IntN(100)) * time.Millisecond)
	srv.kill() // SIGKILL, mid-way through some PutRecords
	cancel()
	workers.Wait()
	t.Logf("killed after %d acknowledged records", len(acked))
	if len(acked) < 1000 {
		t.Fatalf("only %d records acknowledged before the kill", len(acked))
	}

	again := startServer(t, "--data-dir", dataDir)
	c2 := again.kinesisGoClient(t, true)
	sum := waitStreamActiveGo(t, c2, name)
	if aws.ToInt32(sum.OpenShardCount) != 4 {
		t.Errorf("after restart: %d open shards, want 4", aws.ToInt32(sum.OpenShardCount))
	}
	shards, err := c2.ListShards(ctxT(t), &kinesis.ListShardsInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("ListShards after restart: %v", err)
	}
	type seen struct {
		shard, seq string
		count      int
	}
	found := map[string]*seen{}
	for _, sh := range shards.Shards {
		shard := aws.ToString(sh.ShardId)
		for _, r := range readShardGo(t, c2, name, shard) {
			id, ok := parseCrashRecordID(r.Data)
			if !ok {
				t.Errorf("%s: record %s with foreign data %q", shard, aws.ToString(r.SequenceNumber), truncate(string(r.Data), 40))
				continue
			}
			if want := crashRecordData(id, crashRecordSize(id)); !bytes.Equal(r.Data, want) {
				t.Errorf("%s: record %s is torn or altered (%d bytes, want %d)", shard, id, len(r.Data), len(want))
			}
			if f := found[id]; f != nil {
				f.count++
				continue
			}
			found[id] = &seen{shard, aws.ToString(r.SequenceNumber), 1}
		}
	}
	missing, moved, unacked := 0, 0, 0
	for id, a := range acked {
		f := found[id]
		switch {
		case f == nil:
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged record %s (%s, %s) is missing after the crash", id, a.shard, a.seq)
			}
		case f.shard != a.shard || f.seq != a.seq:
			moved++
			if moved <= 5 {
				t.Errorf("record %s acknowledged as %s/%s, read back as %s/%s", id, a.shard, a.seq, f.shard, f.seq)
			}
		}
	}
	for id, f := range found {
		if f.count > 1 {
			t.Errorf("record %s appears %d times", id, f.count)
		}
		if _, ok := acked[id]; !ok {
			unacked++
		}
	}
	if missing+moved > 0 {
		t.Errorf("%d acknowledged records missing, %d with another sequence number or shard, of %d", missing, moved, len(acked))
	}
	t.Logf("after restart: %d records read, %d of them written but not acknowledged before the kill", len(found), unacked)

	// The stream takes writes again, after the recovered records.
	put, err := c2.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("after"), Data: []byte("after restart")})
	if err != nil {
		t.Fatalf("PutRecord after restart: %v", err)
	}
	for _, r := range readShardGo(t, c2, name, aws.ToString(put.ShardId)) {
		if aws.ToString(r.SequenceNumber) == aws.ToString(put.SequenceNumber) && string(r.Data) != "after restart" {
			t.Errorf("the post-restart record reuses sequence number %s", aws.ToString(put.SequenceNumber))
		}
	}
}

// readShardGo reads a shard from TRIM_HORIZON to its end (an empty answer at
// the tip), checking that sequence numbers increase.
func readShardGo(t *testing.T, c *kinesis.Client, stream, shard string) []types.Record {
	t.Helper()
	it, err := c.GetShardIterator(ctxT(t), &kinesis.GetShardIteratorInput{
		StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		t.Fatalf("GetShardIterator %s: %v", shard, err)
	}
	var all []types.Record
	var last *big.Int
	iter := it.ShardIterator
	for range 10000 {
		out, err := c.GetRecords(ctxT(t), &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatalf("GetRecords %s after %d records: %v", shard, len(all), err)
		}
		for _, r := range out.Records {
			seq, ok := new(big.Int).SetString(aws.ToString(r.SequenceNumber), 10)
			if !ok || (last != nil && seq.Cmp(last) <= 0) {
				t.Errorf("%s: sequence number %s follows %v", shard, aws.ToString(r.SequenceNumber), last)
			}
			last = seq
		}
		all = append(all, out.Records...)
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 || out.NextShardIterator == nil {
			return all
		}
		iter = out.NextShardIterator
	}
	t.Fatalf("%s: no end after 10,000 GetRecords", shard)
	return nil
}
