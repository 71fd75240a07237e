package proc

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

const (
	shipInterval  = 200 * time.Millisecond
	shipMaxEvents = 10000       // PutLogEvents: events per call
	shipMaxBytes  = 1000 * 1000 // PutLogEvents: bytes per call (message + 26 each), with margin
)

// shipper sends log lines to the LogSink in batches, off the invoke path. Lines
// are queued in memory per stream and flushed every shipInterval or when a
// batch is full; close flushes everything still queued.
type shipper struct {
	sink LogSink
	log  *slog.Logger

	mu      sync.Mutex
	pending map[streamKey]*streamBatch
	order   []streamKey
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

type streamKey struct{ group, stream string }

type streamBatch struct {
	events []LogEvent
	bytes  int
}

func newShipper(sink LogSink, log *slog.Logger) *shipper {
	s := &shipper{
		sink:    sink,
		log:     log,
		pending: map[streamKey]*streamBatch{},
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go s.run()
	return s
}

// add queues one event. It never blocks on the sink.
func (s *shipper) add(group, stream string, ev LogEvent) {
	if s.sink == nil {
		return
	}
	k := streamKey{group, stream}
	s.mu.Lock()
	b := s.pending[k]
	if b == nil {
		b = &streamBatch{}
		s.pending[k] = b
		s.order = append(s.order, k)
	}
	b.events = append(b.events, ev)
	b.bytes += len(ev.Message) + 26
	full := len(b.events) >= shipMaxEvents || b.bytes >= shipMaxBytes
	s.mu.Unlock()
	if full {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

func (s *shipper) run() {
	defer close(s.done)
	t := time.NewTicker(shipInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			s.flush()
			return
		case <-t.C:
		case <-s.kick:
		}
		s.flush()
	}
}

// flush sends every queued event, stream by stream, in batches within the
// PutLogEvents limits.
func (s *shipper) flush() {
	s.mu.Lock()
	pending, order := s.pending, s.order
	s.pending, s.order = map[streamKey]*streamBatch{}, nil
	s.mu.Unlock()
	for _, k := range order {
		events := pending[k].events
		for len(events) > 0 {
			n, size := 0, 0
			for n < len(events) && n < shipMaxEvents && size+len(events[n].Message)+26 <= shipMaxBytes {
				size += len(events[n].Message) + 26
				n++
			}
			if n == 0 {
				n = 1
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := s.sink.PutLogEvents(ctx, k.group, k.stream, events[:n]); err != nil {
				s.log.Warn("lambda logs not delivered", "group", k.group, "stream", k.stream, "events", n, "err", err)
			}
			cancel()
			events = events[n:]
		}
	}
}

// close flushes what is queued and stops the shipper.
func (s *shipper) close() {
	close(s.stop)
	<-s.done
}
