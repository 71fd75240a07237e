package kinesis

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestTags(t *testing.T) {
	e := newEnv(t)
	e.createStream("t", 1)
	c := e.client
	arn := aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/t")
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("t"), Tags: map[string]string{"b": "2", "a": "1", "c": ""}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("t"), Limit: aws.Int32(2)})
	if err != nil || len(l.Tags) != 2 || aws.ToString(l.Tags[0].Key) != "a" || !aws.ToBool(l.HasMoreTags) {
		t.Fatalf("page 1: %+v %v", l, err)
	}
	l, err = c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamARN: arn, ExclusiveStartTagKey: aws.String("b")})
	if err != nil || len(l.Tags) != 1 || aws.ToString(l.Tags[0].Key) != "c" || aws.ToBool(l.HasMoreTags) {
		t.Fatalf("page 2: %+v %v", l, err)
	}
	if _, err := c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("t"), TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"d": "4"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	r, err := c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil || fmt.Sprint(tagKeys(r.Tags)) != "[c d]" {
		t.Fatalf("resource tags %v %v", tagKeys(r.Tags), err)
	}
	many := map[string]string{}
	for i := 0; i < 49; i++ {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("t"), Tags: many})
	wantCode(t, err, "InvalidArgumentException")
	// Consumer ARNs carry tags too.
	consumer := e.registerConsumer("t", "c1")
	if _, err := c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(consumer), Tags: map[string]string{"team": "x"}}); err != nil {
		t.Fatal(err)
	}
	r, err = c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(consumer)})
	if err != nil || fmt.Sprint(tagKeys(r.Tags)) != "[team]" {
		t.Fatalf("consumer tags %v %v", tagKeys(r.Tags), err)
	}
}

func tagKeys(tags []types.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key))
	}
	return out
}

func TestSettingsReported(t *testing.T) {
	e := newEnv(t)
	e.createStream("m", 2)
	c := e.client
	mon, err := c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("m"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameOutgoingRecords}})
	if err != nil || len(mon.CurrentShardLevelMetrics) != 0 || len(mon.DesiredShardLevelMetrics) != 2 {
		t.Fatalf("enable: %+v %v", mon, err)
	}
	dis, err := c.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String("m"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
	if err != nil || len(dis.DesiredShardLevelMetrics) != 1 || dis.DesiredShardLevelMetrics[0] != types.MetricsNameOutgoingRecords {
		t.Fatalf("disable: %+v %v", dis, err)
	}
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("m"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("m")})
	if err != nil {
		t.Fatal(err)
	}
	sd := d.StreamDescription
	if sd.StreamStatus != types.StreamStatusUpdating || sd.EncryptionType != types.EncryptionTypeKms || aws.ToString(sd.KeyId) != "alias/aws/kinesis" ||
		len(sd.EnhancedMonitoring) != 1 || len(sd.EnhancedMonitoring[0].ShardLevelMetrics) != 1 {
		t.Fatalf("describe %+v", sd)
	}
	e.clock.Advance(time.Second)
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("m"), PartitionKey: aws.String("k"), Data: []byte("x")})
	if err != nil || put.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("put on an encrypted stream: %+v %v", put, err)
	}
	if _, err := c.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("m"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)

	lim, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if err != nil || aws.ToInt32(lim.OpenShardCount) != 2 || aws.ToInt32(lim.ShardLimit) != 500 {
		t.Fatalf("limits %+v %v", lim, err)
	}

	arn := aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/m")
	if _, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamARN: arn, ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")})
	wantCode(t, err, "ValidationException")
	s, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn})
	if err != nil || s.StreamDescriptionSummary.StreamModeDetails.StreamMode != types.StreamModeOnDemand || aws.ToInt32(s.StreamDescriptionSummary.OpenShardCount) != 2 {
		t.Fatalf("after mode change %+v %v", s, err)
	}
	lim, _ = c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if aws.ToInt32(lim.OnDemandStreamCount) != 1 {
		t.Fatalf("on-demand count %d", aws.ToInt32(lim.OnDemandStreamCount))
	}
	// Records up to MaxRecordSizeInKiB: 1 MiB by default, up to 10 MiB.
	big := make([]byte, 2<<20)
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: arn, PartitionKey: aws.String("k"), Data: big})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(1000)})
	wantCode(t, err, "ValidationException", "1 validation error detected: Value '1000' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024")
	if _, err := c.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(4096)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: arn, PartitionKey: aws.String("k"), Data: big}); err != nil {
		t.Fatalf("2 MiB record with a 4 MiB maximum: %v", err)
	}
	s, _ = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn})
	if aws.ToInt32(s.StreamDescriptionSummary.MaxRecordSizeInKiB) != 4096 {
		t.Fatalf("MaxRecordSizeInKiB %d", aws.ToInt32(s.StreamDescriptionSummary.MaxRecordSizeInKiB))
	}
	_, err = c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String("{}")})
	wantCode(t, err, "UnknownOperationException")
}

func TestListShardsPaging(t *testing.T) {
	e := newEnv(t)
	e.createStream("p", 5)
	c := e.client
	out, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("p"), MaxResults: aws.Int32(2)})
	if err != nil || len(out.Shards) != 2 || out.NextToken == nil {
		t.Fatalf("page 1 %+v %v", out, err)
	}
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("p"), NextToken: out.NextToken})
	wantCode(t, err, "InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
	var ids []string
	tok := out.NextToken
	for tok != nil {
		page, err := c.ListShards(ctx, &kinesis.ListShardsInput{NextToken: tok, MaxResults: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Shards {
			ids = append(ids, aws.ToString(s.ShardId))
		}
		tok = page.NextToken
	}
	if fmt.Sprint(ids) != "[shardId-000000000002 shardId-000000000003 shardId-000000000004]" {
		t.Fatalf("later pages %v", ids)
	}
	after, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("p"),
		ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000003")}})
	if err != nil || len(after.Shards) != 1 {
		t.Fatalf("AFTER_SHARD_ID %+v %v", after, err)
	}
	stale := out.NextToken
	e.clock.Advance(301 * time.Second)
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{NextToken: stale})
	wantCode(t, err, "ExpiredNextTokenException")
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("p"), Limit: aws.Int32(3)})
	if err != nil || len(d.StreamDescription.Shards) != 3 || !aws.ToBool(d.StreamDescription.HasMoreShards) {
		t.Fatalf("DescribeStream page %+v %v", d, err)
	}
	d, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("p"), ExclusiveStartShardId: aws.String("shardId-000000000002")})
	if err != nil || len(d.StreamDescription.Shards) != 2 || aws.ToBool(d.StreamDescription.HasMoreShards) {
		t.Fatalf("DescribeStream after %+v %v", d, err)
	}
}
