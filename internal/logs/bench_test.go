package logs

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/tributary-dev/tributary/internal/logs/filterpattern"
)

// BenchmarkPutLogEvents: calls of 1,000 events of 200 bytes through the
// SDK and the whole server pipeline, durable (fsync'd) storage, 16 callers
// on 16 streams of one group.
func BenchmarkPutLogEvents(b *testing.B) {
	e := newEnv(b, durable())
	e.createGroup("g")
	const streams = 16
	for i := 0; i < streams; i++ {
		e.createStream("g", fmt.Sprintf("s%d", i))
	}
	msg := strings.Repeat("m", 200)
	var next atomic.Int32
	var events atomic.Int64
	b.SetParallelism(streams / 2) // 2 CPUs here: one goroutine per stream
	b.SetBytes(1000 * 200)
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		stream := fmt.Sprintf("s%d", next.Add(1)%streams)
		evs := make([]types.InputLogEvent, 1000)
		for pb.Next() {
			ts := e.clock.Ms()
			for i := range evs {
				evs[i] = types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)}
			}
			if _, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"),
				LogStreamName: aws.String(stream), LogEvents: evs}); err != nil {
				b.Error(err)
				return
			}
			events.Add(1000)
		}
	})
	b.ReportMetric(float64(events.Load())/time.Since(start).Seconds(), "events/s")
	b.StopTimer()
	stored := int64(0)
	e.svc.readGroup("g", func(g *group) error {
		for _, st := range g.streams {
			stored += int64(st.log.End())
		}
		return nil
	})
	if stored != events.Load() {
		b.Fatalf("stored %d events, acknowledged %d", stored, events.Load())
	}
}

// benchEvents makes n events: VPC flow records (~125 bytes; 1% are
// rejected SSH) or JSON application logs (~200 bytes; 1% are ERROR).
func benchEvents(kind string, n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]string, n)
	for i := range out {
		switch kind {
		case "flow":
			action, dport := "ACCEPT", []int{443, 80, 8080, 5432, 53}[r.IntN(5)]
			if r.IntN(100) == 0 {
				action, dport = "REJECT", 22
			}
			out[i] = fmt.Sprintf("2 123456789010 eni-%017x 172.31.%d.%d 10.0.%d.%d %d %d 6 %d %d %d %d %s OK",
				r.Uint64()%(1<<60), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), 1024+r.IntN(60000), dport,
				1+r.IntN(100), 40+r.IntN(100000), 1418530010+i, 1418530070+i, action)
		default:
			level := []string{"INFO", "INFO", "DEBUG", "WARN"}[r.IntN(4)]
			if r.IntN(100) == 0 {
				level = "ERROR"
			}
			out[i] = fmt.Sprintf(`{"timestamp":"2024-05-01T12:%02d:%02d.%03dZ","level":"%s","service":"checkout",`+
				`"requestId":"%08x-%04x","http":{"method":"GET","path":"/api/orders","status":%d},"latencyMs":%d,"msg":"request handled"}`,
				r.IntN(60), r.IntN(60), r.IntN(1000), level, r.Uint32(), r.IntN(1<<16), []int{200, 404, 500}[r.IntN(3)], r.IntN(2000))
		}
	}
	return out
}

// BenchmarkFilterLogEvents: one FilterLogEvents call through the SDK over
// a group of 8 streams holding about 24 MB of events (page cache hot), a
// selective pattern of each kind; MB/s is message bytes scanned per
// second. Every call must return exactly the matching events.
func BenchmarkFilterLogEvents(b *testing.B) {
	cases := []struct{ name, kind, pattern string }{
		{"term", "app", `ERROR`},
		{"json", "app", `{ $.level = "ERROR" && $.latencyMs > 100 }`},
		{"space-delimited", "flow", `[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			e := newEnv(b)
			e.createGroup("g")
			p := filterpattern.MustCompile(tc.pattern)
			const streams = 8
			perStream := 24 << 20 / streams / map[string]int{"flow": 125, "app": 200}[tc.kind]
			total, want := 0, 0
			for s := 0; s < streams; s++ {
				name := fmt.Sprintf("s%d", s)
				e.createStream("g", name)
				events := benchEvents(tc.kind, perStream)
				for i := 0; i < len(events); i += 4000 {
					batch := events[i:min(i+4000, len(events))]
					e.put("g", name, e.clock.Ms()-int64(len(events)-i), batch...)
					for _, m := range batch {
						total += len(m)
						if p.Match(m) {
							want++
						}
					}
				}
			}
			if want == 0 || want > 10_000 {
				b.Fatalf("%d matches: not a one-page selective benchmark", want)
			}
			b.SetBytes(int64(total))
			b.ResetTimer()
			for b.Loop() {
				out, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(tc.pattern)})
				if err != nil {
					b.Fatal(err)
				}
				if len(out.Events) != want || out.NextToken != nil {
					b.Fatalf("%d events (token %v), want %d", len(out.Events), out.NextToken, want)
				}
			}
		})
	}
}

// BenchmarkFilterLogEventsAllPages: paging through every event of a 24 MB
// group (about 30 pages): each page reads only the zones that can hold
// its events, so the whole walk costs about one scan, not one per page.
func BenchmarkFilterLogEventsAllPages(b *testing.B) {
	e := newEnv(b)
	e.createGroup("g")
	const streams = 8
	perStream := 24 << 20 / streams / 200
	total, count := 0, 0
	for s := 0; s < streams; s++ {
		name := fmt.Sprintf("s%d", s)
		e.createStream("g", name)
		events := benchEvents("app", perStream)
		for i := 0; i < len(events); i += 4000 {
			batch := events[i:min(i+4000, len(events))]
			e.put("g", name, e.clock.Ms()-int64(len(events)-i), batch...)
			for _, m := range batch {
				total += len(m)
				count++
			}
		}
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for b.Loop() {
		got, pages := e.filterAll(cwl.FilterLogEventsInput{})
		if len(got) != count {
			b.Fatalf("%d events in %d pages, want %d", len(got), pages, count)
		}
	}
}

// BenchmarkSubscriptionDelivery: events/s from PutLogEvents to a
// destination (a fake that keeps nothing) through a subscription filter
// matching 1% of flow records: reading, matching, DATA_MESSAGE building,
// gzip and cursor writes. Events are put before the timer starts; the
// timer covers the delivery passes only.
func BenchmarkSubscriptionDelivery(b *testing.B) {
	for _, tc := range []struct{ name, pattern string }{
		{"all", ""},
		{"rejected-ssh", `[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := newEnv(b)
			e.svc.Stop(ctx) // no workers: the benchmark runs the passes itself
			e.createGroup("g")
			d := e.dests.add(kinesisARN, 1<<20)
			d.discard = true
			if err := e.subscribe("f", tc.pattern, kinesisARN, ""); err != nil {
				b.Fatal(err)
			}
			const streams, perStream = 8, 25_000
			events := benchEvents("flow", perStream)
			round := 0
			for b.Loop() {
				b.StopTimer()
				round++
				for s := 0; s < streams; s++ {
					name := fmt.Sprintf("s%d-%d", s, round)
					e.createStream("g", name)
					for i := 0; i < len(events); i += 5000 {
						e.put("g", name, e.clock.Ms(), events[i:i+5000]...)
					}
				}
				b.StartTimer()
				if err := e.svc.DeliverSubscriptions(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(round*streams*perStream)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
