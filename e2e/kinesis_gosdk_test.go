package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// kinesisGoClient is aws-sdk-go-v2's Kinesis client as a user configures it,
// pointed at the server. retries=false: one attempt per call, so that the
// crash test knows exactly what was acknowledged and no retry duplicates a
// record.
func (s *server) kinesisGoClient(t testing.TB, retries bool) *kinesis.Client {
	t.Helper()
	opts := []func(*config.LoadOptions) error{
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithHTTPClient(localhostHTTPClient()),
		config.WithSharedConfigFiles([]string{harness.emptyFile}),
		config.WithSharedCredentialsFiles([]string{harness.emptyFile}),
	}
	if !retries {
		opts = append(opts, config.WithRetryMaxAttempts(1))
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		t.Fatalf("aws config: %v", err)
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(s.endpoint) })
}

// createStreamGo creates a provisioned stream and waits until it is ACTIVE.
func createStreamGo(t testing.TB, c *kinesis.Client, name string, shards int32) *types.StreamDescriptionSummary {
	t.Helper()
	if _, err := c.CreateStream(ctxT(t), &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatalf("CreateStream %s: %v", name, err)
	}
	return waitStreamActiveGo(t, c, name)
}

func waitStreamActiveGo(t testing.TB, c *kinesis.Client, name string) *types.StreamDescriptionSummary {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeStreamSummary %s: %v", name, err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return out.StreamDescriptionSummary
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %s still %s after 30 s", name, out.StreamDescriptionSummary.StreamStatus)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// registerConsumerGo registers a consumer and waits until it is ACTIVE.
func registerConsumerGo(t testing.TB, c *kinesis.Client, streamARN, name string) string {
	t.Helper()
	reg, err := c.RegisterStreamConsumer(ctxT(t), &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN), ConsumerName: aws.String(name)})
	if err != nil {
		t.Fatalf("RegisterStreamConsumer: %v", err)
	}
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := c.DescribeStreamConsumer(ctxT(t), &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeStreamConsumer: %v", err)
		}
		if d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
			return arn
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer %s still %s after 30 s", arn, d.ConsumerDescription.ConsumerStatus)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestKinesisGoSDKSubscribeToShard: a SubscribeToShard consumer (Go SDK,
// HTTP/1.1) receives records pushed as they are put, in order and byte-exact,
// each within a sane time of its PutRecord.
func TestKinesisGoSDKSubscribeToShard(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := s.kinesisGoClient(t, true)
	name := uniqueStream("go-efo")
	sum := createStreamGo(t, c, name, 1)
	consumer := registerConsumerGo(t, c, aws.ToString(sum.StreamARN), "go-reader")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: aws.String(consumer), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
	})
	if err != nil {
		t.Fatalf("SubscribeToShard: %v", err)
	}
	stream := sub.GetStream()
	defer stream.Close()

	const n = 25
	sentAt := make(chan time.Time, n)
	putErr := make(chan error, 1)
	go func() {
		for i := range n {
			sentAt <- time.Now()
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: efoPayload(i)})
			if err != nil {
				putErr <- fmt.Errorf("PutRecord %d: %w", i, err)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		putErr <- nil
	}()

	var latencies []time.Duration
	var lastSeq *big.Int
	got := 0
	timeout := time.After(30 * time.Second)
	for got < n {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("event stream ended after %d of %d records: %v", got, n, stream.Err())
			}
			now := time.Now()
			e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !isEvent {
				t.Fatalf("unexpected event %T", ev)
			}
			if e.Value.ContinuationSequenceNumber == nil || e.Value.MillisBehindLatest == nil {
				t.Errorf("SubscribeToShardEvent without ContinuationSequenceNumber/MillisBehindLatest: %+v", e.Value)
			}
			for _, r := range e.Value.Records {
				if !bytes.Equal(r.Data, efoPayload(got)) {
					t.Fatalf("record %d: data %q, want %q", got, r.Data, efoPayload(got))
				}
				seq, ok := new(big.Int).SetString(aws.ToString(r.SequenceNumber), 10)
				if !ok || (lastSeq != nil && seq.Cmp(lastSeq) <= 0) {
					t.Errorf("record %d: sequence number %s after %v", got, aws.ToString(r.SequenceNumber), lastSeq)
				}
				lastSeq = seq
				latencies = append(latencies, now.Sub(<-sentAt))
				got++
			}
		case err := <-putErr:
			if err != nil {
				t.Fatal(err)
			}
			putErr = nil // the producer is done; keep reading
		case <-timeout:
			t.Fatalf("only %d of %d records arrived within 30 s", got, n)
		}
	}
	slices.Sort(latencies)
	t.Logf("put → event latency over %d records: p50 %s, max %s", n, latencies[n/2], latencies[n-1])
	// A sanity bound, not the benchmark: pushed records arrive well within a second on an idle machine.
	if latencies[n/2] > time.Second {
		t.Errorf("median put → event latency %s: records are not pushed as they arrive", latencies[n/2])
	}
}

func efoPayload(i int) []byte { return []byte(fmt.Sprintf("efo record %03d", i)) }

