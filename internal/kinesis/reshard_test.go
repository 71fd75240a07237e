package kinesis

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func (e *env) listShards(stream string, filter *types.ShardFilter) []types.Shard {
	e.t.Helper()
	var shards []types.Shard
	in := &kinesis.ListShardsInput{StreamName: aws.String(stream), ShardFilter: filter}
	for {
		out, err := e.client.ListShards(ctx, in)
		if err != nil {
			e.t.Fatal(err)
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == nil {
			return shards
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// readInLineageOrder reads every shard from TRIM_HORIZON, a child only
// after all its parents are drained to their end, as KCL does.
func (e *env) readInLineageOrder(stream string) []types.Record {
	e.t.Helper()
	shards := e.listShards(stream, nil)
	done := map[string]bool{}
	var all []types.Record
	for len(done) < len(shards) {
		progressed := false
		for _, sh := range shards {
			id := aws.ToString(sh.ShardId)
			if done[id] {
				continue
			}
			parentsDone := true
			for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
				if p != nil && !done[*p] && e.knownShard(shards, *p) {
					parentsDone = false
				}
			}
			if !parentsDone {
				continue
			}
			recs, end := e.drain(e.iterator(stream, id, types.ShardIteratorTypeTrimHorizon, "", nil))
			if sh.SequenceNumberRange.EndingSequenceNumber != nil && end == nil {
				e.t.Fatalf("closed shard %s did not end", id)
			}
			if end != nil && len(end.ChildShards) == 0 {
				e.t.Fatalf("closed shard %s ended without ChildShards", id)
			}
			all = append(all, recs...)
			done[id] = true
			progressed = true
		}
		if !progressed {
			e.t.Fatal("lineage has a cycle or a missing parent")
		}
	}
	return all
}

func (e *env) knownShard(shards []types.Shard, id string) bool {
	for _, s := range shards {
		if aws.ToString(s.ShardId) == id {
			return true
		}
	}
	return false
}

// Every key's records come back in put order, none lost or duplicated,
// across a split and a merge done mid-stream.
func TestOrderingAcrossReshards(t *testing.T) {
	const total, keys, batch = 100_000, 1_000, 500
	e := newEnv(t)
	e.createStream("ord", 4)
	next := 0
	put := func(n int) {
		for end := next + n; next < end; {
			entries := make([]types.PutRecordsRequestEntry, 0, batch)
			for ; next < end && len(entries) < batch; next++ {
				k := next % keys
				entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("key-" + strconv.Itoa(k)),
					Data: []byte(strconv.Itoa(next / keys))})
			}
			out, err := e.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("ord"), Records: entries})
			if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
				t.Fatalf("PutRecords: %v failed=%d", err, aws.ToInt32(out.FailedRecordCount))
			}
		}
	}
	put(total / 3)
	shard0 := e.listShards("ord", nil)[0]
	start, _ := new(big.Int).SetString(aws.ToString(shard0.HashKeyRange.StartingHashKey), 10)
	end, _ := new(big.Int).SetString(aws.ToString(shard0.HashKeyRange.EndingHashKey), 10)
	mid := new(big.Int).Rsh(new(big.Int).Add(start, end), 1)
	if _, err := e.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("ord"),
		ShardToSplit: shard0.ShardId, NewStartingHashKey: aws.String(mid.String())}); err != nil {
		t.Fatal(err)
	}
	put(total / 3) // writes go to the children at once, while UPDATING
	e.clock.Advance(time.Second)
	if _, err := e.client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("ord"),
		ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000003")}); err != nil {
		t.Fatal(err)
	}
	put(total - next)
	e.clock.Advance(time.Second)

	shards := e.listShards("ord", nil)
	if len(shards) != 4+2+1 {
		t.Fatalf("%d shards after a split and a merge, want 7", len(shards))
	}
	open := e.listShards("ord", &types.ShardFilter{Type: types.ShardFilterTypeAtLatest})
	if len(open) != 4 {
		t.Fatalf("%d open shards, want 4", len(open))
	}
	merged := shards[6]
	if aws.ToString(merged.ParentShardId) != "shardId-000000000002" || aws.ToString(merged.AdjacentParentShardId) != "shardId-000000000003" {
		t.Fatalf("merged shard lineage %+v", merged)
	}

	seen := make([]int, keys) // next expected value per key
	for _, r := range e.readInLineageOrder("ord") {
		k, err := strconv.Atoi(strings.TrimPrefix(aws.ToString(r.PartitionKey), "key-"))
		if err != nil {
			t.Fatal(err)
		}
		v, _ := strconv.Atoi(string(r.Data))
		if v != seen[k] {
			t.Fatalf("key %d: got value %d, want %d (out of order, lost or duplicated)", k, v, seen[k])
		}
		seen[k]++
	}
	for k, n := range seen {
		if n != total/keys {
			t.Fatalf("key %d: %d records, want %d", k, n, total/keys)
		}
	}
}

