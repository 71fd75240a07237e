package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/tributary-dev/tributary/internal/awstest"
	"github.com/tributary-dev/tributary/internal/config"
)

// Kinesis is wired in: records put before a restart are read after it with
// the same sequence numbers, and the endpoint speaks HTTP/2 cleartext (h2c)
// for the Java SDK's SubscribeToShard.
func TestKinesisServedAndPersisted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	onDir := func(c *config.Config) { c.DataDir = dir }
	first := awstest.Start(t, onDir)
	c := first.Kinesis(t)
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("events"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	waiter := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	if err := waiter.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("events")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("events"), PartitionKey: aws.String("k"), Data: []byte("durable")})
	if err != nil {
		t.Fatal(err)
	}
	h2c(t, first.Endpoint)

	t.Run("after restart", func(t *testing.T) {
		stopFirst(t, first)
		second := awstest.Start(t, onDir)
		c2 := second.Kinesis(t)
		it, err := c2.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("events"), ShardId: put.ShardId,
			ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: put.SequenceNumber})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c2.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Records) != 1 || string(out.Records[0].Data) != "durable" || aws.ToString(out.Records[0].SequenceNumber) != aws.ToString(put.SequenceNumber) {
			t.Fatalf("after restart: %+v", out.Records)
		}
	})
}

// h2c makes an HTTP/2 request with prior knowledge over plain TCP.
func h2c(t *testing.T, endpoint string) {
	t.Helper()
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	resp, err := (&http.Client{Transport: tr}).Post(endpoint+"/", "application/x-amz-json-1.1", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("h2c request: %v", err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("served over %s, want HTTP/2", resp.Proto)
	}
}