// TestKinesisGoSDKChildShardsAfterSplit: a subscription to a shard that is
// split delivers the shard's remaining records, then an event naming both
// children in ChildShards, then ends.
func TestKinesisGoSDKChildShardsAfterSplit(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := s.kinesisGoClient(t, true)
	name := uniqueStream("go-efo-split")
	sum := createStreamGo(t, c, name, 1)
	consumer := registerConsumerGo(t, c, aws.ToString(sum.StreamARN), "splitter")
	if _, err := c.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: []byte("before split")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: aws.String(consumer), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
	})
	if err != nil {
		t.Fatalf("SubscribeToShard: %v", err)
	}
	stream := sub.GetStream()
	defer stream.Close()
	mid := new(big.Int).Lsh(big.NewInt(1), 127)
	if _, err := c.SplitShard(ctxT(t), &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String(mid.String())}); err != nil {
		t.Fatalf("SplitShard: %v", err)
	}

	var data []string
	var children []types.ChildShard
	timeout := time.After(30 * time.Second)
	for children == nil {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("event stream ended without ChildShards (records %q): %v", data, stream.Err())
			}
			e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !isEvent {
				t.Fatalf("unexpected event %T", ev)
			}
			for _, r := range e.Value.Records {
				data = append(data, string(r.Data))
			}
			children = e.Value.ChildShards
		case <-timeout:
			t.Fatalf("no ChildShards event within 30 s of the split (records %q)", data)
		}
	}
	if !slices.Equal(data, []string{"before split"}) {
		t.Errorf("records before the end of the parent: %q", data)
	}
	var ids []string
	for _, ch := range children {
		ids = append(ids, aws.ToString(ch.ShardId))
		if !slices.Equal(ch.ParentShards, []string{"shardId-000000000000"}) || ch.HashKeyRange == nil {
			t.Errorf("child %s: parents %v, range %v", aws.ToString(ch.ShardId), ch.ParentShards, ch.HashKeyRange)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"shardId-000000000001", "shardId-000000000002"}) {
		t.Errorf("ChildShards = %v", ids)
	}
	select {
	case ev, ok := <-stream.Events():
		if ok {
			t.Errorf("event after the ChildShards event: %T %+v", ev, ev)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("the subscription did not end within 10 s of the ChildShards event")
	}
}

// TestKinesisGoSDKPutRecordsPartialFailure: with --kinesis-throttling, a
// PutRecords over a shard's 1 MiB/s write limit answers 200 with the failed
// entries marked (ProvisionedThroughputExceededException) in request order,
// and exactly the successful entries are stored.
func TestKinesisGoSDKPutRecordsPartialFailure(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--ephemeral", "--kinesis-throttling")
	c := s.kinesisGoClient(t, false)
	name := uniqueStream("go-throttle")
	createStreamGo(t, c, name, 1)
	const perCall = 400
	var stored []string
	sawFailure := false
	for call := 0; call < 4 && !sawFailure; call++ {
		entries := make([]types.PutRecordsRequestEntry, perCall)
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: throttlePayload(call, i)}
		}
		out, err := c.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		if err != nil {
			t.Fatalf("PutRecords %d: %v (a throttled batch answers 200 with per-record errors)", call, err)
		}
		if len(out.Records) != perCall {
			t.Fatalf("PutRecords %d: %d entries for %d records", call, len(out.Records), perCall)
		}
		failed := 0
		for i, r := range out.Records {
			switch {
			case r.ErrorCode != nil:
				failed++
				if aws.ToString(r.ErrorCode) != "ProvisionedThroughputExceededException" || aws.ToString(r.ErrorMessage) == "" ||
					r.SequenceNumber != nil || r.ShardId != nil {
					t.Errorf("failed entry %d: code %q message %q seq %v shard %v", i, aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage), r.SequenceNumber, r.ShardId)
				}
			case r.SequenceNumber == nil || aws.ToString(r.ShardId) != "shardId-000000000000":
				t.Errorf("successful entry %d without sequence number or shard: %+v", i, r)
			default:
				stored = append(stored, string(throttlePayload(call, i)))
			}
		}
		if int(aws.ToInt32(out.FailedRecordCount)) != failed {
			t.Errorf("FailedRecordCount %d, %d entries carry an ErrorCode", aws.ToInt32(out.FailedRecordCount), failed)
		}
		sawFailure = failed > 0
	}
	if !sawFailure {
		t.Fatalf("4 × %d records of 3 KiB in a burst to one shard (limit 1 MiB/s, 1,000 records/s) were all accepted", perCall)
	}
	// Read back slowly enough for the 5 calls/s read limit.
	it, err := c.GetShardIterator(ctxT(t), &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	var read []string
	iter := it.ShardIterator
	for range 50 {
		out, err := c.GetRecords(ctxT(t), &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		for _, r := range out.Records {
			read = append(read, string(r.Data))
		}
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			break
		}
		iter = out.NextShardIterator
		time.Sleep(250 * time.Millisecond)
	}
	if !slices.Equal(read, stored) {
		t.Errorf("stored %d records, read back %d; they differ (first read %q)", len(stored), len(read), firstOf(read))
	}
}

func throttlePayload(call, i int) []byte {
	// 3 KiB: one call of 400 (1.2 MB) is over the shard's 1 MiB burst by
	// itself, so the test does not depend on how fast calls follow each
	// other on a busy machine.
	b := bytes.Repeat([]byte{'.'}, 3*1024)
	copy(b, fmt.Sprintf("call %d record %03d", call, i))
	return b
}

func firstOf(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0][:min(len(xs[0]), 20)]
}