func TestReshardErrors(t *testing.T) {
	e := newEnv(t)
	e.createStream("r", 3)
	c := e.client
	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"split key at the start", func() error {
			_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("r"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1")})
			return err
		}, "InvalidArgumentException", "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream r under account 123456789012 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey 113427455640312821154458202477256070484."},
		{"split unknown shard", func() error {
			_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("r"), ShardToSplit: aws.String("shardId-000000000009"), NewStartingHashKey: aws.String("100")})
			return err
		}, "ResourceNotFoundException", "Could not find shard shardId-000000000009 in stream r under account 123456789012."},
		{"merge non-adjacent", func() error {
			_, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("r"), ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000002")})
			return err
		}, "InvalidArgumentException", "Shards shardId-000000000000 and shardId-000000000002 in stream r under account 123456789012 are not an adjacent pair of shards eligible for merging"},
		{"scale beyond double", func() error {
			_, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("r"), TargetShardCount: aws.Int32(7), ScalingType: types.ScalingTypeUniformScaling})
			return err
		}, "LimitExceededException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.msg != "" {
				wantCode(t, err, tc.code, tc.msg)
			} else {
				wantCode(t, err, tc.code)
			}
		})
	}
	if n := len(e.listShards("r", nil)); n != 3 {
		t.Fatalf("refused reshards changed the shards: %d", n)
	}
	// While UPDATING, another reshard is refused.
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("r"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("r"), ShardToSplit: aws.String("shardId-000000000001"), NewStartingHashKey: aws.String("113427455640312821154458202477256070500")})
	wantCode(t, err, "ResourceInUseException", "Stream r under account 123456789012 not ACTIVE, instead in state UPDATING")
	e.clock.Advance(time.Second)
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("r"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("500")})
	wantCode(t, err, "InvalidArgumentException")
}

func TestUpdateShardCount(t *testing.T) {
	for _, tc := range []struct{ from, to int32 }{{4, 8}, {4, 2}, {3, 5}, {5, 3}, {1, 2}} {
		t.Run(fmt.Sprintf("%d to %d", tc.from, tc.to), func(t *testing.T) {
			e := newEnv(t)
			e.createStream("u", tc.from)
			for i := 0; i < 50; i++ {
				e.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("u"), PartitionKey: aws.String(strconv.Itoa(i)), Data: []byte("x")})
			}
			out, err := e.client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("u"), TargetShardCount: aws.Int32(tc.to), ScalingType: types.ScalingTypeUniformScaling})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToInt32(out.CurrentShardCount) != tc.from || aws.ToInt32(out.TargetShardCount) != tc.to {
				t.Fatalf("output %+v", out)
			}
			e.clock.Advance(time.Second)
			open := e.listShards("u", &types.ShardFilter{Type: types.ShardFilterTypeAtLatest})
			sort.Slice(open, func(i, j int) bool {
				a, _ := new(big.Int).SetString(aws.ToString(open[i].HashKeyRange.StartingHashKey), 10)
				b, _ := new(big.Int).SetString(aws.ToString(open[j].HashKeyRange.StartingHashKey), 10)
				return a.Cmp(b) < 0
			})
			want := evenRanges(int(tc.to))
			if len(open) != int(tc.to) {
				t.Fatalf("%d open shards, want %d", len(open), tc.to)
			}
			for i, sh := range open {
				if aws.ToString(sh.HashKeyRange.StartingHashKey) != want[i][0].String() || aws.ToString(sh.HashKeyRange.EndingHashKey) != want[i][1].String() {
					t.Fatalf("shard %d range %s..%s, want %s..%s", i, aws.ToString(sh.HashKeyRange.StartingHashKey), aws.ToString(sh.HashKeyRange.EndingHashKey), want[i][0], want[i][1])
				}
			}
			if n := len(e.readInLineageOrder("u")); n != 50 {
				t.Fatalf("read %d records after rescaling, want 50", n)
			}
		})
	}
}
