package bench

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// maxErrors ends a workload early: past this many failed requests the numbers mean nothing.
const maxErrors = 50

// Sample is one run of one workload against one target.
type Sample struct {
	Ops      int64 // successful requests (pages for listings)
	Bytes    int64 // object bytes moved by successful requests
	Keys     int64 // keys listed
	Errors   int64 // failed requests
	Started  int64 // requests sent, including failed ones and those cut short by cancellation
	FirstErr string
	Elapsed  time.Duration
	P50, P99 time.Duration
}

func (s Sample) OpsPerSec() float64  { return perSecond(float64(s.Ops), s.Elapsed) }
func (s Sample) MBPerSec() float64   { return perSecond(float64(s.Bytes)/1e6, s.Elapsed) }
func (s Sample) KeysPerSec() float64 { return perSecond(float64(s.Keys), s.Elapsed) }

func perSecond(n float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return n / d.Seconds()
}

// opFunc performs request number seq and returns its latency (timed by the op itself, so that
// verification after the request is not counted) and the object bytes it moved. A *DataError aborts
// the whole benchmark; any other error is counted.
type opFunc func(ctx context.Context, seq int64) (latency time.Duration, bytes int64, err error)

// measure runs concurrency workers, each with its own op from newOp (which owns the worker's
// buffers), until ops requests were made (ops > 0) or d has elapsed. Requests in flight at the
// deadline complete and count; elapsed runs until the last of them ends.
func measure(ctx context.Context, concurrency int, d time.Duration, ops int64, newOp func(worker int) opFunc) (Sample, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next, started, errCount atomic.Int64
		mu                      sync.Mutex
		total                   Sample
		lat                     []time.Duration
		fatal                   error
		wg                      sync.WaitGroup
	)
	start := time.Now()
	for w := range concurrency {
		op := newOp(w)
		wg.Go(func() {
			var mine []time.Duration
			var bytes int64
			for ctx.Err() == nil {
				seq := next.Add(1) - 1
				if (ops > 0 && seq >= ops) || (ops == 0 && time.Since(start) >= d) {
					break
				}
				started.Add(1)
				l, n, err := op(ctx, seq)
				if err != nil {
					if ctx.Err() != nil {
						break // cancelled because another worker failed
					}
					mu.Lock()
					if de := (*DataError)(nil); errors.As(err, &de) && fatal == nil {
						fatal = err
						cancel()
					}
					if total.FirstErr == "" {
						total.FirstErr = err.Error()
					}
					mu.Unlock()
					if errCount.Add(1) >= maxErrors {
						cancel()
					}
					continue
				}
				mine = append(mine, l)
				bytes += n
			}
			mu.Lock()
			lat = append(lat, mine...)
			total.Bytes += bytes
			mu.Unlock()
		})
	}
	wg.Wait()
	total.Elapsed = time.Since(start)
	if fatal != nil {
		return Sample{}, fatal
	}
	if err := ctx.Err(); err != nil && errCount.Load() < maxErrors {
		return Sample{}, err // the caller was cancelled (Ctrl-C)
	}
	slices.Sort(lat)
	total.Ops = int64(len(lat))
	total.Errors = errCount.Load()
	total.Started = started.Load()
	total.P50 = Percentile(lat, 50)
	total.P99 = Percentile(lat, 99)
	return total, nil
}
