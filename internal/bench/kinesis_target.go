package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// kinesisTarget is one Kinesis server under measurement.
type kinesisTarget struct {
	label       string
	endpoint    string
	description string
	srv         *server // nil for an --endpoint we did not start
	client      *kinesisClient
	cfg         KinesisConfig
	payload     payload
	prefix      string // of this run's stream names

	streams map[string]*benchStream // workload name → its stream (not the put workloads')
	drained *drainExpectation
	// drainBufs keep each shard reader's response buffer from pass to pass,
	// so the client does not fault in 15 MiB of fresh memory per call.
	drainBufs map[string]*bytes.Buffer
	warnings  []string // cleanup failures, reported after the run
}

// benchStream is a stream created for one workload.
type benchStream struct {
	name   string
	arn    string
	shards []string
}

// drainExpectation is what the drain stream holds: records per shard, from the PutRecords answers.
type drainExpectation struct {
	perShard map[string]int64
	total    int64
	checker  *recordChecker
}

// newKinesisTarget gives every target a transport of its own, so connections to one server never
// wait behind another's.
func newKinesisTarget(cfg KinesisConfig, label, endpoint, description string, srv *server, signer *sigV4Signer, pl payload) (*kinesisTarget, error) {
	client, err := newKinesisClient(label, endpoint, signer, newKinesisTransport(), cfg.OpTimeout)
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	return &kinesisTarget{
		label: label, endpoint: endpoint, description: description, srv: srv, client: client, cfg: cfg, payload: pl,
		prefix: "tributary-bench-" + hex.EncodeToString(suffix), streams: map[string]*benchStream{},
	}, nil
}

func (t *kinesisTarget) dataError(key, format string, args ...any) error {
	return &DataError{Target: t.label, Key: key, Detail: fmt.Sprintf(format, args...)}
}

// setup creates one stream per selected workload, builds the producers' batches and fills the drain
// stream (then reads it back completely, checking every record).
func (t *kinesisTarget) setup(ctx context.Context, progress func(string, ...any)) error {
	for _, w := range t.cfg.Workloads {
		if w.Kind == kindPut {
			continue // a fresh stream per run: see putRun
		}
		shards := t.cfg.Shards
		if w.isLatency() {
			shards = 1
		}
		s, err := t.createStream(ctx, t.prefix+"-"+w.Name, shards)
		if err != nil {
			return err
		}
		t.streams[w.Name] = s
		if w.Kind == kindDrain {
			if err := t.fillDrainStream(ctx, w, s, progress); err != nil {
				return err
			}
		}
	}
	return nil
}

// putRun measures one run of a put workload on a stream created for it (and deleted after it), so
// every run starts from an empty stream: moto_server's PutRecords slows down as a shard grows, and
// its numbers would otherwise depend on how many runs came before.
func (t *kinesisTarget) putRun(ctx context.Context, w KinesisWorkload, run int) (kinesisSample, error) {
	s, err := t.createStream(ctx, fmt.Sprintf("%s-%s-r%d", t.prefix, w.Name, run), t.cfg.Shards)
	if err != nil {
		return kinesisSample{}, err
	}
	defer func() {
		in := map[string]any{"StreamName": s.name, "EnforceConsumerDeletion": true}
		if err := t.client.callJSON(ctx, "DeleteStream", in, nil); err != nil && ctx.Err() == nil {
			t.warnings = append(t.warnings, err.Error())
		}
	}()
	batches, err := t.buildBatches(s.name, w.Name, w.RecordSize)
	if err != nil {
		return kinesisSample{}, err
	}
	var warm Sample
	if t.cfg.Warmup > 0 {
		if warm, err = measure(ctx, t.cfg.Producers, t.cfg.Warmup, 0, t.putOp(batches)); err != nil {
			return kinesisSample{}, err
		}
	}
	m, err := measure(ctx, t.cfg.Producers, t.cfg.Duration, 0, t.putOp(batches))
	if err != nil {
		return kinesisSample{}, err
	}
	m = m.withWarmupErrors(warm)
	return kinesisSample{
		Calls: m.Ops, Records: m.Ops * int64(t.cfg.Batch), Bytes: m.Bytes,
		Errors: m.Errors, FirstErr: m.FirstErr, Elapsed: m.Elapsed, P50: m.P50, P99: m.P99,
	}, nil
}

func (t *kinesisTarget) buildBatches(stream, prefix string, size int) ([]recordBatch, error) {
	batches := make([]recordBatch, t.cfg.Producers)
	for p := range batches {
		b, err := newRecordBatch(t.payload, stream, prefix, p, t.cfg.Batch, size)
		if err != nil {
			return nil, err
		}
		batches[p] = b
	}
	return batches, nil
}

