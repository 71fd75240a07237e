// Package kinesis implements Amazon Kinesis Data Streams over AWS JSON 1.1
// and CBOR: streams, shards, records, iterators, resharding, retention,
// enhanced fan-out consumers and tags. Records live in one streamlog per
// shard (named kinesis/<stream-id>/<shardId>); everything else (streams,
// shards, lineage, consumers, tags) is metadata in kv under "kinesis/".
package kinesis

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// Config holds what the Kinesis service needs to know about its deployment.
type Config struct {
	Region    string
	AccountID string
	Logger    *slog.Logger
	// Now is the clock; nil means time.Now. Stream states, iterator expiry
	// and retention all follow it, so tests advance it instead of sleeping.
	Now func() time.Time
	// CreateDelay and UpdateDelay are how long a stream (or consumer) stays
	// CREATING / UPDATING (0 = 500 ms).
	CreateDelay time.Duration
	UpdateDelay time.Duration
	// Throttle turns on AWS's per-shard read and write limits.
	Throttle bool
	// MaintenanceInterval is how often Start's loop trims expired records
	// (0 = one minute).
	MaintenanceInterval time.Duration
	// SubscriptionLifetime is how long a SubscribeToShard stream lasts
	// (0 = 5 minutes, as on AWS); SubscriptionHeartbeat is how often an idle
	// subscription gets an empty event (0 = 3 s). Real time, not Now.
	SubscriptionLifetime  time.Duration
	SubscriptionHeartbeat time.Duration
}

const defaultStateDelay = 500 * time.Millisecond

// Service is the Kinesis Data Streams service.
type Service struct {
	kv   kv.Store
	logs *streamlog.Store
	cfg  Config
	ops  map[string]opFunc

	loadOnce sync.Once
	loadErr  error
	iterKey  []byte // HMAC key authenticating shard iterators

	mu      sync.RWMutex // guards streams (the map, not the streams)
	streams map[string]*stream
	// openTotal is the account's open shard count (sum of the streams'
	// openCount), kept without locks for the shard limit checks.
	openTotal atomic.Int64

	subs     *subscriptions
	patterns awsproto.Patterns
	buffers  bufferPool
	answers  answerPool // GetRecords responses

	stopLoop context.CancelFunc
	loopDone chan struct{}
}

// opFunc serves one operation: it writes the response and returns nil, or
// writes nothing and returns an error.
type opFunc func(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error

// New builds the Kinesis service on the metadata store and the record logs.
func New(meta kv.Store, logs *streamlog.Store, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.CreateDelay == 0 {
		cfg.CreateDelay = defaultStateDelay
	}
	if cfg.UpdateDelay == 0 {
		cfg.UpdateDelay = defaultStateDelay
	}
	if cfg.SubscriptionLifetime == 0 {
		cfg.SubscriptionLifetime = 5 * time.Minute
	}
	if cfg.SubscriptionHeartbeat == 0 {
		cfg.SubscriptionHeartbeat = 3 * time.Second
	}
	if cfg.MaintenanceInterval == 0 {
		cfg.MaintenanceInterval = time.Minute
	}
	s := &Service{kv: meta, logs: logs, cfg: cfg, streams: map[string]*stream{}, subs: newSubscriptions(), patterns: compilePatterns()}
	s.ops = s.operations()
	return s
}

// Name implements server.Service.
func (s *Service) Name() string { return "kinesis" }

// Handle implements server.Service.
func (s *Service) Handle(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	op, ok := s.ops[rt.Operation]
	if !ok {
		return awsproto.UnsupportedOperation(rt)
	}
	if err := s.load(); err != nil {
		return awsproto.Internal(err)
	}
	return op(w, r, rt)
}

// Start loads the metadata and runs the background work: retention
// trimming and the removal of expired closed shards.
func (s *Service) Start(ctx context.Context) error {
	if err := s.load(); err != nil {
		return err
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	s.stopLoop = cancel
	s.loopDone = make(chan struct{})
	go s.maintenanceLoop(loopCtx)
	return nil
}

// Stop ends the background work and open subscriptions.
func (s *Service) Stop(ctx context.Context) error {
	s.subs.closeAll()
	if s.stopLoop != nil {
		s.stopLoop()
		select {
		case <-s.loopDone:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (s *Service) maintenanceLoop(ctx context.Context) {
	defer close(s.loopDone)
	t := time.NewTicker(s.cfg.MaintenanceInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.EnforceRetention(ctx); err != nil {
				s.cfg.Logger.Error("kinesis retention", "err", err)
			}
		}
	}
}

// Reset deletes every stream and its records (POST /_tributary/reset).
func (s *Service) Reset(ctx context.Context) error {
	if err := s.load(); err != nil {
		return err
	}
	s.subs.closeAll()
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, st := range s.streams {
		st.mu.Lock()
		err := s.kv.Update(func(w kv.Writer) error { return w.Delete(streamKey(name)) })
		if err == nil {
			st.deleted = true
			s.forget(st)
			s.removeLogs(st)
			delete(s.streams, name)
		}
		st.mu.Unlock()
		if err != nil {
			return fmt.Errorf("kinesis reset: %w", err)
		}
	}
	return nil
}

// nowMs is the service clock in Unix milliseconds.
func (s *Service) nowMs() int64 { return s.cfg.Now().UnixMilli() }
