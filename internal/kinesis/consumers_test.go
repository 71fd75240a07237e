package kinesis

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// registerConsumer registers a consumer and lets it become ACTIVE.
func (e *env) registerConsumer(stream, name string) string {
	e.t.Helper()
	arn := "arn:aws:kinesis:us-east-1:123456789012:stream/" + stream
	out, err := e.client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	if out.Consumer.ConsumerStatus != types.ConsumerStatusCreating {
		e.t.Fatalf("new consumer %s", out.Consumer.ConsumerStatus)
	}
	e.clock.Advance(time.Second)
	return aws.ToString(out.Consumer.ConsumerARN)
}

func TestConsumers(t *testing.T) {
	e := newEnv(t)
	e.createStream("s", 1)
	c := e.client
	streamARN := aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/s")
	arn := e.registerConsumer("s", "app")
	d, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if d.ConsumerDescription.ConsumerStatus != types.ConsumerStatusActive || aws.ToString(d.ConsumerDescription.StreamARN) != *streamARN {
		t.Fatalf("describe %+v", d.ConsumerDescription)
	}
	d, err = c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String("app")})
	if err != nil || aws.ToString(d.ConsumerDescription.ConsumerARN) != arn {
		t.Fatalf("describe by name %+v %v", d, err)
	}
	_, err = c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: streamARN, ConsumerName: aws.String("app")})
	wantCode(t, err, "ResourceInUseException")
	for i := 0; i < 4; i++ {
		e.registerConsumer("s", fmt.Sprintf("c%d", i))
	}
	l, err := c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: streamARN, MaxResults: aws.Int32(3)})
	if err != nil || len(l.Consumers) != 3 || l.NextToken == nil {
		t.Fatalf("list page 1: %+v %v", l, err)
	}
	l2, err := c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: streamARN, NextToken: l.NextToken})
	if err != nil || len(l2.Consumers) != 2 || l2.NextToken != nil {
		t.Fatalf("list page 2: %+v %v", l2, err)
	}
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	wantCode(t, err, "ResourceInUseException")
	if _, err := c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
	wantCode(t, err, "ResourceNotFoundException")
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s"), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
}

func TestSubscribeToShard(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *streamlog.Options) { c.SubscriptionHeartbeat = 100 * time.Millisecond })
	e.createStream("s", 1)
	arn := e.registerConsumer("s", "efo")
	c := e.client
	for i := 0; i < 3; i++ {
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte(fmt.Sprintf("before-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	stream := sub.GetStream()
	defer stream.Close()
	var got []string
	var lastContinuation string
	deadline := time.After(10 * time.Second)
	putDone := false
	for len(got) < 6 {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("stream ended after %v: %v", got, stream.Err())
			}
			e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok {
				t.Fatalf("unexpected event %T", ev)
			}
			for _, r := range e.Value.Records {
				got = append(got, string(r.Data))
			}
			lastContinuation = aws.ToString(e.Value.ContinuationSequenceNumber)
		case <-deadline:
			t.Fatalf("got only %v", got)
		}
		if len(got) == 3 && !putDone {
			putDone = true
			for i := 0; i < 3; i++ {
				if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte(fmt.Sprintf("after-%d", i))}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	want := []string{"before-0", "before-1", "before-2", "after-0", "after-1", "after-2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("records %v, want %v", got, want)
	}
	if len(lastContinuation) != 56 {
		t.Fatalf("continuation %q", lastContinuation)
	}
	// A second subscription within 5 s is refused.
	c = e.newClient()
	_, err = c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	wantCode(t, err, "ResourceInUseException")
	// After 5 s (service clock) it takes over; the first ends with ResourceInUseException.
	e.clock.Advance(6 * time.Second)
	second, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(lastContinuation)}})
	if err != nil {
		t.Fatal(err)
	}
	defer second.GetStream().Close()
	for ev := range stream.Events() {
		_ = ev // heartbeats until the takeover ends the stream
	}
	wantCode(t, stream.Err(), "ResourceInUseException")
	// The new one gets a heartbeat with no records.
	select {
	case ev := <-second.GetStream().Events():
		e := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if len(e.Value.Records) != 0 || aws.ToInt64(e.Value.MillisBehindLatest) != 0 {
			t.Fatalf("heartbeat %+v", e.Value)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no heartbeat")
	}
}

