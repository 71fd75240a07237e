package logs

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// Delivery batches: at most this many events (and bytes of messages) are
// read from one stream per payload batch.
const (
	deliveryBatchEvents = 10_000
	deliveryBatchBytes  = 4 << 20
	maxRetryAgeMs       = 24 * 60 * 60 * 1000
)

// deliveryRunner runs one worker per subscription filter while the
// service is started. A worker reads each stream of its group from the
// filter's cursor, sends the matching events, and stores the cursor after
// the destination accepted them: delivery is at-least-once and resumes
// after a restart where the last acknowledged batch ended.
type deliveryRunner struct {
	s       *Service
	mu      sync.Mutex
	started bool
	workers map[*subscription]*deliveryWorker
}

type deliveryWorker struct {
	sub    *subscription
	cancel context.CancelFunc
	done   chan struct{}
}

func newDeliveryRunner(s *Service) *deliveryRunner {
	return &deliveryRunner{s: s, workers: map[*subscription]*deliveryWorker{}}
}

func (r *deliveryRunner) add(g *group, sub *subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := &deliveryWorker{sub: sub}
	r.workers[sub] = w
	if r.started {
		r.launch(w)
	}
}

func (r *deliveryRunner) launch(w *deliveryWorker) {
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	go r.run(ctx, w)
}

// remove stops a filter's worker and waits for it.
func (r *deliveryRunner) remove(sub *subscription) {
	r.mu.Lock()
	w := r.workers[sub]
	delete(r.workers, sub)
	r.mu.Unlock()
	if w != nil && w.cancel != nil {
		w.cancel()
		<-w.done
	}
}

func (r *deliveryRunner) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = true
	for _, w := range r.workers {
		if w.cancel == nil {
			r.launch(w)
		}
	}
}

func (r *deliveryRunner) stop() {
	r.mu.Lock()
	r.started = false
	var running []*deliveryWorker
	for _, w := range r.workers {
		if w.cancel != nil {
			w.cancel()
			running = append(running, w)
		}
	}
	r.mu.Unlock()
	for _, w := range running {
		<-w.done
		w.cancel, w.done = nil, nil
	}
}

func (r *deliveryRunner) run(ctx context.Context, w *deliveryWorker) {
	defer close(w.done)
	s := r.s
	sub := w.sub
	var backoff time.Duration
	for {
		progressed, err := s.deliverPass(ctx, sub)
		if ctx.Err() != nil {
			return
		}
		var wait <-chan time.Time
		switch {
		case err != nil:
			backoff = min(max(backoff*2, s.cfg.RetryMin), s.cfg.RetryMax)
			s.cfg.Logger.Warn("logs: subscription delivery failed; will retry", "group", sub.groupName,
				"filter", sub.meta.Name, "retry_in", backoff, "err", err)
			wait = time.After(backoff)
		case progressed:
			backoff = 0
			continue
		default:
			backoff = 0
			wait = time.After(s.cfg.PollInterval)
		}
		select {
		case <-ctx.Done():
			return
		case <-sub.wakeCh:
			if err != nil {
				// New events do not make a failing destination healthy:
				// keep to the backoff.
				select {
				case <-ctx.Done():
					return
				case <-wait:
				}
			}
		case <-wait:
		}
	}
}

