package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/tributary-dev/tributary/internal/awstest"
	"github.com/tributary-dev/tributary/internal/config"
	"github.com/tributary-dev/tributary/internal/flowlogs"
)

// rejectedSSH is the issue-5 subscription filter: rejected TCP to port 22.
const rejectedSSH = `[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`

// Issue 5: VPC flow records written with PutLogEvents reach a Kinesis
// stream through a subscription filter; a consumer reading the stream
// (GetRecords, gunzip, CONTROL_MESSAGE dropped) finds exactly the rejected
// SSH flows, in order per log stream, once each, across a restart of the
// server in the middle.
func TestFlowLogsToKinesisPipeline(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	onDir := func(c *config.Config) { c.DataDir = dir }
	const group, streamName = "vpc-flow-logs", "rejected-ssh"

	srv := awstest.Start(t, onDir)
	cwl, kin := srv.Logs(t), srv.Kinesis(t)
	account := srv.Config.AccountID
	gen := flowlogs.NewGenerator(flowlogs.Config{AccountID: account, ENIs: 3, RejectRatio: 0.3, Seed: 5})
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	for _, eni := range gen.ENIs() {
		if _, err := cwl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group),
			LogStreamName: aws.String(flowlogs.StreamName(eni))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kin.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(streamName), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	waiter := kinesis.NewStreamExistsWaiter(kin, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	if err := waiter.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(streamName)}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{
		LogGroupName: aws.String(group), FilterName: aws.String("ssh"), FilterPattern: aws.String(rejectedSSH),
		DestinationArn: aws.String("arn:aws:kinesis:" + srv.Config.Region + ":" + account + ":stream/" + streamName),
		RoleArn:        aws.String("arn:aws:iam::" + account + ":role/CWLtoKinesisRole"),
	}); err != nil {
		t.Fatal(err)
	}

	want := map[string][]string{} // log stream -> rejected SSH records, in order
	put := func(cwl *cloudwatchlogs.Client, perStream int) {
		t.Helper()
		batches := map[string][]logstypes.InputLogEvent{}
		now := time.Now()
		for range perStream * len(gen.ENIs()) {
			r := gen.Next(now)
			s := flowlogs.StreamName(r.ENI)
			batches[s] = append(batches[s], logstypes.InputLogEvent{Message: aws.String(r.String()), Timestamp: aws.Int64(now.UnixMilli())})
			if r.RejectedSSH() {
				want[s] = append(want[s], r.String())
			}
		}
		for s, evs := range batches {
			if _, err := cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group),
				LogStreamName: aws.String(s), LogEvents: evs}); err != nil {
				t.Fatal(err)
			}
		}
	}
	consumer := &flowConsumer{t: t, stream: streamName, got: map[string][]string{}, after: map[string]string{}}

	put(cwl, 200)
	consumer.readUntil(ctx, kin, want)
	put(cwl, 200) // delivered before the stop or after the restart
	stopFirst(t, srv)

	srv2 := awstest.Start(t, onDir)
	cwl2, kin2 := srv2.Logs(t), srv2.Kinesis(t)
	put(cwl2, 200)
	consumer.readUntil(ctx, kin2, want)
	// Nothing more arrives: every rejected SSH flow was delivered once.
	time.Sleep(300 * time.Millisecond)
	consumer.read(ctx, kin2)
	total := 0
	for s, w := range want {
		total += len(w)
		if !slices.Equal(consumer.got[s], w) {
			t.Errorf("stream %s: got %d records, want %d (in order, once each)\n got %q\nwant %q", s, len(consumer.got[s]), len(w), consumer.got[s], w)
		}
	}
	if total < 30 || len(want) != 3 {
		t.Fatalf("only %d rejected SSH flows over %d streams: the test is not testing", total, len(want))
	}
	if consumer.controls != 1 {
		t.Errorf("%d CONTROL_MESSAGEs, want 1", consumer.controls)
	}
}

// flowConsumer reads every shard of a stream from where it left off
// (across servers, by sequence number) and decodes subscription payloads.
type flowConsumer struct {
	t        *testing.T
	stream   string
	after    map[string]string // shard -> last sequence number read
	got      map[string][]string
	controls int
}

func (c *flowConsumer) readUntil(ctx context.Context, kin *kinesis.Client, want map[string][]string) {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c.read(ctx, kin)
		done := true
		for s, w := range want {
			if len(c.got[s]) < len(w) {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("after 15 s the consumer has %d streams' records, want %d", len(c.got), len(want))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *flowConsumer) read(ctx context.Context, kin *kinesis.Client) {
	c.t.Helper()
	shards, err := kin.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(c.stream)})
	if err != nil {
		c.t.Fatal(err)
	}
	for _, sh := range shards.Shards {
		id := aws.ToString(sh.ShardId)
		in := &kinesis.GetShardIteratorInput{StreamName: aws.String(c.stream), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon}
		if seq := c.after[id]; seq != "" {
			in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(seq)
		}
		it, err := kin.GetShardIterator(ctx, in)
		if err != nil {
			c.t.Fatal(err)
		}
		iter := it.ShardIterator
		for iter != nil {
			out, err := kin.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				c.t.Fatal(err)
			}
			for _, r := range out.Records {
				c.decode(r.Data)
				c.after[id] = aws.ToString(r.SequenceNumber)
			}
			if len(out.Records) == 0 {
				break
			}
			iter = out.NextShardIterator
		}
	}
}

func (c *flowConsumer) decode(data []byte) {
	c.t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		c.t.Fatalf("record is not gzip: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		c.t.Fatal(err)
	}
	var msg struct {
		MessageType string `json:"messageType"`
		LogGroup    string `json:"logGroup"`
		LogStream   string `json:"logStream"`
		LogEvents   []struct {
			Message string `json:"message"`
		} `json:"logEvents"`
	}
	if err := json.Unmarshal(raw, &msg); err != nil {
		c.t.Fatalf("payload %s: %v", raw, err)
	}
	if msg.MessageType == "CONTROL_MESSAGE" {
		c.controls++
		return
	}
	if msg.MessageType != "DATA_MESSAGE" || msg.LogGroup != "vpc-flow-logs" {
		c.t.Fatalf("payload %s", raw)
	}
	for _, e := range msg.LogEvents {
		c.got[msg.LogStream] = append(c.got[msg.LogStream], e.Message)
	}
}
