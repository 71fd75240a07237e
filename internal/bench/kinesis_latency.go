package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// kinesisSample is one run of one workload against one target.
type kinesisSample struct {
	Calls    int64 // successful requests (PutRecords, GetRecords) or records received (latency)
	Records  int64
	Bytes    int64 // record data bytes
	Errors   int64
	FirstErr string
	Elapsed  time.Duration
	P50, P99 time.Duration // per call; put-to-visible per record for the latency workloads
	// Unsupported is why the target cannot run the workload (it lacks the operation); the report
	// shows "n/a".
	Unsupported string
}

func (s kinesisSample) RecordsPerSec() float64 { return perSecond(float64(s.Records), s.Elapsed) }
func (s kinesisSample) MBPerSec() float64      { return perSecond(float64(s.Bytes)/1e6, s.Elapsed) }
func (s kinesisSample) CallsPerSec() float64   { return perSecond(float64(s.Calls), s.Elapsed) }

// visibility records when each latency record was sent and when it was first seen.
type visibility struct {
	base   time.Time
	sentAt []atomic.Int64 // ns since base; 0 = not sent
	acked  []atomic.Bool
	mu     sync.Mutex
	seen   []bool
	lat    []time.Duration // of records sent after the warmup
	warmup int             // records below this index are not measured
}

func newVisibility(capacity int) *visibility {
	return &visibility{base: time.Now(), sentAt: make([]atomic.Int64, capacity), acked: make([]atomic.Bool, capacity), seen: make([]bool, capacity)}
}

// observe notes that record i became visible now. A record seen twice is wrong data.
func (v *visibility) observe(i int, now time.Time) error {
	if i >= len(v.sentAt) {
		return fmt.Errorf("record %d was never sent", i)
	}
	sent := v.sentAt[i].Load()
	if sent == 0 {
		return fmt.Errorf("record %d is visible before it was sent", i)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen[i] {
		return fmt.Errorf("record %d delivered twice", i)
	}
	v.seen[i] = true
	if i >= v.warmup {
		v.lat = append(v.lat, now.Sub(v.base)-time.Duration(sent))
	}
	return nil
}

// missing lists acknowledged records never seen.
func (v *visibility) missing(sent int) []int {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []int
	for i := range sent {
		if v.acked[i].Load() && !v.seen[i] {
			out = append(out, i)
		}
	}
	return out
}

// produceLatency puts records 0,1,2,... one PutRecord at a time at cfg.LatencyRate for warmup+d,
// stamping each send time in v before the request leaves. It returns how many were sent, how long
// the measured (post-warmup) ones took to send, and the failures. A producer whose PutRecord takes
// longer than the interval falls behind the schedule and sends at once; latency is always taken
// from the moment a record's PutRecord started.
func (t *kinesisTarget) produceLatency(ctx context.Context, s *benchStream, tag string, v *visibility, warmup, d time.Duration) (sent int, measured time.Duration, errs int64, firstErr string) {
	interval := time.Second / time.Duration(t.cfg.LatencyRate)
	v.warmup = int(warmup / interval)
	total := v.warmup + int(d/interval)
	bodies := make([]kinesisBody, total)
	for i := range bodies {
		body, _, err := latencyRecordBody(t.payload, s.name, tag, i, t.cfg.LatencySize)
		if err != nil {
			return 0, 0, 1, err.Error()
		}
		bodies[i] = body
	}
	var buf bytes.Buffer
	start := time.Now()
	measuredStart := start
	defer func() { measured = time.Since(measuredStart) }()
	for i := range total {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			select {
			case <-ctx.Done():
				return i, 0, errs, firstErr
			case <-time.After(wait):
			}
		}
		if i == v.warmup {
			measuredStart = time.Now()
		}
		v.sentAt[i].Store(int64(max(time.Since(v.base), 1)))
		doc, err := t.client.call(ctx, "PutRecord", bodies[i], &buf)
		if err == nil {
			if seq, ok, _ := memberString(doc, "SequenceNumber"); !ok || !isDecimal(seq) {
				err = t.dataError("PutRecord", "answer without a decimal SequenceNumber: %s", truncateBytes(doc, 200))
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return i + 1, 0, errs, firstErr
			}
			errs++
			if firstErr == "" {
				firstErr = err.Error()
			}
			continue
		}
		v.acked[i].Store(true)
	}
	return total, 0, errs, firstErr
}

