// Package esm runs Lambda's Kinesis event source mappings (spec
// lambda-iam-pii.md §1.7, §3.1): one poller per shard reads records in
// order, batches them (BatchSize, batching window, 6 MB), invokes the
// function synchronously and stores a checkpoint per (mapping, shard) in kv
// after each fully successful batch, so a restart resumes after it
// (at-least-once). Failed batches are retried (with bisection and
// ReportBatchItemFailures) until they succeed or the retry / record-age
// limits discard them. Parent shards are drained before their children.
//
// Mappings and checkpoints live in kv under "lambda/esm/". The package
// knows neither Kinesis nor the Lambda API: internal/app adapts the Kinesis
// service to StreamReader, and internal/lambda implements Invoker.
package esm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Starting positions.
const (
	TrimHorizon = "TRIM_HORIZON"
	Latest      = "LATEST"
	AtTimestamp = "AT_TIMESTAMP"
)

// Mapping states (the API's State field).
const (
	StateCreating  = "Creating"
	StateEnabling  = "Enabling"
	StateEnabled   = "Enabled"
	StateUpdating  = "Updating"
	StateDisabling = "Disabling"
	StateDisabled  = "Disabled"
	StateDeleting  = "Deleting"
)

// LastProcessingResult values (AWS's texts).
const (
	ResultNone    = "No records processed"
	ResultOK      = "OK"
	ResultProblem = "PROBLEM: Function call failed"
)

// Defaults and limits.
const (
	DefaultBatchSize = 100
	// MaxPayloadBytes is the synchronous invocation payload limit: a batch
	// never makes an event larger than this.
	MaxPayloadBytes = 6 << 20
)

// Mapping is an event source mapping's configuration (validated by the
// Lambda API before it gets here).
type Mapping struct {
	UUID, FunctionARN, EventSourceARN string
	BatchSize                         int // 0 = DefaultBatchSize
	MaximumBatchingWindow             time.Duration
	StartingPosition                  string // TRIM_HORIZON | LATEST | AT_TIMESTAMP
	StartingPositionTimestamp         time.Time
	MaximumRetryAttempts              int // -1 infinite
	MaximumRecordAgeSeconds           int // -1 infinite
	BisectBatchOnFunctionError        bool
	ReportBatchItemFailures           bool
	Enabled                           bool
	// ParallelizationFactor is kept and reported; processing is one batch
	// in flight per shard whatever its value (per-key order holds a
	// fortiori; see runner in poller.go).
	ParallelizationFactor int
	RoleARN, Region       string
}

// Record is one stream record.
type Record struct {
	SequenceNumber, PartitionKey string
	Data                         []byte
	ArrivalTime                  time.Time
}

// Shard is one shard of a stream.
type Shard struct {
	ID               string
	ParentIDs        []string
	StartingSequence string
	Closed           bool
}

// ErrStreamNotFound is what StreamReader.Shards wraps when the stream does
// not exist; Put of a new mapping returns it (wrapped) for an unknown
// source, so the API can answer "Stream not found".
var ErrStreamNotFound = errors.New("esm: stream not found")

// ErrNotFound: no mapping with that UUID.
var ErrNotFound = errors.New("esm: event source mapping not found")

// StreamReader is what esm needs from Kinesis (internal/app adapts
// internal/kinesis to it).
type StreamReader interface {
	// Shards lists the stream's shards; a missing stream is an error
	// wrapping ErrStreamNotFound.
	Shards(ctx context.Context, streamARN string) ([]Shard, error)
	// ReadAfter returns records that follow afterSeq (a record's sequence
	// number or the shard's StartingSequence), at most max records and
	// about maxBytes (at least one record if any).
	ReadAfter(ctx context.Context, streamARN, shardID, afterSeq string, max, maxBytes int) ([]Record, error)
	// ReadFromStart reads from the oldest unexpired record.
	ReadFromStart(ctx context.Context, streamARN, shardID string, max, maxBytes int) ([]Record, error)
	// LatestSequence is the newest record's sequence number, "" if none.
	LatestSequence(ctx context.Context, streamARN, shardID string) (string, error)
	// ReadAtTimestamp reads from the first record that arrived at or after ts.
	ReadAtTimestamp(ctx context.Context, streamARN, shardID string, ts time.Time, max, maxBytes int) ([]Record, error)
}

// Invoker invokes a function synchronously (internal/lambda implements it
// over proc). A function error is functionError != "" ("Unhandled"); err is
// for invocations that did not run (throttled, function missing, ctx).
type Invoker interface {
	InvokeSync(ctx context.Context, functionARN string, payload []byte) (result []byte, functionError string, err error)
}

