package logs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

func messages(out *cwl.GetLogEventsOutput) string {
	var m []string
	for _, e := range out.Events {
		m = append(m, *e.Message)
	}
	return strings.Join(m, ",")
}

func seq(from, to int) string {
	var m []string
	for i := from; i <= to; i++ {
		m = append(m, fmt.Sprintf("m%d", i))
	}
	return strings.Join(m, ",")
}

// TestGetLogEventsTokens walks a stream both ways with spec §3.3's tokens,
// down to the repeated-token end signal.
func TestGetLogEventsTokens(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	now := e.clock.Ms()
	var msgs []string
	for i := 0; i < 25; i++ {
		msgs = append(msgs, fmt.Sprintf("m%d", i))
	}
	e.put("g", "s", now-100, msgs[:12]...)
	e.put("g", "s", now-50, msgs[12:]...)

	get := func(token *string, head *bool) *cwl.GetLogEventsOutput {
		t.Helper()
		out, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
			Limit: aws.Int32(10), NextToken: token, StartFromHead: head})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(*out.NextForwardToken, "f/") || !strings.HasPrefix(*out.NextBackwardToken, "b/") ||
			len(*out.NextForwardToken) != 58 || len(*out.NextBackwardToken) != 58 {
			t.Fatalf("tokens %q %q", *out.NextForwardToken, *out.NextBackwardToken)
		}
		return out
	}

	// Default: the newest page, ascending.
	newest := get(nil, nil)
	if got := messages(newest); got != seq(15, 24) {
		t.Fatalf("newest page %s", got)
	}
	if ev := newest.Events[0]; *ev.Timestamp != now-50+3 || *ev.IngestionTime != now {
		t.Fatalf("event %+v", ev)
	}
	// Forward from the newest page: nothing, and the same token back.
	fwd := get(newest.NextForwardToken, nil)
	if len(fwd.Events) != 0 || *fwd.NextForwardToken != *newest.NextForwardToken {
		t.Fatalf("forward at end: %d events, token %s (given %s)", len(fwd.Events), *fwd.NextForwardToken, *newest.NextForwardToken)
	}
	// Backward: 5..14, 0..4, then the same token.
	back := get(newest.NextBackwardToken, nil)
	if got := messages(back); got != seq(5, 14) {
		t.Fatalf("back page %s", got)
	}
	back2 := get(back.NextBackwardToken, nil)
	if got := messages(back2); got != seq(0, 4) {
		t.Fatalf("back page 2 %s", got)
	}
	back3 := get(back2.NextBackwardToken, nil)
	if len(back3.Events) != 0 || *back3.NextBackwardToken != *back2.NextBackwardToken {
		t.Fatalf("backward at start: %d events, token %s", len(back3.Events), *back3.NextBackwardToken)
	}
	// Forward again from a backward page.
	if got := messages(get(back2.NextForwardToken, nil)); got != seq(5, 14) {
		t.Fatalf("forward from back page: %s", got)
	}

	// From the head with the SDK's paginator (it stops on a repeated token).
	var all []string
	p := cwl.NewGetLogEventsPaginator(e.client, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		Limit: aws.Int32(10), StartFromHead: aws.Bool(true)}, func(o *cwl.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	pages := 0
	var last string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range out.Events {
			all = append(all, *e.Message)
		}
		last = *out.NextForwardToken
	}
	if strings.Join(all, ",") != seq(0, 24) || pages != 4 {
		t.Fatalf("%d pages: %v", pages, all)
	}
	// New events show up after the end token.
	e.put("g", "s", now, "m25")
	if got := messages(get(&last, nil)); got != "m25" {
		t.Fatalf("after new events: %s", got)
	}
}

func TestGetLogEventsTimeRangeAndErrors(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	now := e.clock.Ms()
	e.put("g", "s", now-10, seqList(0, 9)...) // m_i at now-10+i
	cases := []struct {
		name       string
		start, end *int64
		head       bool
		want       string
	}{
		{"start inclusive end exclusive", aws.Int64(now - 8), aws.Int64(now - 5), true, seq(2, 4)},
		{"start only", aws.Int64(now - 2), nil, false, seq(8, 9)},
		{"end only", nil, aws.Int64(now - 8), true, seq(0, 1)},
		{"empty range", aws.Int64(now), nil, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
				StartTime: tc.start, EndTime: tc.end, StartFromHead: aws.Bool(tc.head)})
			if err != nil {
				t.Fatal(err)
			}
			if got := messages(out); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	for _, tok := range []string{"x/123", "f/12", "b/" + strings.Repeat("9", 56)} {
		_, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String(tok)})
		wantCode(t, err, codeInvalidParameter, msgInvalidNextToken)
	}
	_, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope")})
	wantCode(t, err, codeResourceNotFound, msgStreamNotFound)
}

func seqList(from, to int) []string { return strings.Split(seq(from, to), ",") }

// TestGetLogEventsPageBytes: a page holds at most 1 MB of events (message
// bytes + 26 each), in both directions.
func TestGetLogEventsPageBytes(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	now := e.clock.Ms()
	for b := 0; b < 4; b++ {
		msgs := make([]string, 3)
		for i := range msgs {
			msgs[i] = fmt.Sprintf("%d-", b*3+i) + strings.Repeat("x", 300_000)
		}
		e.put("g", "s", now-100+int64(b*10), msgs...)
	}
	head, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	tail, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	first := func(out *cwl.GetLogEventsOutput) string { return strings.SplitN(*out.Events[0].Message, "-", 2)[0] }
	if len(head.Events) != 3 || first(head) != "0" || len(tail.Events) != 3 || first(tail) != "9" {
		t.Fatalf("head %d events from %s, tail %d events from %s", len(head.Events), first(head), len(tail.Events), first(tail))
	}
}

// TestGetLogEventsTimeRangeAcrossZones: a time range over a stream of
// several zones, whose batches arrive out of time order, read both ways.
func TestGetLogEventsTimeRangeAcrossZones(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	now := e.clock.Ms()
	bases := []int64{now - 30_000, now - 90_000, now - 60_000} // middle batch is oldest
	for b, base := range bases {
		msgs := make([]string, 5000)
		for i := range msgs {
			msgs[i] = fmt.Sprintf("b%d-%d", b, i)
		}
		e.put("g", "s", base, msgs...)
	}
	// [now-60000, now-57000): batch 2's first 3,000 events.
	in := &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		StartTime: aws.Int64(now - 60_000), EndTime: aws.Int64(now - 57_000), Limit: aws.Int32(1000)}
	for _, head := range []bool{true, false} {
		in.StartFromHead = aws.Bool(head)
		in.NextToken = nil
		var got []string
		for {
			out, err := e.client.GetLogEvents(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			tok := out.NextForwardToken
			if !head {
				tok = out.NextBackwardToken
			}
			if in.NextToken != nil && *tok == *in.NextToken {
				break
			}
			page := strings.Split(messages(out), ",")
			if head {
				got = append(got, page...)
			} else {
				got = append(page, got...)
			}
			in.NextToken = tok
		}
		if len(got) != 3000 || got[0] != "b2-0" || got[2999] != "b2-2999" {
			t.Fatalf("head=%v: %d events, %s..%s", head, len(got), got[0], got[len(got)-1])
		}
	}
}
