package kinesis

import (
	"sync"
)

// subscription is one live SubscribeToShard response stream.
type subscription struct {
	key      string // consumer ARN + "|" + shard id
	consumer string
	streamID string
	started  int64 // service clock, ms
	done     chan struct{}
	once     sync.Once
	reason   error // why it was ended from outside (nil: shutdown)
}

// end stops the subscription, telling its client why (reason nil: a
// normal end of stream).
func (sub *subscription) end(reason error) {
	sub.once.Do(func() {
		sub.reason = reason
		close(sub.done)
	})
}

// subscriptions tracks live subscriptions per (consumer, shard), for the
// 5-second resubscribe rule and takeovers.
type subscriptions struct {
	mu    sync.Mutex
	byKey map[string]*subscription
	// lastStart is when the last successful subscription of each key
	// started, ended or not: AWS refuses another within 5 s of it.
	lastStart map[string]int64
}

func newSubscriptions() *subscriptions {
	return &subscriptions{byKey: map[string]*subscription{}, lastStart: map[string]int64{}}
}

// takeoverGraceMs: a new subscription for the same consumer and shard
// within this time of the previous one is refused; after it, it takes over.
const takeoverGraceMs = 5000

// add registers sub. It is refused within five seconds of the previous
// successful subscription of the same key; otherwise it returns the live
// subscription it replaces (to be ended with ResourceInUseException).
func (ss *subscriptions) add(sub *subscription) (replaced *subscription, refused bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if last, ok := ss.lastStart[sub.key]; ok && sub.started-last < takeoverGraceMs {
		return nil, true
	}
	if old := ss.byKey[sub.key]; old != nil {
		select {
		case <-old.done:
		default:
			replaced = old
		}
	}
	ss.byKey[sub.key] = sub
	ss.lastStart[sub.key] = sub.started
	return replaced, false
}

// remove forgets sub if it is still the registered one for its key.
func (ss *subscriptions) remove(sub *subscription) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.byKey[sub.key] == sub {
		delete(ss.byKey, sub.key)
	}
}

func (ss *subscriptions) endWhere(match func(*subscription) bool, reason error) {
	ss.mu.Lock()
	var ended []*subscription
	for k, sub := range ss.byKey {
		if match(sub) {
			ended = append(ended, sub)
			delete(ss.byKey, k)
			delete(ss.lastStart, k)
		}
	}
	ss.mu.Unlock()
	for _, sub := range ended {
		sub.end(reason)
	}
}

// endStream ends every subscription to a deleted stream.
func (ss *subscriptions) endStream(streamID string) {
	ss.endWhere(func(sub *subscription) bool { return sub.streamID == streamID },
		errNotFound("The stream of this subscription was deleted."))
}

// endConsumer ends every subscription of a deregistered consumer.
func (ss *subscriptions) endConsumer(arn string) {
	ss.endWhere(func(sub *subscription) bool { return sub.consumer == arn },
		errNotFound("Consumer %s was deregistered.", arn))
}

// closeAll ends every subscription normally (shutdown, reset).
func (ss *subscriptions) closeAll() {
	ss.endWhere(func(*subscription) bool { return true }, nil)
}
