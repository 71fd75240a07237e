package kinesis

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestStreamLifecycle(t *testing.T) {
	e := newEnv(t)
	c := e.client
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if d.StreamDescription.StreamStatus != types.StreamStatusCreating {
		t.Fatalf("status right after CreateStream %s, want CREATING", d.StreamDescription.StreamStatus)
	}
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte("x")})
	wantCode(t, err, "ResourceNotFoundException", "Stream orders under account 123456789012 not found.")

	e.clock.Advance(600 * time.Millisecond)
	d, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	sd := d.StreamDescription
	if sd.StreamStatus != types.StreamStatusActive || len(sd.Shards) != 3 || aws.ToBool(sd.HasMoreShards) {
		t.Fatalf("describe: %s %d shards more=%v", sd.StreamStatus, len(sd.Shards), aws.ToBool(sd.HasMoreShards))
	}
	if got, want := aws.ToString(sd.StreamARN), "arn:aws:kinesis:us-east-1:123456789012:stream/orders"; got != want {
		t.Fatalf("ARN %s, want %s", got, want)
	}
	if aws.ToString(sd.Shards[0].HashKeyRange.StartingHashKey) != "0" ||
		aws.ToString(sd.Shards[2].HashKeyRange.EndingHashKey) != "340282366920938463463374607431768211455" ||
		aws.ToString(sd.Shards[1].ShardId) != "shardId-000000000001" || len(aws.ToString(sd.Shards[1].SequenceNumberRange.StartingSequenceNumber)) != 56 {
		t.Fatalf("shards: %+v", sd.Shards)
	}
	if aws.ToInt32(sd.RetentionPeriodHours) != 24 || sd.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
		t.Fatalf("retention %d mode %s", aws.ToInt32(sd.RetentionPeriodHours), sd.StreamModeDetails.StreamMode)
	}

	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: sd.StreamARN})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount) != 3 || aws.ToString(sum.StreamDescriptionSummary.StreamName) != "orders" {
		t.Fatalf("summary %+v", sum.StreamDescriptionSummary)
	}

	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
	wantCode(t, err, "ResourceInUseException", "Stream orders under account 123456789012 already exists.")

	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	ls, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.StreamNames) != 2 || ls.StreamNames[0] != "od" || len(ls.StreamSummaries) != 2 || aws.ToBool(ls.HasMoreStreams) {
		t.Fatalf("list: %+v", ls)
	}
	page, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(page.HasMoreStreams) || page.NextToken == nil {
		t.Fatalf("first page %+v", page)
	}
	page, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: page.NextToken})
	if err != nil || len(page.StreamNames) != 1 || page.StreamNames[0] != "orders" {
		t.Fatalf("second page %+v %v", page, err)
	}
	od, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("od")})
	if err != nil || len(od.Shards) != 4 {
		t.Fatalf("on-demand shards %v %v", od, err)
	}

	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	wantCode(t, err, "ResourceNotFoundException", "Stream orders under account 123456789012 not found.")
}

func TestCreateStreamValidation(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		in   kinesis.CreateStreamInput
		code string
		msg  string
	}{
		{"zero shards", kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(0)}, "ValidationException",
			"1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"bad name", kinesis.CreateStreamInput{StreamName: aws.String("a b"), ShardCount: aws.Int32(1)}, "ValidationException",
			"1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"no shard count", kinesis.CreateStreamInput{StreamName: aws.String("a")}, "InvalidArgumentException", ""},
		{"over the shard limit", kinesis.CreateStreamInput{StreamName: aws.String("a"), ShardCount: aws.Int32(501)}, "LimitExceededException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.CreateStream(ctx, &tc.in)
			if tc.msg != "" {
				wantCode(t, err, tc.code, tc.msg)
			} else {
				wantCode(t, err, tc.code)
			}
		})
	}
	ls, err := e.client.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || len(ls.StreamNames) != 0 {
		t.Fatalf("refused creates stored streams: %v %v", ls.StreamNames, err)
	}
}

func TestResetAndLimitsCount(t *testing.T) {
	e := newEnv(t)
	e.createStream("a", 3)
	e.createStream("b", 2)
	if _, err := e.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	lim, err := e.client.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if err != nil || aws.ToInt32(lim.OpenShardCount) != 3 {
		t.Fatalf("open shards after a delete: %+v %v", lim, err)
	}
	if err := e.svc.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	ls, err := e.client.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || len(ls.StreamNames) != 0 {
		t.Fatalf("after reset: %v %v", ls.StreamNames, err)
	}
	names, err := e.logs.Names()
	if err != nil || len(names) != 0 {
		t.Fatalf("logs after reset: %v %v", names, err)
	}
	lim, _ = e.client.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if aws.ToInt32(lim.OpenShardCount) != 0 {
		t.Fatalf("open shards after reset %d", aws.ToInt32(lim.OpenShardCount))
	}
}