// latencyResult turns a finished session into a sample; acknowledged records never seen are wrong
// data.
func (t *kinesisTarget) latencyResult(v *visibility, sent int, elapsed time.Duration, errs int64, firstErr string) (kinesisSample, error) {
	if miss := v.missing(sent); len(miss) > 0 {
		return kinesisSample{}, t.dataError("latency", "%d acknowledged records never became visible (first: %s)", len(miss), latencyStamp("…", miss[0]))
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	lat := slices.Clone(v.lat)
	slices.Sort(lat)
	s := kinesisSample{
		Calls: int64(len(lat)), Records: int64(len(lat)), Bytes: int64(len(lat) * t.cfg.LatencySize),
		Errors: errs, FirstErr: firstErr, Elapsed: elapsed,
		P50: Percentile(lat, 50), P99: Percentile(lat, 99),
	}
	return s, nil
}

// sessionCapacity is how many records a latency session can send.
func (t *kinesisTarget) sessionCapacity() int {
	interval := time.Second / time.Duration(t.cfg.LatencyRate)
	return int(t.cfg.Warmup/interval) + int(t.cfg.Duration/interval) + 1
}

// visibleTimeout is how long the consumer keeps waiting for the last records after the producer
// stopped.
const visibleTimeout = 10 * time.Second

// latencyPoll measures put-to-visible with a consumer polling GetRecords from LATEST (taken before
// the first put) on the stream's one shard.
func (t *kinesisTarget) latencyPoll(ctx context.Context, s *benchStream, tag string) (kinesisSample, error) {
	var it struct {
		ShardIterator string `json:"ShardIterator"`
	}
	if err := t.client.callJSON(ctx, "GetShardIterator", map[string]any{"StreamName": s.name, "ShardId": s.shards[0], "ShardIteratorType": "LATEST"}, &it); err != nil {
		return kinesisSample{}, fmt.Errorf("%s: %w", t.label, err)
	}
	v := newVisibility(t.sessionCapacity())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	produced := make(chan int, 1)
	consumerErr := make(chan error, 1)
	go func() { consumerErr <- t.pollConsumer(ctx, it.ShardIterator, tag, v, produced) }()
	sent, elapsed, errs, firstErr := t.produceLatency(ctx, s, tag, v, t.cfg.Warmup, t.cfg.Duration)
	produced <- sent
	if err := <-consumerErr; err != nil {
		return kinesisSample{}, err
	}
	return t.latencyResult(v, sent, elapsed, errs, firstErr)
}

// pollConsumer polls until every acknowledged record of the session was seen (after the producer
// reported the count on produced) or visibleTimeout passed since then.
func (t *kinesisTarget) pollConsumer(ctx context.Context, iterator, tag string, v *visibility, produced <-chan int) error {
	var buf bytes.Buffer
	sent := -1
	var deadline time.Time
	for {
		if sent < 0 {
			select {
			case sent = <-produced:
				deadline = time.Now().Add(visibleTimeout)
			default:
			}
		}
		if sent >= 0 && (len(v.missing(sent)) == 0 || time.Now().After(deadline)) {
			return nil
		}
		body, err := jsonBody(map[string]any{"ShardIterator": iterator, "Limit": 10000})
		if err != nil {
			return err
		}
		doc, err := t.client.call(ctx, "GetRecords", body, &buf)
		now := time.Now()
		if err != nil {
			return fmt.Errorf("%s: polling consumer: %w", t.label, err)
		}
		var out getRecordsOutput
		if err := json.Unmarshal(doc, &out); err != nil {
			return t.dataError("GetRecords", "answer is not JSON: %v", err)
		}
		for _, r := range out.Records {
			if err := t.observeLatencyRecord(v, tag, r.Data, now); err != nil {
				return err
			}
		}
		if out.NextShardIterator == nil {
			return t.dataError("GetRecords", "open shard answered without a NextShardIterator")
		}
		iterator = *out.NextShardIterator
		if t.cfg.PollInterval > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(t.cfg.PollInterval):
			}
		}
	}
}

func (t *kinesisTarget) observeLatencyRecord(v *visibility, tag string, data []byte, now time.Time) error {
	i, ok := parseLatencyStamp(data, tag)
	if !ok {
		return nil // an earlier session's record
	}
	name := latencyStamp(tag, i)
	if err := t.payload.verify(name, t.cfg.LatencySize, data); err != nil {
		return t.dataError(name, "%v", err)
	}
	if err := v.observe(i, now); err != nil {
		return t.dataError(name, "%v", err)
	}
	return nil
}

