package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/kinesis"
	"github.com/tributary-dev/tributary/internal/logs"
)

// kinesisRecordBytes is the largest payload a Kinesis destination takes:
// a record is at most 1 MiB of data plus partition key, and delivery keys
// are at most 256 characters (ours are 32 hex digits).
const kinesisRecordBytes = 1<<20 - 256

// controlPartitionKey is the partition key of the CONTROL_MESSAGE record
// PutSubscriptionFilter sends to probe a Kinesis destination.
const controlPartitionKey = "CloudWatchLogsControlMessage"

// streamPutter is what a Kinesis destination needs of the Kinesis service.
type streamPutter interface {
	PutRecordsByARN(ctx context.Context, streamARN string, records []kinesis.InProcessRecord) error
}

// logsDestinations resolves CloudWatch Logs subscription destinations to
// the services running in this process: Kinesis streams and Lambda
// functions. Firehose is not built yet: its ARNs are not found, so
// PutSubscriptionFilter answers as AWS does for a destination it cannot reach.
type logsDestinations struct {
	kinesis streamPutter
	lambda  functionInvoker
	account string
}

// Resolve implements logs.DestinationResolver. A Kinesis ARN resolves
// whether or not the stream exists: the probe (and each delivery) finds
// out, as at AWS.
func (d logsDestinations) Resolve(arn string) (logs.Destination, error) {
	switch arnService(arn) {
	case "kinesis":
		if d.kinesis == nil || !strings.Contains(arn, ":stream/") {
			break
		}
		return kinesisDestination{streams: d.kinesis, arn: arn}, nil
	case "lambda":
		if d.lambda == nil || !strings.Contains(arn, ":function:") {
			break
		}
		return lambdaDestination{fns: d.lambda, arn: arn, account: d.account}, nil
	}
	return nil, fmt.Errorf("%w: %s", logs.ErrDestinationNotFound, arn)
}

// arnService is the service part of arn:partition:service:region:account:resource.
func arnService(arn string) string {
	parts := strings.SplitN(arn, ":", 4)
	if len(parts) < 4 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

// kinesisDestination delivers each payload as one record of a stream.
type kinesisDestination struct {
	streams streamPutter
	arn     string
}

func (k kinesisDestination) Probe(ctx context.Context, controlMessage []byte) error {
	return k.put(ctx, controlPartitionKey, [][]byte{controlMessage})
}

func (k kinesisDestination) Deliver(ctx context.Context, partitionKey string, payloads [][]byte) error {
	return k.put(ctx, partitionKey, payloads)
}

func (k kinesisDestination) MaxRecordBytes() int { return kinesisRecordBytes }

// put stores the payloads in order under one partition key. A stream that
// is gone (or not active) and a record the stream refuses are final
// (logs.ErrUndeliverable: the batch is dropped, as AWS drops it);
// throttling and internal failures are retried by logs with backoff.
func (k kinesisDestination) put(ctx context.Context, partitionKey string, payloads [][]byte) error {
	recs := make([]kinesis.InProcessRecord, len(payloads))
	for i, p := range payloads {
		recs[i] = kinesis.InProcessRecord{PartitionKey: partitionKey, Data: p}
	}
	err := k.streams.PutRecordsByARN(ctx, k.arn, recs)
	switch {
	case err == nil, errors.Is(err, kinesis.ErrThrottled):
		return err
	case errors.Is(err, kinesis.ErrStreamNotFound):
		return fmt.Errorf("%w: %w", logs.ErrUndeliverable, err)
	}
	if e := awsproto.As(err); e != nil && e.Status >= 400 && e.Status < 500 {
		return fmt.Errorf("%w: %w", logs.ErrUndeliverable, err)
	}
	return err
}
