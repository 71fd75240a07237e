package logs

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestPutLogEventsRules is spec §3.2's table: each row's batch, what is
// refused or rejected, and what is stored.
func TestPutLogEventsRules(t *testing.T) {
	const hour = int64(time.Hour / time.Millisecond)
	const day = 24 * hour
	e := newEnv(t)
	now := e.clock.Ms()
	ev := func(ts int64, msg string) types.InputLogEvent {
		return types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)}
	}
	many := func(n int, size int) []types.InputLogEvent {
		out := make([]types.InputLogEvent, n)
		for i := range out {
			out[i] = ev(now, strings.Repeat("x", size))
		}
		return out
	}
	cases := []struct {
		name      string
		retention int32
		events    []types.InputLogEvent
		code      string // whole-call error
		message   string
		stored    int
		tooOld    *int32
		tooNew    *int32
		expired   *int32
	}{
		{name: "in order", events: []types.InputLogEvent{ev(now-2, "a"), ev(now-1, "b"), ev(now-1, "c")}, stored: 3},
		{name: "out of order", events: []types.InputLogEvent{ev(now, "a"), ev(now-1, "b")}, code: codeInvalidParameter, message: msgOutOfOrder},
		{name: "no events", events: []types.InputLogEvent{}, code: codeValidation},
		{name: "10,000 events", events: many(10_000, 1), stored: 10_000},
		{name: "10,001 events", events: many(10_001, 1), code: codeValidation},
		{name: "exactly 1 MiB", events: many(2, maxBatchBytes/2-eventOverhead), stored: 2},
		{name: "1 MiB + 1", events: append(many(1, maxBatchBytes/2-eventOverhead), many(1, maxBatchBytes/2-eventOverhead+1)...),
			code: codeInvalidParameter, message: "Upload too large: 1048577 bytes exceeds limit of 1048576"},
		{name: "over 1 MiB", events: many(3, 400_000), code: codeInvalidParameter, message: "Upload too large: 1200078 bytes exceeds limit of 1048576"},
		{name: "event too large", events: many(1, maxEventBytes+1), code: codeInvalidParameter, message: "Log event too large: 1048551 bytes exceeds limit of 1048550"},
		{name: "empty message", events: []types.InputLogEvent{ev(now, "")}, code: codeValidation},
		{name: "span of 24 h", events: []types.InputLogEvent{ev(now-day, "a"), ev(now, "b")}, stored: 2},
		{name: "span over 24 h", events: []types.InputLogEvent{ev(now-day-1, "a"), ev(now, "b")}, code: codeInvalidParameter, message: msgSpanTooLong},
		{name: "too old prefix", events: []types.InputLogEvent{ev(now-15*day, "a"), ev(now-15*day+1, "b"), ev(now, "c")},
			stored: 1, tooOld: aws.Int32(2)},
		{name: "too new suffix", events: []types.InputLogEvent{ev(now, "a"), ev(now+2*hour, "b"), ev(now+2*hour+1, "c")},
			stored: 2, tooNew: aws.Int32(2)},
		{name: "too old and too new span is of the kept events", events: []types.InputLogEvent{ev(now-20*day, "a"), ev(now, "b"), ev(now+3*hour, "c")},
			stored: 1, tooOld: aws.Int32(1), tooNew: aws.Int32(2)},
		{name: "all rejected", events: []types.InputLogEvent{ev(now+3*hour, "a")}, stored: 0, tooNew: aws.Int32(0)},
		{name: "past retention", retention: 1, events: []types.InputLogEvent{ev(now-2*day, "a"), ev(now-day+1, "b")},
			stored: 1, expired: aws.Int32(1)},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			group := "g" + itoa(int64(i))
			e.createGroup(group)
			e.createStream(group, "s")
			if tc.retention > 0 {
				if _, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: &group, RetentionInDays: &tc.retention}); err != nil {
					t.Fatal(err)
				}
			}
			out, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), LogEvents: tc.events})
			if tc.code != "" {
				if tc.message != "" {
					wantCode(t, err, tc.code, tc.message)
				} else {
					wantCode(t, err, tc.code)
				}
			} else if err != nil {
				t.Fatal(err)
			} else {
				r := out.RejectedLogEventsInfo
				if tc.tooOld == nil && tc.tooNew == nil && tc.expired == nil {
					if r != nil {
						t.Fatalf("unexpected rejectedLogEventsInfo %+v", r)
					}
				} else if r == nil || !eqPtr(r.TooOldLogEventEndIndex, tc.tooOld) || !eqPtr(r.TooNewLogEventStartIndex, tc.tooNew) ||
					!eqPtr(r.ExpiredLogEventEndIndex, tc.expired) {
					t.Fatalf("rejectedLogEventsInfo %+v", r)
				}
			}
			got, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Events) != tc.stored {
				t.Fatalf("stored %d events, want %d", len(got.Events), tc.stored)
			}
		})
	}
}

func eqPtr(a, b *int32) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func TestPutLogEventsMissingTargets(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	evs := []types.InputLogEvent{{Timestamp: aws.Int64(e.clock.Ms()), Message: aws.String("m")}}
	_, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("s"), LogEvents: evs})
	wantCode(t, err, codeResourceNotFound, msgGroupNotFound)
	_, err = e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs})
	wantCode(t, err, codeResourceNotFound, msgStreamNotFound)
	// A sequence token is accepted and ignored.
	e.createStream("g", "s")
	if _, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs, SequenceToken: aws.String("whatever")}); err != nil {
		t.Fatal(err)
	}
}
