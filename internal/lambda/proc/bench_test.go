package proc

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Warm-path benchmarks. Besides ns/op they report CPU time per invoke, which
// stays meaningful on a loaded machine where wall-clock figures do not:
//
//	cpu-us/op     this process (the pool, the Runtime API server, the shipper)
//	fn-cpu-us/op  the function processes (every thread of every instance)
//
// and, for the sequential ones, the round trip and the overhead (round trip
// minus the handler time the runtime reported, Result.Duration).

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is the CPU time of a live process: the sum over its threads of
// /proc/<pid>/task/<tid>/schedstat's first field (ns, unlike /proc/<pid>/stat's ticks).
func procCPU(pid int) time.Duration {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, _ := os.ReadDir(dir)
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, t.Name(), "schedstat"))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			sum += time.Duration(ns)
		}
	}
	return sum
}

// functionCPU sums procCPU over the pool's live instances.
func functionCPU(p *Pool) time.Duration {
	p.mu.Lock()
	var pids []int
	for inst := range p.all {
		if inst.started && !inst.dead() {
			pids = append(pids, inst.cmd.Process.Pid)
		}
	}
	p.mu.Unlock()
	var sum time.Duration
	for _, pid := range pids {
		sum += procCPU(pid)
	}
	return sum
}

// cpuMeter reports CPU per invoke between start and stop.
type cpuMeter struct {
	p         *Pool
	self, fns time.Duration
}

func startCPU(p *Pool) *cpuMeter {
	return &cpuMeter{p: p, self: selfCPU(), fns: functionCPU(p)}
}

func (m *cpuMeter) report(b *testing.B) {
	self, fns := selfCPU()-m.self, functionCPU(m.p)-m.fns
	b.ReportMetric(float64(self.Microseconds())/float64(b.N), "cpu-us/op")
	b.ReportMetric(float64(fns.Microseconds())/float64(b.N), "fn-cpu-us/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
}

func benchWarm(b *testing.B, fn Function, payload string) {
	p := newTestPool(b, Config{Logs: &memSink{}})
	ctx := context.Background()
	inv := Invocation{RequestID: newID(), Payload: []byte(payload), InvokedARN: fn.ARN}
	if _, err := p.Invoke(ctx, fn, inv); err != nil { // cold start outside the timing
		b.Fatal(err)
	}
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = newID()
	}
	overheads := make([]time.Duration, 0, b.N)
	rts := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	m := startCPU(p)
	for i := 0; i < b.N; i++ {
		inv.RequestID = ids[i]
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
	m.report(b)
	sort.Slice(overheads, func(i, j int) bool { return overheads[i] < overheads[j] })
	sort.Slice(rts, func(i, j int) bool { return rts[i] < rts[j] })
	b.ReportMetric(float64(rts[len(rts)/2].Nanoseconds()), "roundtrip-p50-ns")
	b.ReportMetric(float64(rts[len(rts)*99/100].Nanoseconds()), "roundtrip-p99-ns")
	b.ReportMetric(float64(overheads[len(overheads)/2].Nanoseconds()), "overhead-p50-ns")
	b.ReportMetric(float64(overheads[len(overheads)*99/100].Nanoseconds()), "overhead-p99-ns")
}

// benchWarmParallel measures throughput with 8 concurrent callers,
// each instance warmed first so no cold start falls in the timing.
func benchWarmParallel(b *testing.B, fn Function, payload string) {
	const callers = 8
	p := newTestPool(b, Config{Logs: &memSink{}})
	var wg sync.WaitGroup
	for range callers { // warm one instance per caller
		wg.Go(func() {
			inv := Invocation{RequestID: newID(), Payload: []byte(`{"sleep_ms":100}`), InvokedARN: fn.ARN}
			if _, err := p.Invoke(context.Background(), fn, inv); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	b.SetParallelism(max(1, callers/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	m := startCPU(p)
	b.RunParallel(func(pb *testing.PB) {
		inv := Invocation{Payload: []byte(payload), InvokedARN: fn.ARN}
		for pb.Next() {
			inv.RequestID = newID()
			if res, err := p.Invoke(context.Background(), fn, inv); err != nil || res.FunctionError != "" {
				b.Fatalf("invoke: %v %s", err, res.Payload)
			}
		}
	})
	b.StopTimer()
	m.report(b)
	p.mu.Lock()
	b.ReportMetric(float64(len(p.all)), "instances") // callers, when every instance is reused
	p.mu.Unlock()
}

func BenchmarkWarmInvokeGo(b *testing.B) {
	dir := buildGoEcho(b)
	benchWarm(b, testFunction("bench-go", "provided.al2023", "bootstrap", dir), `{}`)
}

func BenchmarkWarmInvokePython(b *testing.B) {
	dir := codeDir(b, map[string]string{"app.py": "def handler(event, context):\n    return event\n"})
	benchWarm(b, testFunction("bench-py", "python3.12", "app.handler", dir), `{"k":1}`)
}

func BenchmarkWarmInvokeGoParallel(b *testing.B) {
	dir := buildGoEcho(b)
	benchWarmParallel(b, testFunction("bench-go-par", "provided.al2023", "bootstrap", dir), `{}`)
}

func BenchmarkWarmInvokePythonParallel(b *testing.B) {
	dir := codeDir(b, map[string]string{"app.py": "import time\ndef handler(event, context):\n    if event.get('sleep_ms'):\n        time.sleep(event['sleep_ms'] / 1000)\n    return event\n"})
	benchWarmParallel(b, testFunction("bench-py-par", "python3.12", "app.handler", dir), `{"k":1}`)
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
