package logs

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestBadInputChangesNothing runs the bad-input list against one
// group and checks each answer is AWS's error and that nothing changed:
// same events, same retention, same filters.
func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	e.dests.add(kinesisARN, 1<<20)
	now := e.clock.Ms()
	e.put("g", "s", now-10, "kept-1", "kept-2")
	for _, n := range []string{"one", "two"} {
		if err := e.subscribe(n, "", kinesisARN, ""); err != nil {
			t.Fatal(err)
		}
	}
	ev := func(ts int64, msg string) types.InputLogEvent {
		return types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)}
	}
	put := func(evs ...types.InputLogEvent) error {
		_, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs})
		return err
	}
	repeat := func(n, size int) []types.InputLogEvent {
		out := make([]types.InputLogEvent, n)
		for i := range out {
			out[i] = ev(now, strings.Repeat("z", size))
		}
		return out
	}
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"out-of-order batch", func() error { return put(ev(now, "x"), ev(now-1, "y")) }, codeInvalidParameter},
		{"batch over 1 MiB", func() error { return put(repeat(2, 600_000)...) }, codeInvalidParameter},
		{"over 10,000 events", func() error { return put(repeat(10_001, 1)...) }, codeValidation},
		{"batch spanning over 24 h", func() error { return put(ev(now-25*3600_000, "x"), ev(now, "y")) }, codeInvalidParameter},
		{"invalid retention", func() error {
			_, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(10)})
			return err
		}, codeInvalidParameter},
		{"third subscription filter", func() error { return e.subscribe("three", "", kinesisARN, "") }, codeLimitExceeded},
		{"unparsable subscription pattern", func() error { return e.subscribe("one", `[a, b`, kinesisARN, "") }, codeInvalidParameter},
		{"unparsable metric pattern", func() error {
			_, err := e.client.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("m"),
				FilterPattern: aws.String(`{ $.x = `), MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("n"),
					MetricNamespace: aws.String("ns"), MetricValue: aws.String("1")}}})
			return err
		}, codeInvalidParameter},
		{"unparsable filter pattern", func() error {
			_, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`"unterminated`)})
			return err
		}, codeInvalidParameter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.call(), tc.code)
		})
	}
	// Too old and too new events are skipped, not stored; the call succeeds.
	out, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{ev(now-15*24*3600_000, "too old"), ev(now+3*3600_000, "too new")}})
	if err != nil {
		t.Fatal(err)
	}
	if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || aws.ToInt32(r.TooNewLogEventStartIndex) != 1 {
		t.Fatalf("rejectedLogEventsInfo %+v", out.RejectedLogEventsInfo)
	}

	got, _ := e.filterAll(cwl.FilterLogEventsInput{})
	if strings.Join(got, ",") != "s:kept-1,s:kept-2" {
		t.Fatalf("events after bad input: %v", got)
	}
	groups, _ := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if g := groups.LogGroups[0]; g.RetentionInDays != nil || aws.ToInt32(g.MetricFilterCount) != 0 || aws.ToInt64(g.StoredBytes) != 12 {
		t.Fatalf("group after bad input: %+v", g)
	}
	subs, _ := e.client.DescribeSubscriptionFilters(ctx, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("g")})
	if len(subs.SubscriptionFilters) != 2 || *subs.SubscriptionFilters[0].FilterPattern != "" {
		t.Fatalf("filters after bad input: %+v", subs.SubscriptionFilters)
	}
}