// Config is what the manager needs.
type Config struct {
	Streams StreamReader
	Invoke  Invoker
	KV      kv.Store
	Logger  *slog.Logger
	Now     func() time.Time
	// PollInterval is how often an idle shard is polled (0 = 1 s); shard
	// lists are refreshed every 3 intervals.
	PollInterval time.Duration
	// RetryBackoff is the first wait before retrying a failed batch (0 =
	// 1 s); it doubles per attempt up to 30 times itself.
	RetryBackoff time.Duration
}

// Status is a mapping's runtime state.
type Status struct {
	State                 string // Creating|Enabling|Enabled|Updating|Disabling|Disabled|Deleting
	StateTransitionReason string // "User action"
	LastProcessingResult  string
	LastModified          time.Time
	// DiscardedBatches counts batches given up on (retries or record age
	// exhausted); LastFailure is the last one's OnFailure record (the JSON
	// AWS sends to an OnFailure destination, spec §1.7 point 4). Tributary
	// has no SQS/SNS: the record is logged and kept here.
	DiscardedBatches int
	LastFailure      string
}

// Manager runs every mapping.
type Manager struct {
	cfg Config

	mu       sync.Mutex
	started  bool
	ctx      context.Context // the manager's lifetime, cancelled by Stop
	cancel   context.CancelFunc
	mappings map[string]*entry
}

// entry is one mapping with its status and its running poller.
type entry struct {
	mp     Mapping
	status Status
	run    *runner // nil when not running
}

// New builds a manager; Start runs the stored mappings.
func New(cfg Config) *Manager {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = time.Second
	}
	return &Manager{cfg: cfg, mappings: map[string]*entry{}}
}

