package streamlog

// Benchmarks of the paths Kinesis puts and reads take:
//
//	TMPDIR=/path/on/the/data/disk go test ./internal/storage/streamlog -run=NONE -bench=. -benchtime=3s
//
// Append is durable (fsync with group commit) unless the name says NoSync.
// See doc.go for figures.

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		name            string
		recSize, batch  int
		appenders, logs int
		noSync          bool
	}{
		{"1KiBx500/8appenders/4logs", 1024, 500, 8, 4, false},
		{"128Bx500/8appenders/4logs", 128, 500, 8, 4, false},
		{"1KiBx1/8appenders/4logs", 1024, 1, 8, 4, false},
		{"1KiBx1/8appenders/1log", 1024, 1, 8, 1, false},
		{"1KiBx500/1appender/1log", 1024, 500, 1, 1, false},
		{"1KiBx500/8appenders/4logs/NoSync", 1024, 500, 8, 4, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, err := Open(b.TempDir(), Options{NoSync: c.noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			logs := make([]*Log, c.logs)
			for i := range logs {
				if logs[i], err = s.Log(fmt.Sprintf("bench/shard-%d", i)); err != nil {
					b.Fatal(err)
				}
			}
			recs := make([]Record, c.batch)
			for i := range recs {
				data := make([]byte, c.recSize)
				for j := range data {
					data[j] = byte(i + j)
				}
				recs[i] = Record{Time: 1, Data: data}
			}
			b.SetBytes(int64(c.batch * c.recSize))
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, c.appenders)
			b.ResetTimer()
			for a := range c.appenders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					l := logs[a%len(logs)]
					for next.Add(1) <= int64(b.N) {
						if _, err := l.Append(recs); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N*c.batch)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func BenchmarkRead(b *testing.B) {
	for _, c := range []struct {
		name             string
		recSize, batch   int
		records, perRead int
	}{
		{"1KiB/batches500/10000perRead", 1024, 500, 100_000, 10_000},
		{"128B/batches500/10000perRead", 128, 500, 200_000, 10_000},
		{"128B/batches1/10000perRead", 128, 1, 100_000, 10_000},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, err := Open(b.TempDir(), Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			l, err := s.Log("bench/read")
			if err != nil {
				b.Fatal(err)
			}
			recs := make([]Record, c.batch)
			for i := range recs {
				recs[i] = Record{Time: int64(i), Data: make([]byte, c.recSize)}
			}
			for n := 0; n < c.records; n += c.batch {
				if _, err := l.Append(recs); err != nil {
					b.Fatal(err)
				}
			}
			var sum int
			b.SetBytes(int64(c.records * c.recSize))
			b.ResetTimer()
			for range b.N {
				var from uint64
				for from < l.End() {
					if from, err = l.Read(from, c.perRead, 0, func(_ uint64, r Record) error {
						sum += len(r.Data)
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			if sum != b.N*c.records*c.recSize {
				b.Fatalf("read %d bytes, want %d", sum, b.N*c.records*c.recSize)
			}
			b.ReportMetric(float64(b.N*c.records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
