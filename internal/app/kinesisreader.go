package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tributary-dev/tributary/internal/kinesis"
	"github.com/tributary-dev/tributary/internal/lambda/esm"
)

// kinesisReader adapts the Kinesis service's in-process reads to what
// Lambda's event source mappings need (esm.StreamReader).
type kinesisReader struct {
	svc *kinesis.Service
}

// newKinesisReader is the esm.StreamReader over a Kinesis service.
func newKinesisReader(svc *kinesis.Service) esm.StreamReader { return kinesisReader{svc: svc} }

// Shards implements esm.StreamReader; a missing stream wraps
// esm.ErrStreamNotFound.
func (k kinesisReader) Shards(ctx context.Context, streamARN string) ([]esm.Shard, error) {
	infos, err := k.svc.ShardsByARN(ctx, streamARN)
	if err != nil {
		return nil, mapReadErr(err)
	}
	out := make([]esm.Shard, len(infos))
	for i, s := range infos {
		out[i] = esm.Shard{ID: s.ID, ParentIDs: s.ParentIDs, StartingSequence: s.StartingSequence, Closed: s.Closed}
	}
	return out, nil
}

// ReadAfter implements esm.StreamReader.
func (k kinesisReader) ReadAfter(ctx context.Context, streamARN, shardID, afterSeq string, max, maxBytes int) ([]esm.Record, error) {
	return records(k.svc.ReadAfterByARN(ctx, streamARN, shardID, afterSeq, max, maxBytes))
}

// ReadFromStart implements esm.StreamReader.
func (k kinesisReader) ReadFromStart(ctx context.Context, streamARN, shardID string, max, maxBytes int) ([]esm.Record, error) {
	return records(k.svc.ReadFromTrimHorizonByARN(ctx, streamARN, shardID, max, maxBytes))
}

// LatestSequence implements esm.StreamReader.
func (k kinesisReader) LatestSequence(ctx context.Context, streamARN, shardID string) (string, error) {
	seq, err := k.svc.LatestSequenceByARN(ctx, streamARN, shardID)
	return seq, mapReadErr(err)
}

// ReadAtTimestamp implements esm.StreamReader.
func (k kinesisReader) ReadAtTimestamp(ctx context.Context, streamARN, shardID string, ts time.Time, max, maxBytes int) ([]esm.Record, error) {
	return records(k.svc.ReadAtTimestampByARN(ctx, streamARN, shardID, ts, max, maxBytes))
}

func records(in []kinesis.ReadRecord, err error) ([]esm.Record, error) {
	if err != nil {
		return nil, mapReadErr(err)
	}
	out := make([]esm.Record, len(in))
	for i, r := range in {
		out[i] = esm.Record{SequenceNumber: r.SequenceNumber, PartitionKey: r.PartitionKey, Data: r.Data, ArrivalTime: r.Arrival}
	}
	return out, nil
}

// mapReadErr gives a missing stream esm's sentinel, keeping Kinesis's error.
func mapReadErr(err error) error {
	if err != nil && errors.Is(err, kinesis.ErrStreamNotFound) {
		return fmt.Errorf("%w: %w", esm.ErrStreamNotFound, err)
	}
	return err
}
