package logs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// Config holds what the Logs service needs to know about its deployment.
type Config struct {
	Region    string
	AccountID string
	Logger    *slog.Logger
	// Now is the clock; nil means time.Now. Ingestion times, PutLogEvents'
	// age limits and retention follow it, so tests advance it instead of
	// sleeping.
	Now func() time.Time
	// Destinations resolves subscription-filter destination ARNs (Kinesis
	// streams, Firehose streams, Lambda functions). nil: every destination
	// is unreachable, so PutSubscriptionFilter fails as AWS does.
	Destinations DestinationResolver
	// MaintenanceInterval is how often Start's loop reclaims expired
	// events (0 = one minute).
	MaintenanceInterval time.Duration
	// RetryMin and RetryMax bound the backoff of a subscription whose
	// destination fails (0 = 1 s and 1 min). Real time: a destination that
	// is down is retried whether or not Now moves.
	RetryMin, RetryMax time.Duration
	// PollInterval is how often an idle delivery worker looks for events
	// it was not woken for (0 = 5 s).
	PollInterval time.Duration
}

// Service is the CloudWatch Logs service.
type Service struct {
	kv       kv.Store
	logs     *streamlog.Store
	cfg      Config
	ops      map[string]opFunc
	patterns awsproto.Patterns

	loadOnce sync.Once
	loadErr  error

	mu           sync.RWMutex // guards groups and destinations (the maps)
	groups       map[string]*group
	destinations map[string]*destinationMeta

	delivery *deliveryRunner
	stopLoop context.CancelFunc
	loopDone chan struct{}
}

// New builds the Logs service on the metadata store and the event logs.
func New(meta kv.Store, logs *streamlog.Store, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaintenanceInterval == 0 {
		cfg.MaintenanceInterval = time.Minute
	}
	if cfg.RetryMin == 0 {
		cfg.RetryMin = time.Second
	}
	if cfg.RetryMax == 0 {
		cfg.RetryMax = time.Minute
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 5 * time.Second
	}
	s := &Service{kv: meta, logs: logs, cfg: cfg, patterns: compilePatterns(),
		groups: map[string]*group{}, destinations: map[string]*destinationMeta{}}
	s.delivery = newDeliveryRunner(s)
	s.ops = s.operations()
	return s
}

// Name implements server.Service.
func (s *Service) Name() string { return "logs" }

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
// trimming and one delivery worker per subscription filter.
func (s *Service) Start(ctx context.Context) error {
	if err := s.load(); err != nil {
		return err
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	s.stopLoop = cancel
	s.loopDone = make(chan struct{})
	go s.maintenanceLoop(loopCtx)
	s.delivery.start()
	return nil
}

// Stop ends the background work; delivery workers finish their current
// attempt (their cursors stay where the last success left them).
func (s *Service) Stop(ctx context.Context) error {
	s.delivery.stop()
	if s.stopLoop != nil {
		s.stopLoop()
		select {
		case <-s.loopDone:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.stopLoop = nil
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
				s.cfg.Logger.Error("logs retention", "err", err)
			}
		}
	}
}

// Reset deletes every log group (with its streams, events and filters) and
// every destination (POST /_tributary/reset).
func (s *Service) Reset(ctx context.Context) error {
	if err := s.load(); err != nil {
		return err
	}
	s.mu.RLock()
	names := sortedKeys(s.groups)
	dests := sortedKeys(s.destinations)
	s.mu.RUnlock()
	for _, n := range names {
		if err := s.removeGroup(n, true); err != nil {
			if e := awsproto.As(err); e != nil && e.Code == codeResourceNotFound {
				continue
			}
			return fmt.Errorf("logs reset: %w", err)
		}
	}
	for _, d := range dests {
		if err := s.removeDestination(d); err != nil {
			if e := awsproto.As(err); e != nil && e.Code == codeResourceNotFound {
				continue
			}
			return fmt.Errorf("logs reset: %w", err)
		}
	}
	return nil
}

// nowMs is the service clock in Unix milliseconds.
func (s *Service) nowMs() int64 { return s.cfg.Now().UnixMilli() }

// Key layout in kv (all under "logs/"):
//
//	logs/g/<group name>                 groupMeta (JSON)
//	logs/s/<group id>/<stream name>     streamMeta (JSON)
//	logs/c/<group id>/<filter name>     delivery cursor of a subscription filter (JSON)
//	logs/d/<destination name>           destinationMeta (JSON)
const (
	prefixGroup       = "logs/g/"
	prefixStream      = "logs/s/"
	prefixCursor      = "logs/c/"
	prefixDestination = "logs/d/"
)

