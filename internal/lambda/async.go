package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tributary-dev/tributary/internal/lambda/proc"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// asyncItem is one queued Event invocation, stored before Invoke answers
// 202 and deleted once it succeeded or was given up.
type asyncItem struct {
	RequestID string    `json:"requestId"`
	Function  string    `json:"function"`
	Qualifier string    `json:"qualifier,omitempty"`
	Payload   []byte    `json:"payload"`
	Enqueued  time.Time `json:"enqueued"`
	// Failures counts function errors so far; AWS retries twice.
	Failures int `json:"failures"`
	// NotBefore delays a retry; Backoff is the last throttle/system backoff.
	NotBefore time.Time     `json:"notBefore"`
	Backoff   time.Duration `json:"backoff,omitempty"`
}

func queueKey(function string, enqueued time.Time, requestID string) []byte {
	return []byte(fmt.Sprintf("%s%s/%020d-%s", prefixQueue, function, enqueued.UnixNano(), requestID))
}

// enqueue persists an Event invocation and wakes the function's worker.
func (s *Service) enqueue(t target, requestID string, payload []byte) error {
	now := s.cfg.Now()
	it := asyncItem{RequestID: requestID, Function: t.rec.Name, Qualifier: t.qualifier, Payload: payload, Enqueued: now}
	b, err := json.Marshal(it)
	if err != nil {
		return err
	}
	key := queueKey(t.rec.Name, now, requestID)
	if err := s.kv.Update(func(w kv.Writer) error { return w.Put(key, b) }); err != nil {
		return err
	}
	s.async.wake(t.rec.Name)
	return nil
}

// asyncRunner runs one worker per function with queued invocations.
type asyncRunner struct {
	s *Service

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	workers map[string]chan struct{} // function → wake signal (buffered 1)
	wg      sync.WaitGroup
}

func newAsyncRunner(s *Service) *asyncRunner {
	return &asyncRunner{s: s, workers: map[string]chan struct{}{}}
}