// A subscription to a shard that closes ends with an event carrying its
// ChildShards.
func TestSubscribeToShardEnd(t *testing.T) {
	e := newEnv(t)
	e.createStream("s", 1)
	arn := e.registerConsumer("s", "efo")
	if _, err := e.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("last")}); err != nil {
		t.Fatal(err)
	}
	sub, err := e.client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		t.Fatal(err)
	}
	stream := sub.GetStream()
	defer stream.Close()
	if _, err := e.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	// The split wakes the subscription, which sends its final event at
	// once (well before the 3 s heartbeat).
	start := time.Now()
	var last *types.SubscribeToShardEvent
	timeout := time.After(10 * time.Second)
	for last == nil || len(last.ChildShards) == 0 {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("stream ended without ChildShards: %v", stream.Err())
			}
			v := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent).Value
			last = &v
		case <-timeout:
			t.Fatal("no final event")
		}
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("final event after %v", waited)
	}
	if len(last.ChildShards) != 2 || aws.ToString(last.ChildShards[0].ShardId) != "shardId-000000000001" || last.ChildShards[0].ParentShards[0] != "shardId-000000000000" {
		t.Fatalf("ChildShards %+v", last.ChildShards)
	}
	if _, ok := <-stream.Events(); ok {
		t.Fatal("events after the shard's end")
	}
}

// SubscribeToShard streams over HTTP/2 cleartext too, pushing records as
// they arrive.
func TestSubscribeToShardOverH2C(t *testing.T) {
	e := newEnv(t)
	e.createStream("s", 1)
	arn := e.registerConsumer("s", "java")
	h2 := e.h2cClient()
	var proto string
	sub, err := h2.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}}, func(o *kinesis.Options) {
		o.APIOptions = append(o.APIOptions, captureProto(&proto))
	})
	if err != nil {
		t.Fatal(err)
	}
	stream := sub.GetStream()
	defer stream.Close()
	if proto != "HTTP/2.0" {
		t.Fatalf("subscription over %q, want HTTP/2.0", proto)
	}
	start := time.Now()
	if _, err := e.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("pushed")}); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("stream ended: %v", stream.Err())
			}
			recs := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent).Value.Records
			if len(recs) == 0 {
				continue
			}
			if string(recs[0].Data) != "pushed" {
				t.Fatalf("record %q", recs[0].Data)
			}
			if d := time.Since(start); d > time.Second {
				t.Fatalf("pushed after %v", d)
			}
			return
		case <-time.After(5 * time.Second):
			t.Fatal("no record pushed")
		}
	}
}

// A subscription ends normally at the end of its lifetime (5 minutes on
// AWS; shortened here); the client may subscribe again 5 s after its last
// successful call.
func TestSubscriptionLifetime(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *streamlog.Options) { c.SubscriptionLifetime = 300 * time.Millisecond })
	e.createStream("s", 1)
	arn := e.registerConsumer("s", "efo")
	sub, err := e.client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	stream := sub.GetStream()
	start := time.Now()
	for range stream.Events() {
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("ended with %v", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 5*time.Second {
		t.Fatalf("lifetime %v", d)
	}
	stream.Close()
	// Within 5 s of the last successful call: refused, ended or not.
	_, err = e.newClient().SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	wantCode(t, err, "ResourceInUseException")
	e.clock.Advance(6 * time.Second)
	again, err := e.newClient().SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		t.Fatal(err)
	}
	again.GetStream().Close()
}
