package logs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// filterAll pages through FilterLogEvents with the SDK's paginator and
// returns "stream:message" per event, and the number of pages.
func (e *env) filterAll(in cwl.FilterLogEventsInput) ([]string, int) {
	e.t.Helper()
	in.LogGroupName = aws.String("g")
	p := cwl.NewFilterLogEventsPaginator(e.client, &in)
	var out []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		pages++
		if pages > 1000 {
			e.t.Fatal("paging does not end")
		}
		if page.SearchedLogStreams == nil {
			e.t.Fatal("searchedLogStreams missing")
		}
		for _, ev := range page.Events {
			out = append(out, *ev.LogStreamName+":"+*ev.Message)
		}
	}
	return out, pages
}

func TestFilterLogEventsPatterns(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "web")
	e.createStream("g", "api")
	e.createStream("g", "flow")
	now := e.clock.Ms()
	byStream := map[string][]string{
		"web": {`ERROR disk full`, `INFO all good`, `WARN slow disk`},
		"api": {`{"level":"ERROR","latency":250,"user":{"id":7}}`, `{"level":"INFO","latency":12}`, `not json ERROR`},
		"flow": {"2 123456789010 eni-1 10.0.0.1 10.0.0.2 20641 22 6 20 4249 1418530010 1418530070 REJECT OK",
			"2 123456789010 eni-1 10.0.0.1 10.0.0.2 20641 80 6 20 4249 1418530010 1418530070 ACCEPT OK",
			"2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA"},
	}
	// Interleaved timestamps: web's i-th event, then api's, then flow's.
	for j, stream := range []string{"web", "api", "flow"} {
		for i, m := range byStream[stream] {
			e.put("g", stream, now-100+int64(i*3+j), m)
		}
	}
	cases := []struct {
		name    string
		pattern string
		want    string
	}{
		{"all", "", "web:ERROR disk full|api:" + `{"level":"ERROR","latency":250,"user":{"id":7}}` + "|flow:2 123456789010 eni-1 10.0.0.1 10.0.0.2 20641 22 6 20 4249 1418530010 1418530070 REJECT OK|web:INFO all good|api:" + `{"level":"INFO","latency":12}` + "|flow:2 123456789010 eni-1 10.0.0.1 10.0.0.2 20641 80 6 20 4249 1418530010 1418530070 ACCEPT OK|web:WARN slow disk|api:not json ERROR|flow:2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA"},
		{"term", "ERROR", "web:ERROR disk full|api:" + `{"level":"ERROR","latency":250,"user":{"id":7}}` + "|api:not json ERROR"},
		{"terms and exclusion", "disk -ERROR", "web:WARN slow disk"},
		{"or terms", "?INFO ?WARN", "web:INFO all good|api:" + `{"level":"INFO","latency":12}` + "|web:WARN slow disk"},
		{"json numeric", "{ $.latency > 100 }", "api:" + `{"level":"ERROR","latency":250,"user":{"id":7}}`},
		{"json nested and", `{ $.level = "ERROR" && $.user.id = 7 }`, "api:" + `{"level":"ERROR","latency":250,"user":{"id":7}}`},
		{"space-delimited", `[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`,
			"flow:2 123456789010 eni-1 10.0.0.1 10.0.0.2 20641 22 6 20 4249 1418530010 1418530070 REJECT OK"},
		{"space-delimited with ellipsis", `[..., status=NODATA]`, "flow:2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA"},
		{"regex", `%sl[a-z]w%`, "web:WARN slow disk"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := e.filterAll(cwl.FilterLogEventsInput{FilterPattern: aws.String(tc.pattern)})
			if strings.Join(got, "|") != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", joinLines(got), strings.ReplaceAll(tc.want, "|", "\n"))
			}
		})
	}
	_, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`{ $.a = `)})
	wantCode(t, err, codeInvalidParameter)
}

