package kinesis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// segmentFiles counts the segment files of a stream's shard logs on disk.
func (e *env) segmentFiles(stream string) int {
	e.t.Helper()
	st := e.svc.lookup(stream)
	n := 0
	filepath.WalkDir(filepath.Join(e.dir, "kinesis", st.meta.ID), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(path, "+log") {
			n++
		}
		return nil
	})
	return n
}

func TestRetention(t *testing.T) {
	e := newEnv(t, withSegmentBytes(4096))
	e.createStream("ret", 1)
	c := e.client
	put := func(tag string, n int) {
		for i := 0; i < n; i++ {
			if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("ret"), PartitionKey: aws.String("k"),
				Data: []byte(tag + strings.Repeat("x", 500))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	put("old", 40) // ~20 KB: several 4 KiB segments
	before := e.segmentFiles("ret")
	if before < 4 {
		t.Fatalf("%d segment files, want several", before)
	}
	e.clock.Advance(23 * time.Hour)
	put("new", 3)
	recs, _ := e.drain(e.iterator("ret", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil))
	if len(recs) != 43 {
		t.Fatalf("within retention: %d records, want 43", len(recs))
	}
	e.clock.Advance(2 * time.Hour) // the old records are now 25 h old
	recs, _ = e.drain(e.iterator("ret", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil))
	if len(recs) != 3 || !strings.HasPrefix(string(recs[0].Data), "new") {
		t.Fatalf("after retention: %d records", len(recs))
	}
	if err := e.svc.EnforceRetention(ctx); err != nil {
		t.Fatal(err)
	}
	if after := e.segmentFiles("ret"); after >= before || after > 2 {
		t.Fatalf("segment files %d before trimming, %d after", before, after)
	}
	recs, _ = e.drain(e.iterator("ret", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil))
	if len(recs) != 3 {
		t.Fatalf("after trimming: %d records", len(recs))
	}

	// Increasing retention does not revive; decreasing hides at once.
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("ret"), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("ret"), RetentionPeriodHours: aws.Int32(72)})
	wantCode(t, err, "InvalidArgumentException", "Requested retention period (72 hours) for stream ret can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API.")
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("ret"), RetentionPeriodHours: aws.Int32(8761)})
	wantCode(t, err, "InvalidArgumentException", "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.")
	s, _ := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("ret")})
	if aws.ToInt32(s.StreamDescriptionSummary.RetentionPeriodHours) != 48 {
		t.Fatalf("retention %d", aws.ToInt32(s.StreamDescriptionSummary.RetentionPeriodHours))
	}
}

// A closed shard stays listed until its newest record expires, then goes.
func TestClosedShardExpires(t *testing.T) {
	e := newEnv(t)
	e.createStream("x", 1)
	if _, err := e.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("x"), PartitionKey: aws.String("k"), Data: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("x"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(23 * time.Hour)
	if n := len(e.listShards("x", nil)); n != 3 {
		t.Fatalf("%d shards before expiry, want 3", n)
	}
	th := e.listShards("x", &types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon})
	if len(th) != 1 || aws.ToString(th[0].ShardId) != "shardId-000000000000" {
		t.Fatalf("AT_TRIM_HORIZON: %+v", th)
	}
	e.clock.Advance(2 * time.Hour)
	if n := len(e.listShards("x", nil)); n != 2 {
		t.Fatalf("%d shards after the parent's records expired, want 2", n)
	}
	if err := e.svc.EnforceRetention(ctx); err != nil {
		t.Fatal(err)
	}
	e.restart()
	shards := e.listShards("x", nil)
	if len(shards) != 2 || aws.ToString(shards[0].ParentShardId) != "shardId-000000000000" {
		t.Fatalf("after trimming and restart: %+v", shards)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "kinesis", e.svc.lookup("x").meta.ID, "shardId-000000000000")); !os.IsNotExist(err) {
		t.Fatalf("the expired shard's log is still on disk: %v", err)
	}
}