// latencyEFO measures put-to-visible with a SubscribeToShard consumer (a consumer registered for this
// session, subscribed from LATEST before the first put).
func (t *kinesisTarget) latencyEFO(ctx context.Context, s *benchStream, tag string) (kinesisSample, error) {
	consumerARN, err := t.registerConsumer(ctx, s, "tributary-bench-"+tag)
	if err != nil {
		if isUnsupported(err) {
			return kinesisSample{Unsupported: truncateBytes([]byte(err.Error()), 160)}, nil
		}
		return kinesisSample{}, fmt.Errorf("%s: %w", t.label, err)
	}
	defer func() {
		// A fresh context: the run's may be cancelled, and the consumer should still go.
		dctx, cancel := context.WithTimeout(context.Background(), t.cfg.OpTimeout)
		defer cancel()
		_ = t.client.callJSON(dctx, "DeregisterStreamConsumer", map[string]any{"ConsumerARN": consumerARN}, nil)
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := t.client.openStream(ctx, "SubscribeToShard", map[string]any{
		"ConsumerARN": consumerARN, "ShardId": s.shards[0], "StartingPosition": map[string]any{"Type": "LATEST"},
	})
	if err != nil {
		if isUnsupported(err) {
			return kinesisSample{Unsupported: truncateBytes([]byte(err.Error()), 160)}, nil
		}
		return kinesisSample{}, fmt.Errorf("%s: %w", t.label, err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.amazon.eventstream") {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return kinesisSample{Unsupported: fmt.Sprintf("SubscribeToShard answered 200 with Content-Type %q, not an event stream: %s", ct, data)}, nil
	}
	events := &eventReader{r: resp.Body, dec: eventstream.NewDecoder()}
	first, err := events.next()
	if err != nil {
		return kinesisSample{}, t.dataError("SubscribeToShard", "reading the first event: %v", err)
	}
	if first.eventType != "initial-response" {
		return kinesisSample{}, t.dataError("SubscribeToShard", "first event is %s %q, want the initial-response event", first.messageType, first.eventType)
	}
	v := newVisibility(t.sessionCapacity())
	consumerErr := make(chan error, 1)
	go func() { consumerErr <- t.efoConsumer(events, tag, v) }()
	sent, elapsed, errs, firstErr := t.produceLatency(ctx, s, tag, v, t.cfg.Warmup, t.cfg.Duration)
	// Wait until every acknowledged record arrived, the consumer failed, or visibleTimeout passed
	// (latencyResult then reports what is missing).
	deadline := time.Now().Add(visibleTimeout)
	for len(v.missing(sent)) > 0 && time.Now().Before(deadline) {
		select {
		case err := <-consumerErr:
			if err != nil {
				return kinesisSample{}, err
			}
		case <-time.After(2 * time.Millisecond):
		}
	}
	cancel() // ends the subscription; the consumer's read fails and it returns
	resp.Body.Close()
	return t.latencyResult(v, sent, elapsed, errs, firstErr)
}

func (t *kinesisTarget) registerConsumer(ctx context.Context, s *benchStream, name string) (string, error) {
	var reg struct {
		Consumer struct {
			ConsumerARN    string `json:"ConsumerARN"`
			ConsumerStatus string `json:"ConsumerStatus"`
		} `json:"Consumer"`
	}
	if err := t.client.callJSON(ctx, "RegisterStreamConsumer", map[string]any{"StreamARN": s.arn, "ConsumerName": name}, &reg); err != nil {
		return "", err
	}
	arn := reg.Consumer.ConsumerARN
	deadline := time.Now().Add(time.Minute)
	for status := reg.Consumer.ConsumerStatus; status != "ACTIVE"; {
		if time.Now().After(deadline) {
			return "", fmt.Errorf("consumer %s still %s a minute after RegisterStreamConsumer", arn, status)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		var d struct {
			ConsumerDescription struct {
				ConsumerStatus string `json:"ConsumerStatus"`
			} `json:"ConsumerDescription"`
		}
		if err := t.client.callJSON(ctx, "DescribeStreamConsumer", map[string]any{"ConsumerARN": arn}, &d); err != nil {
			return "", err
		}
		status = d.ConsumerDescription.ConsumerStatus
	}
	return arn, nil
}

// efoConsumer reads SubscribeToShardEvent events until the stream fails or ends.
func (t *kinesisTarget) efoConsumer(events *eventReader, tag string, v *visibility) error {
	for {
		ev, err := events.next()
		now := time.Now()
		if err != nil {
			return t.dataError("SubscribeToShard", "event stream ended while records were outstanding: %v", err)
		}
		switch {
		case ev.messageType == "exception" || ev.messageType == "error":
			return fmt.Errorf("%s: SubscribeToShard %s %s: %s", t.label, ev.messageType, ev.exceptionType, truncateBytes(ev.payload, 300))
		case ev.eventType != "SubscribeToShardEvent":
			return t.dataError("SubscribeToShard", "unexpected %s event %q", ev.messageType, ev.eventType)
		}
		var out struct {
			Records []struct {
				Data []byte `json:"Data"`
			} `json:"Records"`
			ContinuationSequenceNumber string `json:"ContinuationSequenceNumber"`
		}
		if err := json.Unmarshal(ev.payload, &out); err != nil {
			return t.dataError("SubscribeToShard", "event payload is not JSON: %v", err)
		}
		for _, r := range out.Records {
			if err := t.observeLatencyRecord(v, tag, r.Data, now); err != nil {
				return err
			}
		}
	}
}

// eventReader decodes AWS event-stream messages from a response body.
type eventReader struct {
	r   io.Reader
	dec *eventstream.Decoder
	buf []byte
}

type streamEvent struct {
	messageType, eventType, exceptionType string
	payload                               []byte
}

func (e *eventReader) next() (streamEvent, error) {
	msg, err := e.dec.Decode(e.r, e.buf[:0])
	if err != nil {
		return streamEvent{}, err
	}
	e.buf = msg.Payload
	header := func(name string) string {
		if v := msg.Headers.Get(name); v != nil {
			return v.String()
		}
		return ""
	}
	return streamEvent{
		messageType: header(":message-type"), eventType: header(":event-type"),
		exceptionType: header(":exception-type"), payload: msg.Payload,
	}, nil
}