// DeliverSubscriptions runs one delivery pass for every subscription
// filter, synchronously: tests call it instead of waiting for workers.
func (s *Service) DeliverSubscriptions(ctx context.Context) error {
	if err := s.load(); err != nil {
		return err
	}
	s.mu.RLock()
	var subs []*subscription
	for _, g := range s.groups {
		g.mu.RLock()
		subs = append(subs, g.subs...)
		g.mu.RUnlock()
	}
	s.mu.RUnlock()
	var errs []error
	for _, sub := range subs {
		for {
			progressed, err := s.deliverPass(ctx, sub)
			if err != nil {
				errs = append(errs, err)
				break
			}
			if !progressed {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// streamRef is what a delivery pass needs of a stream.
type streamRef struct {
	num  uint64
	name string
	log  *streamlog.Log
}

// deliverPass sends what each stream of the filter's group holds past the
// cursor (one batch per stream) and reports whether the cursor moved.
// Passes of one filter never run concurrently (one worker per filter; the
// synchronous DeliverSubscriptions is for tests that run no workers).
func (s *Service) deliverPass(ctx context.Context, sub *subscription) (progressed bool, err error) {
	g := sub.group
	g.mu.RLock()
	if g.deleted {
		g.mu.RUnlock()
		return false, nil
	}
	groupName, groupID := g.meta.Name, g.meta.ID
	refs := make([]streamRef, 0, len(g.streams))
	for _, st := range g.sortedStreams() {
		refs = append(refs, streamRef{num: st.meta.Num, name: st.meta.Name, log: st.log})
	}
	g.mu.RUnlock()

	cur, err := s.loadCursor(groupID, sub.meta.Name)
	if err != nil {
		return false, err
	}
	if cur == nil {
		return false, nil // the filter was deleted
	}
	var dest Destination
	dirty := false
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return progressed, err
		}
		from, ok := cur.Offsets[ref.num]
		if !ok {
			if ref.num >= cur.Base {
				from = 0
			} else {
				from = ref.log.End()
			}
		}
		from = max(from, ref.log.Start())
		if from >= ref.log.End() {
			if !ok || cur.Offsets[ref.num] != from {
				cur.Offsets[ref.num] = from
				dirty = true
			}
			continue
		}
		var events []payloadEvent
		next, rerr := ref.log.Read(from, deliveryBatchEvents, deliveryBatchBytes, func(off uint64, rec streamlog.Record) error {
			ts, msg := decodeEvent(rec.Data)
			if sub.pattern.MatchBytes(msg) {
				events = append(events, payloadEvent{id: eventID(ref.num, off, ts), ts: ts, msg: append([]byte(nil), msg...)})
			}
			return nil
		})
		if rerr != nil {
			if errors.Is(rerr, streamlog.ErrClosed) {
				continue // the stream was deleted meanwhile
			}
			return progressed, rerr
		}
		if len(events) > 0 {
			if err := s.send(ctx, sub, &dest, groupName, ref.name, events); err != nil {
				return progressed, err
			}
		}
		cur.Offsets[ref.num] = next
		progressed = true
		if len(events) > 0 {
			if err := s.saveCursor(groupID, sub.meta.Name, cur, refs); err != nil {
				return progressed, err
			}
			dirty = false
		} else {
			dirty = true
		}
	}
	if dirty {
		if err := s.saveCursor(groupID, sub.meta.Name, cur, refs); err != nil {
			return progressed, err
		}
	}
	return progressed, nil
}

// send delivers one stream's batch. A final failure (ErrUndeliverable,
// ErrDestinationNotFound, or retries older than maxRetryAgeMs) drops the
// batch and answers nil so the cursor moves on; others are returned.
func (s *Service) send(ctx context.Context, sub *subscription, dest *Destination, group, stream string, events []payloadEvent) error {
	err := func() error {
		if *dest == nil {
			d, _, err := s.destination(sub.meta.DestinationArn)
			if err != nil {
				return fmt.Errorf("resolve %s: %w", sub.meta.DestinationArn, err)
			}
			*dest = d
		}
		payloads := s.buildPayloads(group, stream, sub.meta.Name, events, (*dest).MaxRecordBytes())
		return (*dest).Deliver(ctx, partitionKey(sub.meta.Distribution, group, stream), payloads)
	}()
	if err == nil {
		sub.failingSince.Store(0)
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	now := s.nowMs()
	since := sub.failingSince.Load()
	if since == 0 {
		sub.failingSince.Store(now)
		since = now
	}
	if !errors.Is(err, ErrUndeliverable) && !errors.Is(err, ErrDestinationNotFound) && now-since <= maxRetryAgeMs {
		return err
	}
	sub.failingSince.Store(0)
	s.cfg.Logger.Warn("logs: subscription batch dropped", "group", group, "stream", stream, "filter", sub.meta.Name,
		"events", len(events), "err", err)
	return nil
}

func (s *Service) loadCursor(groupID, filter string) (*deliveryCursor, error) {
	var cur *deliveryCursor
	err := s.kv.View(func(r kv.Reader) error {
		v, err := r.Get(cursorKey(groupID, filter))
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		cur = &deliveryCursor{}
		return json.Unmarshal(v, cur)
	})
	if cur != nil && cur.Offsets == nil {
		cur.Offsets = map[uint64]uint64{}
	}
	return cur, err
}

// saveCursor stores the cursor (entries of streams no longer in the group
// dropped) unless the filter was deleted meanwhile.
func (s *Service) saveCursor(groupID, filter string, cur *deliveryCursor, refs []streamRef) error {
	live := make(map[uint64]bool, len(refs))
	for _, r := range refs {
		live[r.num] = true
	}
	for num := range cur.Offsets {
		if !live[num] {
			delete(cur.Offsets, num)
		}
	}
	data, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	key := cursorKey(groupID, filter)
	return s.kv.Update(func(w kv.Writer) error {
		if _, err := w.Get(key); errors.Is(err, kv.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		return w.Put(key, data)
	})
}

// buildPayloads renders events as gzip'd DATA_MESSAGEs of at most
// maxBytes each, splitting the batch in halves until every part fits. An
// event too large to fit alone is dropped (AWS cannot deliver it either).
func (s *Service) buildPayloads(group, stream, filter string, events []payloadEvent, maxBytes int) [][]byte {
	var out [][]byte
	var build func(evs []payloadEvent)
	build = func(evs []payloadEvent) {
		p := gzipBytes(dataMessage(s.cfg.AccountID, group, stream, filter, evs))
		if maxBytes <= 0 || len(p) <= maxBytes {
			out = append(out, p)
			return
		}
		if len(evs) == 1 {
			s.cfg.Logger.Warn("logs: event too large for the subscription destination; dropped",
				"group", group, "stream", stream, "filter", filter, "bytes", len(p))
			return
		}
		build(evs[:len(evs)/2])
		build(evs[len(evs)/2:])
	}
	build(events)
	return out
}

// partitionKey is the Kinesis partition key of a delivery: stable per log
// stream (ByLogStream) or random per delivery (Random).
func partitionKey(distribution, group, stream string) string {
	if distribution == "Random" {
		var b [16]byte
		rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}
	sum := sha256.Sum256([]byte(group + "\x00" + stream))
	return hex.EncodeToString(sum[:16])
}
