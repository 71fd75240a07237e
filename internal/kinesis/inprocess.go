package kinesis

import (
	"context"
	"errors"
	"fmt"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// InProcessRecord is one record another service puts into a stream
// without going through HTTP (internal/app adapts it, e.g. for CloudWatch
// Logs subscription delivery).
type InProcessRecord struct {
	PartitionKey string
	Data         []byte
}

// Errors of PutRecordsByARN a caller tells apart with errors.Is; the
// wrapped *awsproto.Error keeps AWS's code and message.
var (
	// ErrStreamNotFound: no such stream, or it is not writable yet
	// (CREATING) or any more (deleted).
	ErrStreamNotFound = errors.New("kinesis: stream not found or not active")
	// ErrThrottled: a shard's write limit refused the call or some of its
	// records (only with Config.Throttle); retrying later can succeed.
	ErrThrottled = errors.New("kinesis: write throughput exceeded")
)

// PutRecordsByARN puts records into the stream named by streamARN, in
// order, through the PutRecords operation's own path: validation, hash
// routing, per-shard throttling and a fsynced Append. Records are sent in
// calls of at most PutRecords' limits (500 records, 10 MiB). It returns
// nil only when every record was stored. On error some records may have
// been stored (an earlier call, or the shards that were not throttled):
// callers retry the whole put, at least once, as the AWS SDK's callers do.
func (s *Service) PutRecordsByARN(ctx context.Context, streamARN string, records []InProcessRecord) error {
	if err := s.load(); err != nil {
		return err
	}
	for len(records) > 0 {
		n, size := 0, 0
		for n < len(records) && n < maxPutRecords {
			rs := len(records[n].Data) + len(records[n].PartitionKey)
			if n > 0 && size+rs > maxPutRecordsBytes {
				break
			}
			size += rs
			n++
		}
		if err := s.putRecordsInProcess(ctx, streamARN, records[:n]); err != nil {
			return err
		}
		records = records[n:]
	}
	return nil
}

func (s *Service) putRecordsInProcess(ctx context.Context, streamARN string, records []InProcessRecord) error {
	in := putRecordsInput{streamRef: streamRef{StreamARN: &streamARN}, Records: make([]putRecordsEntry, len(records))}
	for i := range records {
		in.Records[i] = putRecordsEntry{Data: records[i].Data, PartitionKey: &records[i].PartitionKey}
		if in.Records[i].Data == nil {
			in.Records[i].Data = []byte{} // present but empty, as a client's "" is
		}
	}
	out, err := s.putRecords(ctx, &in)
	if err != nil {
		return classifyPutError(err)
	}
	if out.FailedRecordCount == 0 {
		return nil
	}
	throttled := false
	first := ""
	for _, r := range out.Records {
		if r.ErrorCode == "" {
			continue
		}
		if first == "" {
			first = r.ErrorCode + ": " + r.ErrorMessage
		}
		throttled = throttled || r.ErrorCode == codeThroughput
	}
	if throttled {
		return fmt.Errorf("%w: %d of %d records refused (%s)", ErrThrottled, out.FailedRecordCount, len(records), first)
	}
	return fmt.Errorf("kinesis: %d of %d records failed (%s)", out.FailedRecordCount, len(records), first)
}

// classifyPutError wraps a PutRecords error with the sentinel its AWS code
// stands for.
func classifyPutError(err error) error {
	switch e := awsproto.As(err); {
	case e == nil:
		return err
	case e.Code == codeResourceNotFound || e.Code == codeResourceInUse:
		return fmt.Errorf("%w: %w", ErrStreamNotFound, err)
	case e.Code == codeThroughput:
		return fmt.Errorf("%w: %w", ErrThrottled, err)
	default:
		return err
	}
}
