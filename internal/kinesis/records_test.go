package kinesis

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// iterator returns a shard iterator of the given type.
func (e *env) iterator(stream, shard string, typ types.ShardIteratorType, seq string, at *time.Time) string {
	e.t.Helper()
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: typ, Timestamp: at}
	if seq != "" {
		in.StartingSequenceNumber = aws.String(seq)
	}
	out, err := e.client.GetShardIterator(ctx, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.ShardIterator)
}

// drain reads a shard from the iterator until it returns no records (open
// shard) or ends (closed shard).
func (e *env) drain(it string) (recs []types.Record, ended *kinesis.GetRecordsOutput) {
	e.t.Helper()
	for {
		out, err := e.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
		if err != nil {
			e.t.Fatal(err)
		}
		recs = append(recs, out.Records...)
		if out.NextShardIterator == nil {
			return recs, out
		}
		if len(out.Records) == 0 {
			return recs, nil
		}
		it = aws.ToString(out.NextShardIterator)
	}
}

func TestPutAndGetRecords(t *testing.T) {
	e := newEnv(t)
	e.createStream("s", 2)
	c := e.client
	var puts []*kinesis.PutRecordOutput
	for i := 0; i < 20; i++ {
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"),
			PartitionKey: aws.String(fmt.Sprintf("key-%d", i%5)), Data: []byte(fmt.Sprintf("record %d", i))})
		if err != nil {
			t.Fatal(err)
		}
		puts = append(puts, out)
	}
	// MD5 routing: each key's shard is fixed by its hash.
	half := new(big.Int).Lsh(big.NewInt(1), 127)
	for i, p := range puts {
		h := partitionHash(fmt.Sprintf("key-%d", i%5)).big()
		want := "shardId-000000000000"
		if h.Cmp(half) >= 0 {
			want = "shardId-000000000001"
		}
		if aws.ToString(p.ShardId) != want {
			t.Fatalf("record %d on %s, want %s", i, aws.ToString(p.ShardId), want)
		}
		if len(aws.ToString(p.SequenceNumber)) != 56 {
			t.Fatalf("sequence number %q is not 56 digits", aws.ToString(p.SequenceNumber))
		}
	}
	total := 0
	for _, shard := range []string{"shardId-000000000000", "shardId-000000000001"} {
		recs, _ := e.drain(e.iterator("s", shard, types.ShardIteratorTypeTrimHorizon, "", nil))
		var prev *big.Int
		for _, r := range recs {
			n, _ := new(big.Int).SetString(aws.ToString(r.SequenceNumber), 10)
			if prev != nil && n.Cmp(prev) <= 0 {
				t.Fatalf("sequence numbers not increasing on %s", shard)
			}
			prev = n
			if r.ApproximateArrivalTimestamp == nil || time.Since(*r.ApproximateArrivalTimestamp) > time.Minute {
				t.Fatalf("arrival %v", r.ApproximateArrivalTimestamp)
			}
		}
		total += len(recs)
	}
	if total != 20 {
		t.Fatalf("read %d records, want 20", total)
	}

	// Explicit hash key places the record; LATEST starts after the tip.
	latest := e.iterator("s", "shardId-000000000001", types.ShardIteratorTypeLatest, "", nil)
	out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("x"),
		ExplicitHashKey: aws.String("340282366920938463463374607431768211455"), Data: []byte("tip\n\"quoted\"")})
	if err != nil || aws.ToString(out.ShardId) != "shardId-000000000001" {
		t.Fatalf("explicit hash key: %v %v", out, err)
	}
	got, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(latest)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 || string(got.Records[0].Data) != "tip\n\"quoted\"" || aws.ToString(got.Records[0].PartitionKey) != "x" ||
		aws.ToString(got.Records[0].SequenceNumber) != aws.ToString(out.SequenceNumber) || aws.ToInt64(got.MillisBehindLatest) != 0 || got.NextShardIterator == nil {
		t.Fatalf("LATEST read %+v", got)
	}

	// AT_ and AFTER_SEQUENCE_NUMBER.
	first := puts[0]
	at := e.iterator("s", aws.ToString(first.ShardId), types.ShardIteratorTypeAtSequenceNumber, aws.ToString(first.SequenceNumber), nil)
	g, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(at), Limit: aws.Int32(1)})
	if err != nil || len(g.Records) != 1 || aws.ToString(g.Records[0].SequenceNumber) != aws.ToString(first.SequenceNumber) {
		t.Fatalf("AT_SEQUENCE_NUMBER: %+v %v", g, err)
	}
	if aws.ToInt64(g.MillisBehindLatest) < 0 {
		t.Fatal("negative MillisBehindLatest")
	}
	after := e.iterator("s", aws.ToString(first.ShardId), types.ShardIteratorTypeAfterSequenceNumber, aws.ToString(first.SequenceNumber), nil)
	g, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(after), Limit: aws.Int32(1)})
	if err != nil || len(g.Records) != 1 || aws.ToString(g.Records[0].SequenceNumber) == aws.ToString(first.SequenceNumber) {
		t.Fatalf("AFTER_SEQUENCE_NUMBER: %+v %v", g, err)
	}
}

func TestPutRecordsAndRestart(t *testing.T) {
	e := newEnv(t)
	e.createStream("batch", 4)
	entries := make([]types.PutRecordsRequestEntry, 500)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("pk%d", i)), Data: bytes.Repeat([]byte{byte(i)}, 100)}
	}
	out, err := e.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("batch"), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.FailedRecordCount) != 0 || len(out.Records) != 500 {
		t.Fatalf("failed %d, %d results", aws.ToInt32(out.FailedRecordCount), len(out.Records))
	}
	want := map[string][]byte{}
	for i, r := range out.Records {
		want[aws.ToString(r.SequenceNumber)] = entries[i].Data
	}
	read := func() {
		t.Helper()
		n := 0
		for i := 0; i < 4; i++ {
			recs, _ := e.drain(e.iterator("batch", shardID(i), types.ShardIteratorTypeTrimHorizon, "", nil))
			for _, r := range recs {
				if !bytes.Equal(want[aws.ToString(r.SequenceNumber)], r.Data) {
					t.Fatalf("record %s: data differs", aws.ToString(r.SequenceNumber))
				}
				n++
			}
		}
		if n != 500 {
			t.Fatalf("read %d records, want 500", n)
		}
	}
	read()
	e.restart()
	read()
	// Sequence numbers continue after a restart.
	more, err := e.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("batch"), PartitionKey: aws.String("pk0"), Data: []byte("z")})
	if err != nil {
		t.Fatal(err)
	}
	if _, dup := want[aws.ToString(more.SequenceNumber)]; dup || !strings.HasPrefix(aws.ToString(more.SequenceNumber), "49") {
		t.Fatalf("sequence number after restart %s", aws.ToString(more.SequenceNumber))
	}
}