func TestFilterLogEventsSelection(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	for _, s := range []string{"a-1", "a-2", "b-1"} {
		e.createStream("g", s)
	}
	now := e.clock.Ms()
	e.put("g", "a-1", now-10, "a1-0", "a1-1")
	e.clock.Advance(time.Millisecond)
	e.put("g", "a-2", now-10, "a2-0") // same timestamp as a1-0, ingested later
	e.put("g", "b-1", now-5, "b1-0")
	cases := []struct {
		name string
		in   cwl.FilterLogEventsInput
		want string
	}{
		{"timestamp then ingestion time", cwl.FilterLogEventsInput{}, "a-1:a1-0|a-2:a2-0|a-1:a1-1|b-1:b1-0"},
		{"stream names", cwl.FilterLogEventsInput{LogStreamNames: []string{"b-1", "a-2", "missing"}}, "a-2:a2-0|b-1:b1-0"},
		{"prefix", cwl.FilterLogEventsInput{LogStreamNamePrefix: aws.String("a-")}, "a-1:a1-0|a-2:a2-0|a-1:a1-1"},
		{"time range inclusive", cwl.FilterLogEventsInput{StartTime: aws.Int64(now - 9), EndTime: aws.Int64(now - 5)}, "a-1:a1-1|b-1:b1-0"},
		{"paged by one", cwl.FilterLogEventsInput{Limit: aws.Int32(1)}, "a-1:a1-0|a-2:a2-0|a-1:a1-1|b-1:b1-0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := e.filterAll(tc.in)
			if strings.Join(got, "|") != tc.want {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
			if tc.in.Limit != nil && pages != 4 {
				t.Fatalf("%d pages, want 4 (no token on the last)", pages)
			}
		})
	}
	_, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: []string{"a-1"}, LogStreamNamePrefix: aws.String("a")})
	wantCode(t, err, codeInvalidParameter)
	_, err = e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), NextToken: aws.String("bogus")})
	wantCode(t, err, codeInvalidParameter, msgInvalidNextToken)
	_, err = e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	wantCode(t, err, codeResourceNotFound, msgGroupNotFound)
}

// TestFilterLogEventsPageBytes checks the 1 MB page limit: big events
// split over pages, none lost or repeated.
func TestFilterLogEventsPageBytes(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	now := e.clock.Ms()
	for b := 0; b < 3; b++ {
		msgs := make([]string, 4)
		for i := range msgs {
			msgs[i] = fmt.Sprintf("%d-%d-", b, i) + strings.Repeat("x", 200_000)
		}
		e.put("g", "s", now-100+int64(b*10), msgs...)
	}
	got, pages := e.filterAll(cwl.FilterLogEventsInput{})
	if len(got) != 12 || pages != 3 {
		t.Fatalf("%d events in %d pages", len(got), pages)
	}
	for i, m := range got {
		if want := fmt.Sprintf("s:%d-%d-", i/4, i%4); !strings.HasPrefix(m, want) {
			t.Fatalf("event %d is %.10s, want %s", i, m, want)
		}
	}
}

// TestFilterLogEventsPagingMatchesBruteForce pages through streams whose
// batches arrive out of timestamp order (so zones overlap) with several
// page sizes and patterns, and compares with a sort of every event.
func TestFilterLogEventsPagingMatchesBruteForce(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	now := e.clock.Ms()
	type event struct {
		ts      int64
		ingest  int64
		stream  string
		seq     int
		message string
	}
	var all []event
	r := newTestRand()
	seq := 0
	for b := 0; b < 60; b++ {
		stream := fmt.Sprintf("s%d", r.IntN(3))
		if b < 3 {
			stream = fmt.Sprintf("s%d", b)
			e.createStream("g", stream)
		}
		base := now - int64(r.IntN(3_600_000))
		n := 50 + r.IntN(500)
		msgs := make([]string, n)
		for i := range msgs {
			word := []string{"alpha", "beta", "gamma"}[r.IntN(3)]
			msgs[i] = fmt.Sprintf("%s %d", word, seq)
			all = append(all, event{ts: base + int64(i), ingest: e.clock.Ms(), stream: stream, seq: seq, message: msgs[i]})
			seq++
		}
		e.put("g", stream, base, msgs...)
		e.clock.Advance(time.Millisecond)
	}
	// Expected order: timestamp, ingestion time, then stream and offset;
	// within one stream the put order is the offset order.
	sorted := append([]event(nil), all...)
	streamNum := map[string]int{"s0": 0, "s1": 1, "s2": 2}
	sortEvents(sorted, func(a, b event) bool {
		if a.ts != b.ts {
			return a.ts < b.ts
		}
		if a.ingest != b.ingest {
			return a.ingest < b.ingest
		}
		if a.stream != b.stream {
			return streamNum[a.stream] < streamNum[b.stream]
		}
		return a.seq < b.seq
	})
	for _, tc := range []struct {
		pattern string
		limit   int32
		start   int64
	}{{"", 997, 0}, {"beta", 250, 0}, {"gamma", 10_000, 0}, {"", 3000, now - 1_800_000}} {
		t.Run(fmt.Sprintf("%q/%d", tc.pattern, tc.limit), func(t *testing.T) {
			var want []string
			for _, ev := range sorted {
				if strings.Contains(ev.message, tc.pattern) && ev.ts >= tc.start {
					want = append(want, ev.stream+":"+ev.message)
				}
			}
			got, pages := e.filterAll(cwl.FilterLogEventsInput{FilterPattern: aws.String(tc.pattern), Limit: aws.Int32(tc.limit), StartTime: aws.Int64(tc.start)})
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("%d events in %d pages, want %d", len(got), pages, len(want))
			}
			if wantPages := (len(want) + int(tc.limit) - 1) / int(tc.limit); pages != wantPages {
				t.Fatalf("%d pages, want %d", pages, wantPages)
			}
		})
	}
}
