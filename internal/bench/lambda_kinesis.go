package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// kinesisRun measures Kinesis → Lambda: KinesisRecords records are put into a new stream of
// KinesisShards shards first, then an event source mapping (TRIM_HORIZON, BatchSize KinesisBatch)
// starts delivering them to a new function that logs "COUNT n <first eventID> <last eventID>" per
// batch. The benchmark reads those lines back with FilterLogEvents and checks that the batches cover
// exactly the records it put; the rate is records per second from CreateEventSourceMapping to the
// timestamp of the last batch's line.
func (t *lambdaTarget) kinesisRun(ctx context.Context, run int) (lambdaSample, error) {
	cfg := t.cfg
	cleanup := context.WithoutCancel(ctx)
	name := fmt.Sprintf("bench-esm-%s-%d", t.runID, run)
	if err := t.kinesis.callJSON(ctx, "CreateStream", map[string]any{"StreamName": name, "ShardCount": cfg.KinesisShards}, nil); err != nil {
		return lambdaSample{}, err
	}
	defer t.kinesis.callJSON(cleanup, "DeleteStream", map[string]any{"StreamName": name, "EnforceConsumerDeletion": true}, nil)
	streamARN, err := t.waitStream(ctx, name)
	if err != nil {
		return lambdaSample{}, err
	}
	expected, err := t.putRecords(ctx, name)
	if err != nil {
		return lambdaSample{}, err
	}
	cov, err := newCoverage(expected)
	if err != nil {
		return lambdaSample{}, &DataError{Target: t.label, Key: name, Detail: err.Error()}
	}
	if err := t.createFunction(ctx, name, cfg.PythonRuntime, pythonCountHandler, t.zips["count"]); err != nil {
		return lambdaSample{}, err
	}
	defer func() {
		_ = t.lambda.callJSON(cleanup, "DeleteFunction", http.MethodDelete, functionPath(name), nil, nil)
		t.created = slices.DeleteFunc(t.created, func(n string) bool { return n == name })
	}()

	start := time.Now()
	var mapping struct{ UUID string }
	err = t.lambda.callJSON(ctx, "CreateEventSourceMapping", http.MethodPost, "/2015-03-31/event-source-mappings/", map[string]any{
		"EventSourceArn": streamARN, "FunctionName": name, "BatchSize": cfg.KinesisBatch,
		"StartingPosition": "TRIM_HORIZON", "MaximumBatchingWindowInSeconds": 0,
	}, &mapping)
	if err != nil {
		if isUnsupported(err) {
			return lambdaSample{Unsupported: err.Error()}, nil
		}
		return lambdaSample{}, err
	}
	if mapping.UUID == "" {
		return lambdaSample{}, errors.New("CreateEventSourceMapping answered no UUID")
	}
	defer t.lambda.callJSON(cleanup, "DeleteEventSourceMapping", http.MethodDelete, "/2015-03-31/event-source-mappings/"+mapping.UUID, nil, nil)

	group := "/aws/lambda/" + name
	deadline := start.Add(cfg.KinesisTimeout)
	seen := map[string]bool{} // log event ids already counted
	for cov.distinct < cov.total {
		if time.Now().After(deadline) {
			return lambdaSample{}, fmt.Errorf("the function saw %d of %d records within --kinesis-timeout %s", cov.distinct, cov.total, cfg.KinesisTimeout)
		}
		if t.srv != nil {
			if err := t.srv.exited(); err != nil {
				return lambdaSample{}, err
			}
		}
		events, err := t.countLines(ctx, group)
		if err != nil {
			return lambdaSample{}, err
		}
		for _, ev := range events {
			if seen[ev.EventID] {
				continue
			}
			seen[ev.EventID] = true
			if err := cov.add(ev.Message, ev.Timestamp); err != nil {
				return lambdaSample{}, &DataError{Target: t.label, Key: name, Detail: err.Error()}
			}
		}
		if cov.distinct < cov.total {
			select {
			case <-ctx.Done():
				return lambdaSample{}, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	observed := time.Since(start)
	elapsed := time.UnixMilli(cov.lastMillis).Sub(start)
	if elapsed <= 0 || elapsed > observed {
		elapsed = observed // a log timestamp from another clock would mean nothing
	}
	return lambdaSample{Records: int64(cov.distinct), Batches: int64(cov.batches), Dups: int64(cov.dups), Elapsed: elapsed, Observed: observed}, nil
}

func (t *lambdaTarget) waitStream(ctx context.Context, name string) (string, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		var out struct {
			StreamDescriptionSummary struct{ StreamStatus, StreamARN string }
		}
		if err := t.kinesis.callJSON(ctx, "DescribeStreamSummary", map[string]any{"StreamName": name}, &out); err != nil {
			return "", err
		}
		if out.StreamDescriptionSummary.StreamStatus == "ACTIVE" {
			return out.StreamDescriptionSummary.StreamARN, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("stream %s not ACTIVE after a minute", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kinesisRecordData is record i's data: its number, padded to size bytes.
func kinesisRecordData(i, size int) []byte {
	b := []byte(fmt.Sprintf("rec-%08d-", i))
	for len(b) < size {
		b = append(b, 'x')
	}
	return b[:size]
}

// putRecords puts KinesisRecords records with PutRecords (500 a call, failed entries resent) and
// returns every shard's sequence numbers in order.
func (t *lambdaTarget) putRecords(ctx context.Context, stream string) (map[string][]string, error) {
	type entry struct {
		Data         []byte
		PartitionKey string
	}
	var pending []entry
	for i := range t.cfg.KinesisRecords {
		pending = append(pending, entry{Data: kinesisRecordData(i, t.cfg.RecordSize), PartitionKey: "pk-" + strconv.Itoa(i)})
	}
	expected := map[string][]string{}
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt == 10 {
			return nil, fmt.Errorf("PutRecords: %d records still failing after 10 attempts", len(pending))
		}
		var failed []entry
		for from := 0; from < len(pending); from += 500 {
			batch := pending[from:min(from+500, len(pending))]
			var out struct {
				FailedRecordCount int
				Records           []struct{ ShardId, SequenceNumber, ErrorCode string }
			}
			if err := t.kinesis.callJSON(ctx, "PutRecords", map[string]any{"StreamName": stream, "Records": batch}, &out); err != nil {
				return nil, err
			}
			if len(out.Records) != len(batch) {
				return nil, &DataError{Target: t.label, Key: stream, Detail: fmt.Sprintf("PutRecords answered %d entries for %d records", len(out.Records), len(batch))}
			}
			for i, r := range out.Records {
				if r.ErrorCode != "" {
					failed = append(failed, batch[i])
					continue
				}
				expected[r.ShardId] = append(expected[r.ShardId], r.SequenceNumber)
			}
		}
		pending = failed
		if len(failed) > 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	for _, seqs := range expected {
		slices.SortFunc(seqs, compareSequenceNumbers)
	}
	return expected, nil
}

// countEvent is one log event of the count function.
type countEvent struct {
	EventID   string `json:"eventId"`
	Message   string `json:"message"`
	Timestamp int64  `json:"timestamp"`
}

// countLines returns every "COUNT" line the function has logged so far (nothing while the log group
// does not exist yet).
func (t *lambdaTarget) countLines(ctx context.Context, group string) ([]countEvent, error) {
	in := map[string]any{"logGroupName": group, "filterPattern": "COUNT"}
	var all []countEvent
	for pages := 0; ; pages++ {
		if pages > 100000 {
			return nil, errors.New("FilterLogEvents never stops answering a nextToken")
		}
		var out struct {
			Events    []countEvent `json:"events"`
			NextToken string       `json:"nextToken"`
		}
		if err := t.logs.callJSON(ctx, "FilterLogEvents", in, &out); err != nil {
			var ke *KinesisError
			if errors.As(err, &ke) && ke.Code == "ResourceNotFoundException" {
				return nil, nil
			}
			return nil, err
		}
		all = append(all, out.Events...)
		if out.NextToken == "" {
			return all, nil
		}
		in["nextToken"] = out.NextToken
	}
}

// coverage checks the batches the function reports against the records that were put: every batch
// must be a run of consecutive records of one shard, with the count the function saw.
type coverage struct {
	index      map[string]map[string]int // shard → sequence number → position in the shard
	times      map[string][]int          // shard → how often each record was delivered
	total      int
	distinct   int // records delivered at least once
	dups       int // deliveries beyond the first
	batches    int
	lastMillis int64 // timestamp of the latest batch line
}

func newCoverage(expected map[string][]string) (*coverage, error) {
	c := &coverage{index: map[string]map[string]int{}, times: map[string][]int{}}
	for shard, seqs := range expected {
		m := make(map[string]int, len(seqs))
		for i, s := range seqs {
			if _, dup := m[s]; dup {
				return nil, fmt.Errorf("PutRecords returned sequence number %s twice in %s", s, shard)
			}
			m[s] = i
		}
		c.index[shard], c.times[shard] = m, make([]int, len(seqs))
		c.total += len(seqs)
	}
	return c, nil
}

// add takes one "COUNT n shard:firstSeq shard:lastSeq" line logged at millis.
func (c *coverage) add(line string, millis int64) error {
	f := strings.Fields(line)
	if len(f) != 4 || f[0] != "COUNT" {
		return fmt.Errorf("function logged %q, want COUNT n firstEventID lastEventID", line)
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 1 {
		return fmt.Errorf("function logged batch size %q", f[1])
	}
	shard, first, ok1 := strings.Cut(f[2], ":")
	shard2, last, ok2 := strings.Cut(f[3], ":")
	if !ok1 || !ok2 || shard != shard2 {
		return fmt.Errorf("batch %q spans shards or has malformed eventIDs", line)
	}
	idx, ok := c.index[shard]
	if !ok {
		return fmt.Errorf("batch %q is from shard %s, where no record was put", line, shard)
	}
	i, ok1 := idx[first]
	j, ok2 := idx[last]
	if !ok1 || !ok2 {
		return fmt.Errorf("batch %q names a sequence number that was never put", line)
	}
	if j-i+1 != n {
		return fmt.Errorf("batch %q has %d records, but %d records were put from its first to its last", line, n, j-i+1)
	}
	for k := i; k <= j; k++ {
		if c.times[shard][k] == 0 {
			c.distinct++
		} else {
			c.dups++
		}
		c.times[shard][k]++
	}
	c.batches++
	c.lastMillis = max(c.lastMillis, millis)
	return nil
}
