package kinesis

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Bad input gets AWS's error, and nothing is stored.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	e.createStream("s", 2)
	c := e.client
	goodIter := e.iterator("s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil)
	raw, _ := base64.StdEncoding.DecodeString(goodIter)
	raw[len(raw)-1] ^= 1
	forged := base64.StdEncoding.EncodeToString(raw)
	many := make([]types.PutRecordsRequestEntry, 501)
	for i := range many {
		many[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
	}
	tooBig := make([]byte, 1<<20)
	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"oversized record", func() error {
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: tooBig})
			return err
		}, "InvalidArgumentException", ""},
		{"oversized record in a batch", func() error {
			_, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
				{PartitionKey: aws.String("k"), Data: []byte("fine")}, {PartitionKey: aws.String("k"), Data: tooBig}}})
			return err
		}, "InvalidArgumentException", ""},
		{"501 records", func() error {
			_, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: many})
			return err
		}, "ValidationException", ""},
		{"empty partition key", func() error {
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(""), Data: []byte("x")})
			return err
		}, "ValidationException", "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"unknown stream", func() error {
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("nope"), PartitionKey: aws.String("k"), Data: []byte("x")})
			return err
		}, "ResourceNotFoundException", "Stream nope under account 123456789012 not found."},
		{"hash key out of range", func() error {
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x"),
				ExplicitHashKey: aws.String("340282366920938463463374607431768211456")})
			return err
		}, "InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456"},
		{"hash key not a number", func() error {
			_, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
				{PartitionKey: aws.String("k"), Data: []byte("x")}, {PartitionKey: aws.String("k"), Data: []byte("x"), ExplicitHashKey: aws.String("12a")}}})
			return err
		}, "ValidationException", "1 validation error detected: Value '12a' at 'records.2.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})"},
		{"malformed iterator", func() error {
			_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("not-an-iterator")})
			return err
		}, "InvalidArgumentException", "Invalid ShardIterator."},
		{"forged iterator", func() error {
			_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(forged)})
			return err
		}, "InvalidArgumentException", "Invalid ShardIterator."},
		{"limit over 10000", func() error {
			_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(goodIter), Limit: aws.Int32(10001)})
			return err
		}, "ValidationException", "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"unknown shard", func() error {
			_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000007"), ShardIteratorType: types.ShardIteratorTypeLatest})
			return err
		}, "ResourceNotFoundException", "Shard shardId-000000000007 in stream s under account 123456789012 does not exist"},
		{"sequence number missing", func() error {
			_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber})
			return err
		}, "InvalidArgumentException", ""},
		{"name and ARN disagree", func() error {
			_, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s"), StreamARN: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/other")})
			return err
		}, "InvalidArgumentException", ""},
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
	for _, shard := range []string{"shardId-000000000000", "shardId-000000000001"} {
		if recs, _ := e.drain(e.iterator("s", shard, types.ShardIteratorTypeTrimHorizon, "", nil)); len(recs) != 0 {
			t.Fatalf("%s holds %d records after refused puts", shard, len(recs))
		}
	}
}

func TestIteratorExpiryAndRecreation(t *testing.T) {
	e := newEnv(t)
	e.createStream("s", 1)
	it := e.iterator("s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil)
	e.clock.Advance(299 * time.Second)
	out, err := e.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	if err != nil {
		t.Fatalf("a 299 s old iterator: %v", err)
	}
	e.clock.Advance(2 * time.Second)
	_, err = e.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	wantCode(t, err, "ExpiredIteratorException")
	if !strings.Contains(err.Error(), "which is further in the future than the tolerated delay of 300000 milliseconds.") {
		t.Fatalf("message: %v", err)
	}
	// The fresh NextShardIterator is still good.
	if _, err := e.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator}); err != nil {
		t.Fatal(err)
	}
	// A stream recreated under the same name refuses the old one's iterators.
	next := out.NextShardIterator
	if _, err := e.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	e.createStream("s", 1)
	_, err = e.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: next})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestReplay(t *testing.T) {
	e := newEnv(t)
	e.createStream("r", 2)
	var seqs []string
	var times []time.Time
	for i := 0; i < 100; i++ {
		e.clock.Advance(10 * time.Millisecond)
		times = append(times, e.clock.Now())
		out, err := e.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("r"), PartitionKey: aws.String("same"), Data: []byte{byte(i)}})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	shard, _ := e.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("r"), PartitionKey: aws.String("same"), Data: []byte("probe")})
	id := aws.ToString(shard.ShardId)
	// Arrival times are stored to the millisecond; ask for the 50th record's.
	at := times[50].Truncate(time.Millisecond)
	recs, _ := e.drain(e.iterator("r", id, types.ShardIteratorTypeAtTimestamp, "", &at))
	if len(recs) != 51 || recs[0].Data[0] != 50 || aws.ToString(recs[0].SequenceNumber) != seqs[50] {
		t.Fatalf("AT_TIMESTAMP: %d records, first %v", len(recs), recs[0].Data)
	}
	for _, r := range recs[:50] {
		if r.ApproximateArrivalTimestamp.Before(at) {
			t.Fatalf("record before the timestamp: %v < %v", r.ApproximateArrivalTimestamp, at)
		}
	}
	future := e.clock.Now().Add(time.Hour)
	if recs, _ := e.drain(e.iterator("r", id, types.ShardIteratorTypeAtTimestamp, "", &future)); len(recs) != 0 {
		t.Fatalf("AT_TIMESTAMP in the future read %d records", len(recs))
	}
	other := "shardId-000000000000"
	if id == other {
		other = "shardId-000000000001"
	}
	_, err := e.client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("r"), ShardId: aws.String(other),
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seqs[10])})
	wantCode(t, err, "InvalidArgumentException", "Invalid StartingSequenceNumber. It encodes "+id+", while it was used in a call to a shard with "+other)
}
