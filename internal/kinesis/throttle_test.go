package kinesis

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestThrottling(t *testing.T) {
	e := newEnv(t, withThrottle())
	e.clock.Freeze()
	e.createStream("hot", 1)
	c := e.client
	batch := make([]types.PutRecordsRequestEntry, 500)
	for i := range batch {
		batch[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
	}
	failed := 0
	for i := 0; i < 3; i++ {
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("hot"), Records: batch})
		if err != nil {
			t.Fatal(err)
		}
		failed += int(aws.ToInt32(out.FailedRecordCount))
		for _, r := range out.Records {
			if r.ErrorCode != nil && (aws.ToString(r.ErrorCode) != "ProvisionedThroughputExceededException" ||
				aws.ToString(r.ErrorMessage) != "Rate exceeded for shard shardId-000000000000 in stream hot under account 123456789012.") {
				t.Fatalf("entry error %s: %s", aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage))
			}
			if r.ErrorCode != nil && r.SequenceNumber != nil {
				t.Fatal("a failed entry has a sequence number")
			}
		}
	}
	// 1,500 records within one (frozen) second against 1,000 records/s.
	if failed != 500 {
		t.Fatalf("%d of 1500 entries throttled, want 500", failed)
	}
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("hot"), PartitionKey: aws.String("k"), Data: []byte("x")})
	wantCode(t, err, "ProvisionedThroughputExceededException")
	e.clock.Advance(2 * time.Second)
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("hot"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatalf("after the bucket refilled: %v", err)
	}

	// Reads: 5 calls a second per shard.
	it := e.iterator("hot", "shardId-000000000000", types.ShardIteratorTypeLatest, "", nil)
	for i := 0; i < 5; i++ {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
		if err != nil {
			t.Fatalf("read %d: %v", i+1, err)
		}
		it = aws.ToString(out.NextShardIterator)
	}
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	wantCode(t, err, "ProvisionedThroughputExceededException")
	e.clock.Advance(time.Second)
	if _, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)}); err != nil {
		t.Fatalf("after a second: %v", err)
	}
}

func TestNoThrottlingByDefault(t *testing.T) {
	e := newEnv(t)
	e.createStream("cold", 1)
	batch := make([]types.PutRecordsRequestEntry, 500)
	for i := range batch {
		batch[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
	}
	for i := 0; i < 4; i++ {
		out, err := e.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("cold"), Records: batch})
		if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("call %d: %v failed=%d", i, err, aws.ToInt32(out.FailedRecordCount))
		}
	}
}
