package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/kinesis"
	"github.com/tributary-dev/tributary/internal/logs"
)

// recordingPutter is a Kinesis stand-in that records puts and answers err.
type recordingPutter struct {
	err  error
	arn  string
	recs []kinesis.InProcessRecord
}

func (p *recordingPutter) PutRecordsByARN(_ context.Context, arn string, recs []kinesis.InProcessRecord) error {
	p.arn, p.recs = arn, recs
	return p.err
}

func TestLogsDestinationsResolve(t *testing.T) {
	d := logsDestinations{kinesis: &recordingPutter{}}
	tests := []struct {
		arn   string
		found bool
	}{
		{"arn:aws:kinesis:us-east-1:123456789012:stream/flows", true},
		{"arn:aws:firehose:us-east-1:123456789012:deliverystream/flows", false},
		{"arn:aws:lambda:us-east-1:123456789012:function:f", false},
		{"arn:aws:kinesis:us-east-1:123456789012:consumer/x", false},
		{"not an arn", false},
	}
	for _, tc := range tests {
		dest, err := d.Resolve(tc.arn)
		if tc.found {
			if err != nil || dest == nil || dest.MaxRecordBytes() != kinesisRecordBytes {
				t.Errorf("Resolve(%s) = %v, %v", tc.arn, dest, err)
			}
			continue
		}
		if !errors.Is(err, logs.ErrDestinationNotFound) {
			t.Errorf("Resolve(%s) error %v, want ErrDestinationNotFound", tc.arn, err)
		}
	}
}

// Deliver puts each payload as one record under the partition key, in
// order, and sorts Kinesis' failures into final and retryable.
func TestKinesisDestinationDeliver(t *testing.T) {
	const arn = "arn:aws:kinesis:us-east-1:123456789012:stream/flows"
	tests := []struct {
		name      string
		err       error
		final     bool
		wantError bool
	}{
		{name: "stored"},
		{name: "stream gone", err: kinesis.ErrStreamNotFound, final: true, wantError: true},
		{name: "throttled", err: kinesis.ErrThrottled, wantError: true},
		{name: "refused record", err: awsproto.NewError(400, "InvalidArgumentException", "too large"), final: true, wantError: true},
		{name: "internal failure", err: errors.New("disk full"), wantError: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &recordingPutter{err: tc.err}
			dest, err := logsDestinations{kinesis: p}.Resolve(arn)
			if err != nil {
				t.Fatal(err)
			}
			err = dest.Deliver(context.Background(), "pk", [][]byte{[]byte("a"), []byte("b")})
			if (err != nil) != tc.wantError {
				t.Fatalf("Deliver error %v", err)
			}
			if got := errors.Is(err, logs.ErrUndeliverable); got != tc.final {
				t.Fatalf("errors.Is(%v, ErrUndeliverable) = %v, want %v", err, got, tc.final)
			}
			if p.arn != arn || len(p.recs) != 2 || string(p.recs[0].Data) != "a" || string(p.recs[1].Data) != "b" ||
				p.recs[0].PartitionKey != "pk" || p.recs[1].PartitionKey != "pk" {
				t.Fatalf("put %s %+v", p.arn, p.recs)
			}
		})
	}
}

func TestKinesisDestinationProbe(t *testing.T) {
	p := &recordingPutter{}
	dest, _ := logsDestinations{kinesis: p}.Resolve("arn:aws:kinesis:us-east-1:123456789012:stream/s")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := dest.Probe(ctx, []byte("control")); err != nil {
		t.Fatal(err)
	}
	if len(p.recs) != 1 || string(p.recs[0].Data) != "control" || p.recs[0].PartitionKey == "" {
		t.Fatalf("probe put %+v", p.recs)
	}
}
