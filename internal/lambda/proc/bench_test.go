package proc

import (
	"context"
	"sort"
	"testing"
	"time"
)

// benchWarm measures warm invokes: the round trip, and the overhead (round
// trip minus the handler time the runtime reported, Result.Duration).
func benchWarm(b *testing.B, fn Function, payload string) {
	p := newTestPool(b, Config{Logs: &memSink{}})
	ctx := context.Background()
	inv := Invocation{RequestID: newID(), Payload: []byte(payload), InvokedARN: fn.ARN}
	if _, err := p.Invoke(ctx, fn, inv); err != nil { // cold start outside the timing
		b.Fatal(err)
	}
	overheads := make([]time.Duration, 0, b.N)
	rts := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inv.RequestID = newID()
		start := time.Now()
		res, err := p.Invoke(ctx, fn, inv)
		rt := time.Since(start)
		if err != nil || res.FunctionError != "" || res.Cold {
			b.Fatalf("invoke: %v %s cold=%v", err, res.Payload, res.Cold)
		}
		overheads = append(overheads, rt-res.Duration)
		rts = append(rts, rt)
	}
	b.StopTimer()
	sort.Slice(overheads, func(i, j int) bool { return overheads[i] < overheads[j] })
	sort.Slice(rts, func(i, j int) bool { return rts[i] < rts[j] })
	b.ReportMetric(float64(rts[len(rts)/2].Nanoseconds()), "roundtrip-p50-ns")
	b.ReportMetric(float64(rts[len(rts)*99/100].Nanoseconds()), "roundtrip-p99-ns")
	b.ReportMetric(float64(overheads[len(overheads)/2].Nanoseconds()), "overhead-p50-ns")
	b.ReportMetric(float64(overheads[len(overheads)*99/100].Nanoseconds()), "overhead-p99-ns")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
}

func BenchmarkWarmInvokeGo(b *testing.B) {
	dir := buildGoEcho(b)
	benchWarm(b, testFunction("bench-go", "provided.al2023", "bootstrap", dir), `{}`)
}

func BenchmarkWarmInvokePython(b *testing.B) {
	dir := codeDir(b, map[string]string{"app.py": "def handler(event, context):\n    return event\n"})
	benchWarm(b, testFunction("bench-py", "python3.12", "app.handler", dir), `{"k":1}`)
}

// BenchmarkWarmInvokeGoParallel measures throughput with several warm instances.
func BenchmarkWarmInvokeGoParallel(b *testing.B) {
	dir := buildGoEcho(b)
	p := newTestPool(b, Config{Logs: &memSink{}})
	fn := testFunction("bench-go-par", "provided.al2023", "bootstrap", dir)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		inv := Invocation{Payload: []byte(`{}`), InvokedARN: fn.ARN}
		for pb.Next() {
			inv.RequestID = newID()
			if res, err := p.Invoke(context.Background(), fn, inv); err != nil || res.FunctionError != "" {
				b.Fatalf("invoke: %v %s", err, res.Payload)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
}

// BenchmarkColdStartPython measures a cold invoke of a trivial handler: process
// start to the answer (Init Duration is reported separately).
func BenchmarkColdStartPython(b *testing.B) {
	p := newTestPool(b, Config{Logs: &memSink{}})
	dir := codeDir(b, map[string]string{"app.py": "def handler(event, context):\n    return 1\n"})
	fn := testFunction("bench-cold", "python3.12", "app.handler", dir)
	var inits time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Evict(fn.Name)
		res, err := p.Invoke(context.Background(), fn, Invocation{RequestID: newID(), Payload: []byte(`{}`)})
		if err != nil || !res.Cold {
			b.Fatalf("invoke: %v cold=%v", err, res.Cold)
		}
		inits += res.InitDuration
	}
	b.ReportMetric(float64(inits.Nanoseconds())/float64(b.N), "init-ns/op")
}