// Start loads every stored mapping and resumes the enabled ones from their
// checkpoints.
func (m *Manager) Start(ctx context.Context) error {
	stored, err := m.loadMappings()
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.started {
		return nil
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.started = true
	for _, sm := range stored {
		e := m.mappings[sm.Mapping.UUID]
		if e == nil {
			e = &entry{}
			m.mappings[sm.Mapping.UUID] = e
		}
		e.mp = normalize(sm.Mapping)
		e.status = Status{State: sm.State, StateTransitionReason: "User action", LastProcessingResult: sm.LastProcessingResult,
			LastModified: time.UnixMilli(sm.LastModifiedMs)}
		if e.status.LastProcessingResult == "" {
			e.status.LastProcessingResult = ResultNone
		}
		switch {
		case sm.State == StateDeleting:
			// A crash during Remove: finish it.
			if err := m.deleteStored(sm.Mapping.UUID); err != nil {
				return err
			}
			delete(m.mappings, sm.Mapping.UUID)
		case e.mp.Enabled:
			m.startLocked(e, nil)
		default:
			e.status.State = StateDisabled
		}
	}
	return nil
}

// Stop ends every poller (an invocation in flight is cancelled; its batch
// is not checkpointed and is delivered again after a restart).
func (m *Manager) Stop(ctx context.Context) error {
	m.mu.Lock()
	if !m.started {
		m.mu.Unlock()
		return nil
	}
	m.started = false
	m.cancel()
	var runs []*runner
	for _, e := range m.mappings {
		if e.run != nil {
			runs = append(runs, e.run)
			e.run = nil
		}
	}
	m.mu.Unlock()
	for _, r := range runs {
		if err := r.wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Put creates or updates a mapping and stores it durably. A new mapping
// starts in Creating (then Enabled, or Disabled when not Enabled); its
// event source must exist (else an error wrapping ErrStreamNotFound).
// Updating restarts its pollers from their checkpoints; Enabled false moves
// it through Disabling to Disabled.
func (m *Manager) Put(ctx context.Context, mp Mapping) error {
	if mp.UUID == "" || mp.FunctionARN == "" || mp.EventSourceARN == "" {
		return errors.New("esm: mapping needs UUID, FunctionARN and EventSourceARN")
	}
	switch mp.StartingPosition {
	case TrimHorizon, Latest, AtTimestamp:
	default:
		return fmt.Errorf("esm: invalid starting position %q", mp.StartingPosition)
	}
	mp = normalize(mp)
	m.mu.Lock()
	_, exists := m.mappings[mp.UUID]
	m.mu.Unlock()
	if !exists {
		if _, err := m.cfg.Streams.Shards(ctx, mp.EventSourceARN); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.mappings[mp.UUID]
	now := m.cfg.Now()
	var old *runner
	if e == nil {
		e = &entry{status: Status{State: StateCreating, LastProcessingResult: ResultNone}}
	} else {
		if e.status.State == StateDeleting {
			return ErrNotFound
		}
		old = e.run
		e.run = nil
		switch {
		case !mp.Enabled:
			e.status.State = StateDisabling
		case !e.mp.Enabled:
			e.status.State = StateEnabling
		default:
			e.status.State = StateUpdating
		}
	}
	e.status.StateTransitionReason = "User action"
	e.status.LastModified = now
	prev := e.mp
	e.mp = mp
	if err := m.storeMapping(e); err != nil {
		e.mp = prev
		if old != nil {
			e.run = old // unchanged: keep running
		}
		return err
	}
	m.mappings[mp.UUID] = e
	if old != nil {
		old.stop()
	}
	if !mp.Enabled {
		go m.settleDisabled(e, old)
		return nil
	}
	if m.started {
		m.startLocked(e, old)
	}
	return nil
}

// settleDisabled moves a mapping from Disabling to Disabled once its old
// poller has stopped.
func (m *Manager) settleDisabled(e *entry, old *runner) {
	if old != nil {
		old.wait(context.Background())
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.status.State == StateDisabling || e.status.State == StateCreating {
		e.status.State = StateDisabled
		e.status.LastModified = m.cfg.Now()
		if err := m.storeMapping(e); err != nil {
			m.cfg.Logger.Error("esm: store mapping state", "uuid", e.mp.UUID, "err", err)
		}
	}
}

// startLocked runs a poller for e once the previous one (prev, if any)
// has stopped, so a shard never has two. The caller holds m.mu and
// m.started is true.
func (m *Manager) startLocked(e *entry, prev *runner) {
	r := newRunner(m, e.mp)
	e.run = r
	go func() {
		if prev != nil {
			prev.wait(context.Background())
		}
		r.run(m.ctx, func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if e.run == r && e.status.State != StateEnabled {
				e.status.State = StateEnabled
				e.status.LastModified = m.cfg.Now()
				if err := m.storeMapping(e); err != nil {
					m.cfg.Logger.Error("esm: store mapping state", "uuid", e.mp.UUID, "err", err)
				}
			}
		})
	}()
}

// Remove deletes a mapping: it goes to Deleting, its pollers stop, and its
// configuration and checkpoints leave kv.
func (m *Manager) Remove(ctx context.Context, uuid string) error {
	m.mu.Lock()
	e := m.mappings[uuid]
	if e == nil || e.status.State == StateDeleting {
		m.mu.Unlock()
		return ErrNotFound
	}
	e.status.State = StateDeleting
	e.status.LastModified = m.cfg.Now()
	if err := m.storeMapping(e); err != nil {
		m.mu.Unlock()
		return err
	}
	r := e.run
	e.run = nil
	m.mu.Unlock()
	go func() {
		if r != nil {
			r.stop()
			r.wait(context.Background())
		}
		if err := m.deleteStored(uuid); err != nil {
			m.cfg.Logger.Error("esm: delete mapping", "uuid", uuid, "err", err)
			return // stays Deleting; the next Start finishes it
		}
		m.mu.Lock()
		if m.mappings[uuid] == e {
			delete(m.mappings, uuid)
		}
		m.mu.Unlock()
	}()
	return nil
}

// Get returns a mapping and its status.
func (m *Manager) Get(uuid string) (Mapping, Status, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.mappings[uuid]
	if e == nil {
		return Mapping{}, Status{}, false
	}
	return e.mp, e.status, true
}

// List returns every mapping (Deleting ones included until they are gone),
// ordered by UUID.
func (m *Manager) List() []Mapping {
	m.mu.Lock()
	out := make([]Mapping, 0, len(m.mappings))
	for _, e := range m.mappings {
		out = append(out, e.mp)
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out
}

// setResult records a batch outcome in the mapping's status.
func (m *Manager) setResult(uuid, result string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.mappings[uuid]; e != nil {
		e.status.LastProcessingResult = result
	}
}

// recordDiscard keeps a discarded batch's OnFailure record in the status.
func (m *Manager) recordDiscard(uuid, record string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.mappings[uuid]; e != nil {
		e.status.DiscardedBatches++
		e.status.LastFailure = record
	}
}

func normalize(mp Mapping) Mapping {
	if mp.BatchSize <= 0 {
		mp.BatchSize = DefaultBatchSize
	}
	if mp.ParallelizationFactor <= 0 {
		mp.ParallelizationFactor = 1
	}
	mp.StartingPositionTimestamp = mp.StartingPositionTimestamp.UTC()
	return mp
}
