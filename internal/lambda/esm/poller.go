package esm

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// A runner polls one mapping: it lists the stream's shards every few poll
// intervals (or at once when a shard finishes), and runs one worker per
// shard whose parents are drained. A worker holds at most one batch in
// flight, so records reach the function in shard order.
//
// ParallelizationFactor > 1 is stored and reported but processed as 1:
// per-key lanes would need a checkpoint per lane and the lowest unfinished
// lane to bound the shard's checkpoint; one lane keeps every key's order
// (and the shard's), at lower throughput than AWS would give.
type runner struct {
	m    *Manager
	mp   Mapping
	ctx  context.Context
	quit context.CancelFunc
	done chan struct{}

	mu      sync.Mutex
	workers map[string]*worker
	drained map[string]bool // shards finished (closed and fully processed)
	wake    chan struct{}   // a worker finished: refresh at once
}

func newRunner(m *Manager, mp Mapping) *runner {
	return &runner{m: m, mp: mp, done: make(chan struct{}), workers: map[string]*worker{},
		drained: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// stop asks the runner to end; wait waits for it.
func (r *runner) stop() {
	r.mu.Lock()
	q := r.quit
	r.mu.Unlock()
	if q != nil {
		q()
	}
}

func (r *runner) wait(ctx context.Context) error {
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run polls until parent is cancelled or stop is called; enabled is called
// once the first shard listing succeeded.
func (r *runner) run(parent context.Context, enabled func()) {
	defer close(r.done)
	r.mu.Lock()
	r.ctx, r.quit = context.WithCancel(parent)
	ctx := r.ctx
	r.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer r.stop()
	log := r.m.cfg.Logger.With("uuid", r.mp.UUID, "source", r.mp.EventSourceARN)
	refresh := 3 * r.m.cfg.PollInterval
	started, cps, err := r.m.loadCheckpoints(r.mp.UUID)
	for err != nil {
		log.Error("esm: load checkpoints", "err", err)
		if !sleep(ctx, refresh) {
			return
		}
		started, cps, err = r.m.loadCheckpoints(r.mp.UUID)
	}
	for shard, cp := range cps {
		if cp.Done {
			r.drained[shard] = true
		}
	}
	first := true
	for {
		shards, err := r.m.cfg.Streams.Shards(ctx, r.mp.EventSourceARN)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("esm: list shards", "err", err)
		} else {
			if !started {
				if cps, err = r.fixStart(ctx, shards); err != nil {
					if ctx.Err() != nil {
						return
					}
					log.Warn("esm: fix starting positions", "err", err)
					goto wait
				}
				started = true
			}
			if first {
				first = false
				enabled()
			}
			r.schedule(ctx, &wg, shards, cps)
		}
	wait:
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-time.After(refresh):
		}
	}
}

// fixStart resolves StartingPosition for the shards that exist at the
// mapping's first run and stores them with the start marker.
func (r *runner) fixStart(ctx context.Context, shards []Shard) (map[string]checkpoint, error) {
	cps := map[string]checkpoint{}
	for _, s := range shards {
		var cp checkpoint
		switch r.mp.StartingPosition {
		case Latest:
			seq, err := r.m.cfg.Streams.LatestSequence(ctx, r.mp.EventSourceARN, s.ID)
			if err != nil {
				return nil, err
			}
			cp.After = seq // "" (empty shard): from its start
		case AtTimestamp:
			cp.AtMs = r.mp.StartingPositionTimestamp.UnixMilli()
		}
		cps[s.ID] = cp
	}
	if err := r.m.storeStart(r.mp.UUID, cps); err != nil {
		return nil, err
	}
	return cps, nil
}

// schedule starts a worker for every shard not started, not drained, and
// whose parents are drained (or gone: expired parents are not listed), and
// tells running workers whether their shard has closed.
func (r *runner) schedule(ctx context.Context, wg *sync.WaitGroup, shards []Shard, cps map[string]checkpoint) {
	listed := make(map[string]bool, len(shards))
	for _, s := range shards {
		listed[s.ID] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, w := range r.workers {
		if !listed[id] {
			w.gone.Store(true) // expired: nothing is left to read
		}
	}
	for _, s := range shards {
		if w := r.workers[s.ID]; w != nil {
			if s.Closed {
				w.closed.Store(true)
			}
			continue
		}
		if r.drained[s.ID] {
			continue
		}
		ready := true
		for _, p := range s.ParentIDs {
			// An unlisted parent expired; one still being worked on ends first.
			if !r.drained[p] && (listed[p] || r.workers[p] != nil) {
				ready = false
			}
		}
		if !ready {
			continue
		}
		cp, ok := cps[s.ID]
		if !ok {
			cp = checkpoint{} // a shard born after the mapping started: from its start
		}
		w := &worker{r: r, shard: s.ID, cp: cp}
		w.closed.Store(s.Closed)
		r.workers[s.ID] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			drained := w.run(ctx)
			r.mu.Lock()
			delete(r.workers, s.ID)
			cps[s.ID] = w.cp // a restarted worker goes on from here
			if drained {
				r.drained[s.ID] = true
			}
			r.mu.Unlock()
			select {
			case r.wake <- struct{}{}:
			default:
			}
		}()
	}
}

// worker processes one shard.
type worker struct {
	r      *runner
	shard  string
	cp     checkpoint // last stored
	closed atomic.Bool
	gone   atomic.Bool // no longer listed (expired)

	pending      []pendingRecord // read, not yet delivered
	pendingBytes int
	readPos      string // sequence number to read after; "" = per cp
	windowStart  time.Time
}

// pendingRecord is a record with its encoded event element.
type pendingRecord struct {
	rec Record
	enc []byte
}

// errStopped: the worker must end (mapping stopped or deleted).
var errStopped = errors.New("esm: stopped")

// run processes the shard until ctx ends (false) or the shard is closed and
// fully processed (true, with the shard marked done).
func (w *worker) run(ctx context.Context) bool {
	cfg := &w.r.m.cfg
	mp := &w.r.mp
	log := cfg.Logger.With("uuid", mp.UUID, "shard", w.shard)
	w.readPos = w.cp.After
	for ctx.Err() == nil {
		if w.gone.Load() {
			log.Warn("esm: shard expired before it was fully processed", "pending", len(w.pending))
			return true
		}
		closedBefore := w.closed.Load()
		got, attempted := 0, false
		if len(w.pending) < mp.BatchSize && w.pendingBytes < MaxPayloadBytes {
			recs, err := w.read(ctx, mp.BatchSize-len(w.pending), MaxPayloadBytes-w.pendingBytes)
			if err != nil {
				if ctx.Err() != nil {
					return false
				}
				log.Warn("esm: read shard", "err", err)
				sleep(ctx, cfg.PollInterval)
				continue
			}
			for i := range recs {
				enc, err := encodeRecord(mp, w.shard, &recs[i])
				if err != nil {
					log.Error("esm: encode record", "seq", recs[i].SequenceNumber, "err", err)
					return false
				}
				w.pending = append(w.pending, pendingRecord{rec: recs[i], enc: enc})
				w.pendingBytes += len(enc) + 1
			}
			if len(recs) > 0 {
				w.readPos = recs[len(recs)-1].SequenceNumber
				w.cp.AtMs = 0
			}
			got, attempted = len(recs), true
		}
		if len(w.pending) == 0 {
			if closedBefore && attempted && got == 0 {
				w.cp.Done = true
				if err := w.save(); err != nil {
					log.Warn("esm: store checkpoint", "err", err)
					return false
				}
				return true
			}
			sleep(ctx, cfg.PollInterval)
			continue
		}
		now := cfg.Now()
		if w.windowStart.IsZero() {
			w.windowStart = now
		}
		n := w.batchLen()
		full := n < len(w.pending) || n >= mp.BatchSize || w.pendingBytes+eventOverhead > MaxPayloadBytes
		ended := closedBefore && attempted && got == 0 // nothing more will come
		if !full && !ended && mp.MaximumBatchingWindow > 0 && now.Sub(w.windowStart) < mp.MaximumBatchingWindow {
			sleep(ctx, min(cfg.PollInterval, mp.MaximumBatchingWindow-now.Sub(w.windowStart)))
			continue
		}
		batch := w.pending[:n]
		if err := w.deliver(ctx, batch); err != nil {
			if !errors.Is(err, errStopped) {
				log.Warn("esm: deliver", "err", err)
			}
			return false
		}
		for _, p := range batch {
			w.pendingBytes -= len(p.enc) + 1
		}
		w.pending = append(w.pending[:0:0], w.pending[n:]...)
		w.windowStart = time.Time{}
		if len(w.pending) > 0 {
			w.windowStart = cfg.Now()
		}
	}
	return false
}

// batchLen is how many pending records the next batch takes: at most
// BatchSize, and no more than fit a 6 MB event (at least one).
func (w *worker) batchLen() int {
	size := eventOverhead
	n := 0
	for n < len(w.pending) && n < w.r.mp.BatchSize {
		add := len(w.pending[n].enc)
		if n > 0 {
			add++
		}
		if n > 0 && size+add > MaxPayloadBytes {
			break
		}
		size += add
		n++
	}
	return n
}

// read reads the next records of the shard from where the pending records
// (or the checkpoint) end.
func (w *worker) read(ctx context.Context, limit, maxBytes int) ([]Record, error) {
	sr := w.r.m.cfg.Streams
	arn := w.r.mp.EventSourceARN
	// Base64 makes data 4/3 larger in the event: ask for raw bytes that fit.
	maxBytes = max(maxBytes*3/4-1024, 1)
	switch {
	case w.readPos != "":
		return sr.ReadAfter(ctx, arn, w.shard, w.readPos, limit, maxBytes)
	case w.cp.AtMs != 0:
		return sr.ReadAtTimestamp(ctx, arn, w.shard, time.UnixMilli(w.cp.AtMs), limit, maxBytes)
	default:
		return sr.ReadFromStart(ctx, arn, w.shard, limit, maxBytes)
	}
}

// save stores w's checkpoint; failing (a deleted mapping), the worker stops.
func (w *worker) save() error {
	if err := w.r.m.storeCheckpoint(w.r.mp.UUID, w.shard, w.cp); err != nil {
		return errors.Join(errStopped, err)
	}
	return nil
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
