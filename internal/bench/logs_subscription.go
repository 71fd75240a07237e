package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// subscriptionRun measures subscription delivery to a Kinesis stream of the same server: a filter
// with the empty pattern (every event) on a new group, SubEvents events put in calls of 1,000 by one
// producer while a consumer reads the stream; the rate is events delivered per second from the
// first put to the last event read. Each delivered payload is gunzipped and decoded.
func (t *logsTarget) subscriptionRun(ctx context.Context, run int) (logsSample, error) {
	name := fmt.Sprintf("bench-sub-%s-%d", t.runID, run)
	if err := t.createGroupAndStreams(ctx, name, []string{"source"}); err != nil {
		return logsSample{}, err
	}
	defer t.call(context.WithoutCancel(ctx), "DeleteLogGroup", map[string]any{"logGroupName": name}, nil)
	if err := t.kinesis.callJSON(ctx, "CreateStream", map[string]any{"StreamName": name, "ShardCount": 1}, nil); err != nil {
		return logsSample{}, err
	}
	defer t.kinesis.callJSON(context.WithoutCancel(ctx), "DeleteStream", map[string]any{"StreamName": name}, nil)
	arn, err := t.waitStreamActive(ctx, name)
	if err != nil {
		return logsSample{}, err
	}
	err = t.call(ctx, "PutSubscriptionFilter", map[string]any{"logGroupName": name, "filterName": "all", "filterPattern": "",
		"destinationArn": arn, "roleArn": "arn:aws:iam::123456789012:role/bench"}, nil)
	if err != nil {
		var ke *KinesisError
		if errors.As(err, &ke) && (isUnsupported(err) || ke.Code == "InvalidParameterException") {
			return logsSample{Unsupported: err.Error()}, nil
		}
		return logsSample{}, err
	}
	var it struct{ ShardIterator string }
	if err := t.kinesis.callJSON(ctx, "GetShardIterator", map[string]any{"StreamName": name, "ShardId": "shardId-000000000000",
		"ShardIteratorType": "TRIM_HORIZON"}, &it); err != nil {
		return logsSample{}, err
	}

	total := t.cfg.SubEvents
	start := time.Now()
	putErr := make(chan error, 1)
	go func() {
		var buf bytes.Buffer
		now := start.UnixMilli()
		for from := 0; from < total; from += 1000 {
			events := make([]putEvent, min(1000, total-from))
			for i := range events {
				events[i] = putEvent{Timestamp: now, Message: logsPutMessage(0, from+i, t.cfg.EventSize)}
			}
			body, err := putBody(name, "source", events)
			if err == nil {
				err = t.putChecked(ctx, body, &buf)
			}
			if err != nil {
				putErr <- err
				return
			}
		}
		putErr <- nil
	}()

	var delivered int64
	var last time.Time
	deadline := time.Now().Add(2*time.Minute + time.Duration(total/1000)*time.Second)
	for delivered < int64(total) {
		select {
		case err := <-putErr:
			if err != nil {
				return logsSample{}, err
			}
		default:
		}
		if time.Now().After(deadline) {
			return logsSample{}, fmt.Errorf("only %d of %d events delivered to the Kinesis stream", delivered, total)
		}
		var page struct {
			Records []struct {
				Data []byte
			}
			NextShardIterator string
		}
		if err := t.kinesis.callJSON(ctx, "GetRecords", map[string]any{"ShardIterator": it.ShardIterator, "Limit": 10000}, &page); err != nil {
			return logsSample{}, err
		}
		it.ShardIterator = page.NextShardIterator
		for _, r := range page.Records {
			n, err := dataMessageEvents(r.Data)
			if err != nil {
				return logsSample{}, &DataError{Target: t.label, Key: name, Detail: err.Error()}
			}
			delivered += int64(n)
			last = time.Now()
		}
		if len(page.Records) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if delivered != int64(total) {
		// At-least-once allows a repeat after a crash, not in a quiet run.
		return logsSample{}, &DataError{Target: t.label, Key: name, Detail: fmt.Sprintf("%d events delivered for %d put", delivered, total)}
	}
	elapsed := last.Sub(start)
	return logsSample{Rate: perSecond(float64(delivered), elapsed), Events: delivered, Elapsed: elapsed}, nil
}

func (t *logsTarget) waitStreamActive(ctx context.Context, name string) (string, error) {
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

// dataMessageEvents decodes one delivered record (gzip'd JSON) and returns how many log events a
// DATA_MESSAGE carries (0 for the CONTROL_MESSAGE probe).
func dataMessageEvents(data []byte) (int, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return 0, fmt.Errorf("delivered record is not gzip: %w", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		return 0, fmt.Errorf("gunzip: %w", err)
	}
	var msg struct {
		MessageType string            `json:"messageType"`
		LogEvents   []json.RawMessage `json:"logEvents"`
	}
	if err := json.Unmarshal(plain, &msg); err != nil {
		return 0, fmt.Errorf("delivered payload is not JSON: %w", err)
	}
	switch msg.MessageType {
	case "CONTROL_MESSAGE":
		return 0, nil
	case "DATA_MESSAGE":
		return len(msg.LogEvents), nil
	}
	return 0, fmt.Errorf("delivered payload has messageType %q", msg.MessageType)
}