// start resumes a worker for every function with queued invocations.
func (a *asyncRunner) start() error {
	a.mu.Lock()
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.mu.Unlock()
	names := map[string]bool{}
	err := a.s.kv.View(func(r kv.Reader) error {
		return r.Iterate([]byte(prefixQueue), []byte(prefixQueue+"\xff"), func(_, v []byte) (bool, error) {
			var it asyncItem
			if err := json.Unmarshal(v, &it); err == nil {
				names[it.Function] = true
			}
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	for n := range names {
		a.wake(n)
	}
	return nil
}

func (a *asyncRunner) stop(ctx context.Context) error {
	a.mu.Lock()
	if a.cancel != nil {
		a.cancel()
	}
	a.ctx = nil
	a.mu.Unlock()
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wake signals the function's worker, starting one if none runs. Before
// Start (or after Stop) the item just waits in kv for the next start.
func (a *asyncRunner) wake(function string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ctx == nil {
		return
	}
	if ch, ok := a.workers[function]; ok {
		select {
		case ch <- struct{}{}:
		default:
		}
		return
	}
	ch := make(chan struct{}, 1)
	a.workers[function] = ch
	a.wg.Add(1)
	go a.work(a.ctx, function, ch)
}

// work delivers the function's queue until it is empty. Items whose
// retry time has come go first; when none is due the worker sleeps until
// the earliest one is, or until a new item wakes it.
func (a *asyncRunner) work(ctx context.Context, function string, wake chan struct{}) {
	defer a.wg.Done()
	for {
		key, it, wait, err := a.next(function)
		if err != nil {
			a.s.cfg.Logger.Error("lambda async queue", "function", function, "err", err)
			wait = a.s.cfg.AsyncBackoffMin
		}
		if key == nil && err == nil && wait == 0 {
			a.mu.Lock()
			select {
			case <-wake: // an enqueue raced the empty check
				a.mu.Unlock()
				continue
			default:
			}
			delete(a.workers, function)
			a.mu.Unlock()
			return
		}
		if key == nil {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-wake:
				t.Stop()
			case <-t.C:
			}
			continue
		}
		a.deliver(ctx, key, it)
		if ctx.Err() != nil {
			return
		}
	}
}

// next returns the first due item, or how long until the earliest one is
// due (0 and no key: the queue is empty).
func (a *asyncRunner) next(function string) ([]byte, asyncItem, time.Duration, error) {
	now := a.s.cfg.Now()
	var (
		key      []byte
		item     asyncItem
		earliest time.Time
	)
	start := []byte(prefixQueue + function + "/")
	end := []byte(prefixQueue + function + "/\xff")
	err := a.s.kv.View(func(r kv.Reader) error {
		return r.Iterate(start, end, func(k, v []byte) (bool, error) {
			var it asyncItem
			if err := json.Unmarshal(v, &it); err != nil {
				return false, err
			}
			if !it.NotBefore.After(now) {
				key, item = append([]byte(nil), k...), it
				return false, nil
			}
			if earliest.IsZero() || it.NotBefore.Before(earliest) {
				earliest = it.NotBefore
			}
			return true, nil
		})
	})
	if err != nil || key != nil || earliest.IsZero() {
		return key, item, 0, err
	}
	return nil, item, max(earliest.Sub(now), time.Millisecond), nil
}

// deliver makes one attempt and records its outcome: success or a final
// failure deletes the item, a retry stores its new due time.
func (a *asyncRunner) deliver(ctx context.Context, key []byte, it asyncItem) {
	s := a.s
	log := s.cfg.Logger.With("function", it.Function, "request_id", it.RequestID)
	t, err := s.resolve(it.Function, it.Qualifier)
	if err != nil {
		log.Warn("lambda async: function gone, invocation dropped", "err", err)
		a.remove(key)
		return
	}
	res, err := s.run(ctx, t, proc.Invocation{RequestID: it.RequestID, Payload: it.Payload})
	now := s.cfg.Now()
	switch {
	case ctx.Err() != nil:
		return // stopping: the item stays queued for the next start
	case err == nil && res.FunctionError == "":
		a.remove(key)
	case err == nil:
		it.Failures++
		if it.Failures > len(s.cfg.AsyncRetryDelays) {
			log.Warn("lambda async: function error after retries, invocation dropped", "attempts", it.Failures)
			a.remove(key)
			return
		}
		it.NotBefore = now.Add(s.cfg.AsyncRetryDelays[it.Failures-1])
		a.update(key, it)
	default:
		// Throttles and system errors: back off 1 s doubling to 5 min,
		// for up to the maximum event age.
		var te *proc.ThrottleError
		if !errors.As(err, &te) {
			log.Warn("lambda async: invoke failed", "err", err)
		}
		if now.Sub(it.Enqueued) >= s.cfg.AsyncMaxAge || errors.Is(err, proc.ErrUnsupportedRuntime) {
			log.Warn("lambda async: invocation dropped", "err", err)
			a.remove(key)
			return
		}
		it.Backoff = min(max(it.Backoff*2, s.cfg.AsyncBackoffMin), s.cfg.AsyncBackoffMax)
		it.NotBefore = now.Add(it.Backoff)
		a.update(key, it)
	}
}

func (a *asyncRunner) remove(key []byte) {
	if err := a.s.kv.Update(func(w kv.Writer) error { return w.Delete(key) }); err != nil {
		a.s.cfg.Logger.Error("lambda async: removing item", "err", err)
	}
}

// update rewrites an item unless it was deleted meanwhile (the function
// was deleted): a retry must not resurrect it.
func (a *asyncRunner) update(key []byte, it asyncItem) {
	b, err := json.Marshal(it)
	if err != nil {
		return
	}
	err = a.s.kv.Update(func(w kv.Writer) error {
		if _, err := w.Get(key); err != nil {
			if errors.Is(err, kv.ErrNotFound) {
				return nil
			}
			return err
		}
		return w.Put(key, b)
	})
	if err != nil {
		a.s.cfg.Logger.Error("lambda async: updating item", "err", err)
	}
}