type streamDescription struct {
	StreamDescription struct {
		StreamName   string `json:"StreamName"`
		StreamARN    string `json:"StreamARN"`
		StreamStatus string `json:"StreamStatus"`
		Shards       []struct {
			ShardId string `json:"ShardId"`
		} `json:"Shards"`
		HasMoreShards bool `json:"HasMoreShards"`
	} `json:"StreamDescription"`
}

// createStream creates a provisioned stream and waits until it is ACTIVE.
func (t *kinesisTarget) createStream(ctx context.Context, name string, shards int) (*benchStream, error) {
	if err := t.client.callJSON(ctx, "CreateStream", map[string]any{"StreamName": name, "ShardCount": shards}, nil); err != nil {
		return nil, fmt.Errorf("%s: %w", t.label, err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		var d streamDescription
		if err := t.client.callJSON(ctx, "DescribeStream", map[string]any{"StreamName": name}, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", t.label, err)
		}
		sd := d.StreamDescription
		if sd.StreamStatus == "ACTIVE" {
			if sd.HasMoreShards || len(sd.Shards) != shards {
				return nil, t.dataError(name, "ACTIVE stream created with %d shards lists %d (more: %v)", shards, len(sd.Shards), sd.HasMoreShards)
			}
			s := &benchStream{name: name, arn: sd.StreamARN}
			for _, sh := range sd.Shards {
				s.shards = append(s.shards, sh.ShardId)
			}
			return s, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: stream %s still %s a minute after CreateStream", t.label, name, sd.StreamStatus)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// putOp sends worker's batch again and again. Every answer's counts are checked; every
// VerifyEvery-th is decoded completely.
func (t *kinesisTarget) putOp(batches []recordBatch) func(worker int) opFunc {
	return func(worker int) opFunc {
		b := batches[worker%len(batches)]
		var buf bytes.Buffer
		return func(ctx context.Context, seq int64) (time.Duration, int64, error) {
			start := time.Now()
			doc, err := t.client.call(ctx, "PutRecords", b.body, &buf)
			lat := time.Since(start)
			if err != nil {
				return 0, 0, err
			}
			if seq%int64(t.cfg.VerifyEvery) == 0 {
				_, err = checkPutRecords(t.label, doc, len(b.keys))
			} else {
				err = checkPutRecordsCounts(t.label, doc, len(b.keys))
			}
			if err != nil {
				return 0, 0, err
			}
			return lat, int64(len(b.keys) * b.size), nil
		}
	}
}

// fillDrainStream writes cfg.DrainRecords records (rounded up to whole batches), counts them per
// shard from the answers, then reads the stream back completely, checking every record's bytes, key
// and order. One PutRecords at a time: moto_server (5.2.1) hands out the same sequence number to
// records of concurrent calls and keeps only one of them, and the drain should measure reading a
// complete stream on every server.
func (t *kinesisTarget) fillDrainStream(ctx context.Context, w KinesisWorkload, s *benchStream, progress func(string, ...any)) error {
	batches, err := t.buildBatches(s.name, w.Name, t.cfg.DrainSize)
	if err != nil {
		return err
	}
	calls := (t.cfg.DrainRecords + t.cfg.Batch - 1) / t.cfg.Batch
	progress("%s: filling the drain stream with %d records of %s", t.label, calls*t.cfg.Batch, sizeName(t.cfg.DrainSize))
	start := time.Now()
	exp := &drainExpectation{perShard: map[string]int64{}, checker: newRecordChecker(t.label, t.payload, batches)}
	var buf bytes.Buffer
	for call := range calls {
		b := batches[call%len(batches)]
		doc, err := t.client.call(ctx, "PutRecords", b.body, &buf)
		var shards []string
		if err == nil {
			shards, err = checkPutRecords(t.label, doc, t.cfg.Batch)
		}
		if err != nil {
			return fmt.Errorf("%s: filling the drain stream: %w", t.label, err)
		}
		for _, sh := range shards {
			exp.perShard[sh]++
			exp.total++
		}
	}
	for sh := range exp.perShard {
		if !slices.Contains(s.shards, sh) {
			return t.dataError(s.name, "PutRecords placed records in shard %s, which the stream does not list", sh)
		}
	}
	progress("%s: wrote %d records in %s; reading them all back to check them", t.label, exp.total, time.Since(start).Round(time.Millisecond))
	t.drained = exp
	if _, err := t.drain(ctx, s, true); err != nil {
		return err
	}
	return nil
}

// drain reads every shard of s from TRIM_HORIZON to the end, one reader per shard, with GetRecords
// Limit 10000. Measured passes only count records (and compare the counts with what was written);
// the verification pass (verify) decodes every answer and checks every record and its order.
func (t *kinesisTarget) drain(ctx context.Context, s *benchStream, verify bool) (kinesisSample, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		sample   kinesisSample
		lat      []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	if t.drainBufs == nil {
		t.drainBufs = map[string]*bytes.Buffer{}
	}
	for _, shard := range s.shards {
		if t.drainBufs[shard] == nil {
			t.drainBufs[shard] = new(bytes.Buffer)
		}
	}
	start := time.Now()
	for _, shard := range s.shards {
		buf := t.drainBufs[shard]
		wg.Go(func() {
			calls, lats, err := t.drainShard(ctx, s, shard, verify, buf)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
				cancel()
			}
			sample.Calls += calls
			sample.Records += t.drained.perShard[shard]
			lat = append(lat, lats...)
		})
	}
	wg.Wait()
	sample.Elapsed = time.Since(start)
	if firstErr != nil {
		return kinesisSample{}, firstErr
	}
	sample.Bytes = sample.Records * int64(t.cfg.DrainSize)
	slices.Sort(lat)
	sample.P50, sample.P99 = Percentile(lat, 50), Percentile(lat, 99)
	return sample, nil
}

func (t *kinesisTarget) drainShard(ctx context.Context, s *benchStream, shard string, verify bool, buf *bytes.Buffer) (int64, []time.Duration, error) {
	var it struct {
		ShardIterator string `json:"ShardIterator"`
	}
	err := t.client.callJSON(ctx, "GetShardIterator", map[string]any{"StreamName": s.name, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}, &it)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %s: %w", t.label, shard, err)
	}
	want := t.drained.perShard[shard]
	var (
		got     int64
		calls   int64
		lats    []time.Duration
		lastSeq string
	)
	iterator := it.ShardIterator
	for got < want {
		body, err := jsonBody(map[string]any{"ShardIterator": iterator, "Limit": 10000})
		if err != nil {
			return calls, lats, err
		}
		start := time.Now()
		doc, err := t.client.call(ctx, "GetRecords", body, buf)
		lats = append(lats, time.Since(start))
		calls++
		if err != nil {
			return calls, lats, fmt.Errorf("%s: %s after %d of %d records: %w", t.label, shard, got, want, err)
		}
		var n int64
		var next string
		var hasNext bool
		var behind int64
		if verify {
			n, next, hasNext, behind, lastSeq, err = t.checkRecords(shard, doc, lastSeq)
		} else {
			n = int64(countMember(doc, "SequenceNumber"))
			next, hasNext, err = memberString(doc, "NextShardIterator")
			if err == nil {
				behind, _, err = memberInt(doc, "MillisBehindLatest")
			}
		}
		if err != nil {
			return calls, lats, err
		}
		got += n
		switch {
		case got > want:
			return calls, lats, t.dataError(shard, "GetRecords returned %d records from TRIM_HORIZON, but %d were written", got, want)
		case got < want && !hasNext:
			return calls, lats, t.dataError(shard, "shard ended (no NextShardIterator) after %d of %d records", got, want)
		case got < want && n == 0 && behind == 0:
			return calls, lats, t.dataError(shard, "GetRecords returned no records and MillisBehindLatest 0 after %d of the %d records written", got, want)
		}
		iterator = next
	}
	return calls, lats, nil
}

// checkRecords decodes a GetRecords answer and checks each record against what was written and that
// sequence numbers increase along the shard.
func (t *kinesisTarget) checkRecords(shard string, doc []byte, lastSeq string) (n int64, next string, hasNext bool, behind int64, last string, err error) {
	var out getRecordsOutput
	if err := json.Unmarshal(doc, &out); err != nil {
		return 0, "", false, 0, "", t.dataError(shard, "GetRecords answer is not JSON: %v", err)
	}
	last = lastSeq
	for _, r := range out.Records {
		if !isDecimal(r.SequenceNumber) {
			return 0, "", false, 0, "", t.dataError(shard, "sequence number %q is not decimal", r.SequenceNumber)
		}
		if last != "" && compareSequenceNumbers(r.SequenceNumber, last) <= 0 {
			return 0, "", false, 0, "", t.dataError(shard, "sequence number %s follows %s: not increasing", r.SequenceNumber, last)
		}
		last = r.SequenceNumber
		if err := t.drained.checker.check(shard, r.Data, r.PartitionKey); err != nil {
			return 0, "", false, 0, "", err
		}
	}
	if out.NextShardIterator != nil {
		next, hasNext = *out.NextShardIterator, true
	}
	if out.MillisBehindLatest != nil {
		behind = *out.MillisBehindLatest
	}
	return int64(len(out.Records)), next, hasNext, behind, last, nil
}
