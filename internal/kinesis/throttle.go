package kinesis

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Per-shard throughput limits (spec §1.7, §1.8), enforced only when
// Config.Throttle is set: writes 1 MiB/s and 1,000 records/s, reads
// 2 MiB/s and 5 calls/s, GetShardIterator 5 calls/s. Record and call
// counts use token buckets of one second's burst; bytes use a bucket that
// may go into debt, because a single record or response can exceed one
// second's allowance (AWS: after a 10 MiB GetRecords, calls in the next
// 5 s are refused).
const (
	writeBytesPerSec    = 1 << 20
	writeRecordsPerSec  = 1000
	readBytesPerSec     = 2 << 20
	readCallsPerSec     = 5
	iteratorCallsPerSec = 5
)

type shardLimits struct {
	writeRecords *rate.Limiter
	writeBytes   debtBucket
	readCalls    *rate.Limiter
	readBytes    debtBucket
	iterators    *rate.Limiter
}

func newShardLimits() *shardLimits {
	return &shardLimits{
		writeRecords: rate.NewLimiter(writeRecordsPerSec, writeRecordsPerSec),
		writeBytes:   debtBucket{rate: writeBytesPerSec, tokens: writeBytesPerSec},
		readCalls:    rate.NewLimiter(readCallsPerSec, readCallsPerSec),
		readBytes:    debtBucket{rate: readBytesPerSec, tokens: readBytesPerSec},
		iterators:    rate.NewLimiter(iteratorCallsPerSec, iteratorCallsPerSec),
	}
}

// debtBucket holds up to one second of tokens and may be overdrawn.
type debtBucket struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

func (b *debtBucket) refill(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.rate, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
}

// available reports whether the bucket is not in debt.
func (b *debtBucket) available(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	return b.tokens > 0
}

// take draws n tokens if the bucket is not in debt.
func (b *debtBucket) take(now time.Time, n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.tokens <= 0 {
		return false
	}
	b.tokens -= float64(n)
	return true
}

func (b *debtBucket) charge(now time.Time, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.tokens -= float64(n)
}

// allowWrite admits one write of records totalling bytes to the shard.
func (s *Service) allowWrite(rt *shardRT, records, bytes int) bool {
	if rt.limits == nil {
		return true
	}
	now := s.cfg.Now()
	if !rt.limits.writeRecords.AllowN(now, records) {
		return false
	}
	return rt.limits.writeBytes.take(now, bytes)
}

func (s *Service) errWriteThrottled(rt *shardRT, stream string) error {
	return errThroughput("Rate exceeded for shard %s in stream %s under account %s.", rt.id, stream, s.cfg.AccountID)
}

// throttleRead admits one GetRecords call on the shard.
func (s *Service) throttleRead(rt *shardRT, stream string) error {
	if rt.limits == nil {
		return nil
	}
	now := s.cfg.Now()
	if !rt.limits.readBytes.available(now) || !rt.limits.readCalls.AllowN(now, 1) {
		return errThroughput("Rate exceeded for shard %s in stream %s under account %s.", rt.id, stream, s.cfg.AccountID)
	}
	return nil
}

// chargeRead counts the bytes a GetRecords call returned.
func (s *Service) chargeRead(rt *shardRT, bytes int) {
	if rt.limits != nil && bytes > 0 {
		rt.limits.readBytes.charge(s.cfg.Now(), bytes)
	}
}

// throttleIterator admits one GetShardIterator call on the shard.
func (s *Service) throttleIterator(rt *shardRT, stream string) error {
	if rt.limits == nil || rt.limits.iterators.AllowN(s.cfg.Now(), 1) {
		return nil
	}
	return errThroughput("Rate exceeded for shard %s in stream %s under account %s.", rt.id, stream, s.cfg.AccountID)
}
