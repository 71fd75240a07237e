package kinesis

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func arnOf(name string) string {
	return "arn:aws:kinesis:" + testRegion + ":" + testAccount + ":stream/" + name
}

// PutRecordsByARN stores records in order across PutRecords-sized chunks,
// readable by GetRecords like any other put.
func TestPutRecordsByARNStoresInOrder(t *testing.T) {
	e := newEnv(t)
	e.createStream("dest", 1)
	const n = 1203 // three chunks of at most 500
	recs := make([]InProcessRecord, n)
	for i := range recs {
		recs[i] = InProcessRecord{PartitionKey: "pk", Data: fmt.Appendf(nil, "record %04d", i)}
	}
	if err := e.svc.PutRecordsByARN(ctx, arnOf("dest"), recs); err != nil {
		t.Fatal(err)
	}
	got, _ := e.drain(e.iterator("dest", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil))
	if len(got) != n {
		t.Fatalf("read %d records, want %d", len(got), n)
	}
	for i, r := range got {
		if want := fmt.Sprintf("record %04d", i); string(r.Data) != want || *r.PartitionKey != "pk" {
			t.Fatalf("record %d = %q (key %q), want %q", i, r.Data, *r.PartitionKey, want)
		}
	}
}

// The errors tell a missing or not-yet-active stream, throttling and
// anything else apart.
func TestPutRecordsByARNErrors(t *testing.T) {
	e := newEnv(t, withThrottle())
	e.clock.Freeze()
	e.createStream("active", 1)
	// The frozen clock keeps this one CREATING.
	if _, err := e.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("creating"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	one := []InProcessRecord{{PartitionKey: "k", Data: []byte("x")}}
	burst := make([]InProcessRecord, 1001) // over 1,000 records/s of a frozen clock
	for i := range burst {
		burst[i] = InProcessRecord{PartitionKey: "k", Data: []byte("x")}
	}
	tooBig := []InProcessRecord{{PartitionKey: "k", Data: make([]byte, 1<<20+1)}}
	tests := []struct {
		name          string
		arn           string
		recs          []InProcessRecord
		notFound      bool
		throttled     bool
		wantOtherCode string
	}{
		{name: "no such stream", arn: arnOf("missing"), recs: one, notFound: true},
		{name: "not an ARN", arn: "stream/missing", recs: one, wantOtherCode: codeValidation},
		{name: "other account", arn: "arn:aws:kinesis:us-east-1:000000000000:stream/active", recs: one, notFound: true},
		{name: "still CREATING", arn: arnOf("creating"), recs: one, notFound: true},
		{name: "record too large", arn: arnOf("active"), recs: tooBig, wantOtherCode: codeInvalidArgument},
		{name: "throttled", arn: arnOf("active"), recs: burst, throttled: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.PutRecordsByARN(ctx, tc.arn, tc.recs)
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrStreamNotFound); got != tc.notFound {
				t.Errorf("errors.Is(%v, ErrStreamNotFound) = %v", err, got)
			}
			if got := errors.Is(err, ErrThrottled); got != tc.throttled {
				t.Errorf("errors.Is(%v, ErrThrottled) = %v", err, got)
			}
			if tc.wantOtherCode != "" {
				if ae := awsprotoAs(err); ae == nil || ae.Code != tc.wantOtherCode {
					t.Errorf("error %v, want code %s", err, tc.wantOtherCode)
				}
			}
		})
	}
}
