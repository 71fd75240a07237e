package kinesis

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// The in-process reads give what GetRecords gives from the matching
// iterator: same sequence numbers, keys, data and arrival times; limits;
// retention skipped; a closed shard ends at its last record.
func TestInProcessReads(t *testing.T) {
	e := newEnv(t)
	e.createStream("rd", 1)
	arn := arnOf("rd")
	const shard = "shardId-000000000000"
	recs := make([]InProcessRecord, 10)
	for i := range recs {
		recs[i] = InProcessRecord{PartitionKey: fmt.Sprintf("k%d", i), Data: fmt.Appendf(nil, "old-%d", i)}
	}
	if err := e.svc.PutRecordsByARN(ctx, arn, recs); err != nil {
		t.Fatal(err)
	}
	want, _ := e.drain(e.iterator("rd", shard, types.ShardIteratorTypeTrimHorizon, "", nil))
	all, err := e.svc.ReadFromTrimHorizonByARN(ctx, arn, shard, 0, 0)
	if err != nil || len(all) != len(want) {
		t.Fatalf("trim horizon: %d records, %v", len(all), err)
	}
	for i, r := range all {
		w := want[i]
		if r.SequenceNumber != *w.SequenceNumber || r.PartitionKey != *w.PartitionKey || string(r.Data) != string(w.Data) ||
			!r.Arrival.Equal(*w.ApproximateArrivalTimestamp) {
			t.Fatalf("record %d: %+v, GetRecords %+v", i, r, w)
		}
	}
	tests := []struct {
		name  string
		read  func() ([]ReadRecord, error)
		first int // index into all; -1: none
		n     int
	}{
		{"limit", func() ([]ReadRecord, error) { return e.svc.ReadFromTrimHorizonByARN(ctx, arn, shard, 3, 0) }, 0, 3},
		{"bytes limit gives at least one", func() ([]ReadRecord, error) { return e.svc.ReadFromTrimHorizonByARN(ctx, arn, shard, 0, 1) }, 0, 1},
		{"after a record", func() ([]ReadRecord, error) {
			return e.svc.ReadAfterByARN(ctx, arn, shard, all[6].SequenceNumber, 0, 0)
		}, 7, 3},
		{"after the last", func() ([]ReadRecord, error) {
			return e.svc.ReadAfterByARN(ctx, arn, shard, all[9].SequenceNumber, 0, 0)
		}, -1, 0},
		{"after the starting sequence", func() ([]ReadRecord, error) {
			return e.svc.ReadAfterByARN(ctx, arn, shard, formatSeq(0, 0), 2, 0)
		}, 0, 2},
		{"at a timestamp before", func() ([]ReadRecord, error) {
			return e.svc.ReadAtTimestampByARN(ctx, arn, shard, all[0].Arrival.Add(-time.Minute), 0, 0)
		}, 0, 10},
		{"at a timestamp after", func() ([]ReadRecord, error) {
			return e.svc.ReadAtTimestampByARN(ctx, arn, shard, all[9].Arrival.Add(time.Millisecond), 0, 0)
		}, -1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.read()
			if err != nil || len(got) != tc.n {
				t.Fatalf("%d records, %v; want %d", len(got), err, tc.n)
			}
			if tc.n > 0 && got[0].SequenceNumber != all[tc.first].SequenceNumber {
				t.Fatalf("first %s, want %s", got[0].SequenceNumber, all[tc.first].SequenceNumber)
			}
		})
	}
	if seq, err := e.svc.LatestSequenceByARN(ctx, arn, shard); err != nil || seq != all[9].SequenceNumber {
		t.Fatalf("latest %q, %v", seq, err)
	}

	// Records past retention are skipped.
	e.clock.Advance(23 * time.Hour)
	if err := e.svc.PutRecordsByARN(ctx, arn, []InProcessRecord{{PartitionKey: "k", Data: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Hour)
	got, err := e.svc.ReadAfterByARN(ctx, arn, shard, all[2].SequenceNumber, 0, 0)
	if err != nil || len(got) != 1 || string(got[0].Data) != "new" {
		t.Fatalf("after retention: %+v, %v", got, err)
	}

	// A split closes the shard: its reads end at its last record, and the
	// children name it as parent.
	if _, err := e.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("rd"), ShardToSplit: aws.String(shard),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	if err := e.svc.PutRecordsByARN(ctx, arn, []InProcessRecord{{PartitionKey: "k", Data: []byte("child")}}); err != nil {
		t.Fatal(err)
	}
	shards, err := e.svc.ShardsByARN(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	if len(shards) != 3 || !shards[0].Closed || shards[1].Closed || shards[2].Closed ||
		fmt.Sprint(shards[2].ParentIDs) != "["+shard+"]" || shards[1].StartingSequence != formatSeq(1, 0) {
		t.Fatalf("shards %+v", shards)
	}
	if got, err := e.svc.ReadAfterByARN(ctx, arn, shard, got[0].SequenceNumber, 0, 0); err != nil || len(got) != 0 {
		t.Fatalf("closed shard past its end: %+v, %v", got, err)
	}

	// Errors.
	if _, err := e.svc.ShardsByARN(ctx, arnOf("missing")); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("missing stream: %v", err)
	}
	if _, err := e.svc.ReadFromTrimHorizonByARN(ctx, arn, "shardId-000000000042", 0, 0); !errors.Is(err, ErrShardNotFound) {
		t.Fatalf("missing shard: %v", err)
	}
	if _, err := e.svc.ReadAfterByARN(ctx, arn, shards[1].ID, all[0].SequenceNumber, 0, 0); err == nil || errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("another shard's sequence number: %v", err)
	}
}
