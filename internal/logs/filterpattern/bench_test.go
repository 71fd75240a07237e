package filterpattern

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// flowLogEvents returns n VPC Flow Logs version-2 records, about 120 bytes
// each: mostly ACCEPT, some REJECT (a few of them SSH), a few NODATA.
func flowLogEvents(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]string, n)
	for i := range out {
		eni := fmt.Sprintf("eni-%017x", r.Uint64()%(1<<60))
		if r.IntN(50) == 0 {
			out[i] = fmt.Sprintf("2 123456789010 %s - - - - - - - %d %d - NODATA", eni, 1418530010+i, 1418530070+i)
			continue
		}
		action, dport := "ACCEPT", []int{443, 80, 8080, 5432, 53}[r.IntN(5)]
		if r.IntN(5) == 0 {
			action = "REJECT"
			if r.IntN(4) == 0 {
				dport = 22
			}
		}
		out[i] = fmt.Sprintf("2 123456789010 %s 172.31.%d.%d 10.0.%d.%d %d %d %d %d %d %d %d %s OK",
			eni, r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), 1024+r.IntN(60000), dport,
			[]int{6, 17}[r.IntN(2)], 1+r.IntN(100), 40+r.IntN(100000), 1418530010+i, 1418530070+i, action)
	}
	return out
}

// appLogEvents returns n JSON application log events of about 200 bytes.
func appLogEvents(n int) []string {
	r := rand.New(rand.NewPCG(3, 4))
	levels := []string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
	paths := []string{"/api/orders", "/api/users/42", "/health", "/api/cart/checkout"}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`{"timestamp":"2024-05-01T12:%02d:%02d.%03dZ","level":"%s","service":"checkout",`+
			`"requestId":"%08x-%04x","http":{"method":"GET","path":"%s","status":%d},"latencyMs":%d,"msg":"request handled"}`,
			r.IntN(60), r.IntN(60), r.IntN(1000), levels[r.IntN(len(levels))], r.Uint32(), r.IntN(1<<16),
			paths[r.IntN(len(paths))], []int{200, 200, 200, 404, 500}[r.IntN(5)], r.IntN(2000))
	}
	return out
}

func benchmarkMatch(b *testing.B, pattern string, events []string) {
	p := MustCompile(pattern)
	total, matched := 0, 0
	for _, e := range events {
		total += len(e)
		if p.Match(e) {
			matched++
		}
	}
	if matched == 0 || matched == len(events) {
		b.Fatalf("%q matches %d of %d events: not a selective benchmark", pattern, matched, len(events))
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, e := range events {
			p.Match(e)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	flows := flowLogEvents(4096)
	apps := appLogEvents(4096)
	b.Run("terms/flowlogs", func(b *testing.B) { benchmarkMatch(b, `REJECT`, flows) })
	b.Run("terms-and-not/flowlogs", func(b *testing.B) { benchmarkMatch(b, `"10.0.1." -REJECT`, flows) })
	b.Run("terms/applogs", func(b *testing.B) { benchmarkMatch(b, `ERROR checkout`, apps) })
	b.Run("json/applogs", func(b *testing.B) {
		benchmarkMatch(b, `{ $.level = "ERROR" && $.latencyMs > 500 }`, apps)
	})
	b.Run("json-nested/applogs", func(b *testing.B) {
		benchmarkMatch(b, `{ ($.http.status >= 500 || $.http.path = "/api/cart*") && $.service = checkout }`, apps)
	})
	b.Run("delimited/flowlogs", func(b *testing.B) {
		benchmarkMatch(b, `[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`, flows)
	})
	b.Run("delimited-ellipsis/flowlogs", func(b *testing.B) {
		benchmarkMatch(b, `[..., action="REJECT", flowlogstatus]`, flows)
	})
	b.Run("regex/flowlogs", func(b *testing.B) { benchmarkMatch(b, `%REJECT|NODATA%`, flows) })
}

func BenchmarkCompile(b *testing.B) {
	pattern := `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(pattern); err != nil {
			b.Fatal(err)
		}
	}
}