func groupKey(name string) []byte { return []byte(prefixGroup + name) }

func streamKey(groupID, name string) []byte { return []byte(prefixStream + groupID + "/" + name) }

func cursorKey(groupID, filter string) []byte { return []byte(prefixCursor + groupID + "/" + filter) }

func destinationKey(name string) []byte { return []byte(prefixDestination + name) }

// prefixEnd is the first key after every key starting with prefix.
func prefixEnd(prefix string) []byte {
	b := []byte(prefix)
	b[len(b)-1]++
	return b
}

// logName names a stream's event log: logs/<group id>/<stream number>.
func logName(groupID string, num uint64) string {
	return fmt.Sprintf("logs/%s/%d", groupID, num)
}

func newID() string {
	var b [10]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// load reads the metadata and opens every stream's log once, rebuilding the
// streams' statistics from their events.
func (s *Service) load() error {
	s.loadOnce.Do(func() { s.loadErr = s.loadAll() })
	return s.loadErr
}

func (s *Service) loadAll() error {
	var groups []groupMeta
	streams := map[string][]streamMeta{}
	var dests []destinationMeta
	err := s.kv.View(func(r kv.Reader) error {
		if err := r.Iterate([]byte(prefixGroup), prefixEnd(prefixGroup), func(k, v []byte) (bool, error) {
			var m groupMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return false, fmt.Errorf("logs: group %q: %w", k, err)
			}
			groups = append(groups, m)
			return true, nil
		}); err != nil {
			return err
		}
		if err := r.Iterate([]byte(prefixStream), prefixEnd(prefixStream), func(k, v []byte) (bool, error) {
			var m streamMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return false, fmt.Errorf("logs: stream %q: %w", k, err)
			}
			streams[m.GroupID] = append(streams[m.GroupID], m)
			return true, nil
		}); err != nil {
			return err
		}
		return r.Iterate([]byte(prefixDestination), prefixEnd(prefixDestination), func(k, v []byte) (bool, error) {
			var m destinationMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return false, fmt.Errorf("logs: destination %q: %w", k, err)
			}
			dests = append(dests, m)
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	for _, gm := range groups {
		g := newGroup(gm)
		if err := g.compileFilters(); err != nil {
			return fmt.Errorf("logs: group %s: %w", gm.Name, err)
		}
		for _, sm := range streams[gm.ID] {
			st, err := s.openStream(gm.ID, sm, gm.PurgedBefore)
			if err != nil {
				return err
			}
			g.addStream(st)
		}
		s.groups[gm.Name] = g
		for _, sub := range g.subs {
			s.delivery.add(g, sub)
		}
	}
	for i := range dests {
		s.destinations[dests[i].Name] = &dests[i]
	}
	return s.removeOrphanLogs()
}

// removeOrphanLogs deletes the event logs no stream names: left by a crash
// between creating a stream's log and committing its metadata, or between
// deleting a group or stream and removing its logs.
func (s *Service) removeOrphanLogs() error {
	names, err := s.logs.Names()
	if err != nil {
		return fmt.Errorf("logs: list event logs: %w", err)
	}
	known := map[string]bool{}
	for _, g := range s.groups {
		for _, st := range g.streams {
			known[logName(g.meta.ID, st.meta.Num)] = true
		}
	}
	for _, n := range names {
		if strings.HasPrefix(n, "logs/") && !known[n] {
			if err := s.logs.Remove(n); err != nil {
				return fmt.Errorf("logs: remove orphan log %s: %w", n, err)
			}
		}
	}
	return nil
}

// openStream opens a stream's log and rebuilds its statistics by reading
// its events once (events before purgedBefore are gone and not counted).
func (s *Service) openStream(groupID string, sm streamMeta, purgedBefore int64) (*logStream, error) {
	l, err := s.logs.Log(logName(groupID, sm.Num))
	if err != nil {
		return nil, fmt.Errorf("logs: open stream %s: %w", sm.Name, err)
	}
	st := &logStream{meta: sm, log: l}
	_, err = l.Read(l.Start(), int(l.End()-l.Start())+1, 1<<62, func(off uint64, rec streamlog.Record) error {
		ts, msg := decodeEvent(rec.Data)
		if ts < purgedBefore {
			return nil
		}
		st.stats.add(ts, rec.Time, int64(len(msg)))
		st.stats.addZone(off, ts)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("logs: read stream %s: %w", sm.Name, err)
	}
	return st, nil
}
