package kinesis

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// Metadata keys in kv. A stream's whole metadata (shards, lineage,
// consumers, tags) is one JSON value, so every change to it — a reshard
// included — is one atomic kv Update.
const (
	keyPrefix      = "kinesis/"
	keyStreams     = keyPrefix + "streams/"
	keyIteratorKey = keyPrefix + "iterator-key"
)

func streamKey(name string) []byte { return []byte(keyStreams + name) }

// streamMeta is a stream as persisted.
type streamMeta struct {
	Name      string `json:"name"`
	ID        string `json:"id"` // StreamId; names the stream's log directory
	CreatedMs int64  `json:"created"`
	// Status is CREATING or UPDATING until PendingUntil (Unix ms), ACTIVE
	// after; the transition is computed, never written.
	Status         string            `json:"status"`
	PendingUntil   int64             `json:"pendingUntil"`
	Mode           string            `json:"mode"`
	RetentionHours int               `json:"retentionHours"`
	NextShardIndex int               `json:"nextShard"`
	Shards         []shardMeta       `json:"shards"`
	EncryptionType string            `json:"encryption,omitempty"`
	KeyID          string            `json:"keyId,omitempty"`
	Metrics        []string          `json:"metrics,omitempty"`
	MaxRecordKiB   int               `json:"maxRecordKiB"`
	Tags           map[string]string `json:"tags,omitempty"`
	Consumers      []consumerMeta    `json:"consumers,omitempty"`
	ModeChanges    []int64           `json:"modeChanges,omitempty"` // UpdateStreamMode times (Unix ms)
	Scalings       []int64           `json:"scalings,omitempty"`    // UpdateShardCount times (Unix ms)
}

// shardMeta is a shard as persisted. Parent indexes are -1 when absent.
type shardMeta struct {
	Index          int    `json:"index"`
	Parent         int    `json:"parent"`
	AdjacentParent int    `json:"adjacentParent"`
	Start          string `json:"start"` // decimal hash keys
	End            string `json:"end"`
	CreatedMs      int64  `json:"created"`
	ClosedMs       int64  `json:"closed,omitempty"` // 0 while open
	// EndOffset is the log's End() when the shard closed: its records are
	// offsets [0, EndOffset).
	EndOffset uint64 `json:"endOffset,omitempty"`
}

func (m *shardMeta) open() bool { return m.ClosedMs == 0 }

// consumerMeta is an enhanced fan-out consumer as persisted.
type consumerMeta struct {
	Name      string            `json:"name"`
	CreatedMs int64             `json:"created"`
	Tags      map[string]string `json:"tags,omitempty"`
}

func (m *streamMeta) status(now int64) string {
	if m.Status != statusActive && now >= m.PendingUntil {
		return statusActive
	}
	return m.Status
}

func (m *streamMeta) clone() streamMeta {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // plain data always marshals
	}
	var c streamMeta
	if err := json.Unmarshal(b, &c); err != nil {
		panic(err)
	}
	return c
}

func (m *streamMeta) shard(index int) *shardMeta {
	i := sort.Search(len(m.Shards), func(i int) bool { return m.Shards[i].Index >= index })
	if i < len(m.Shards) && m.Shards[i].Index == index {
		return &m.Shards[i]
	}
	return nil
}

func (m *streamMeta) openShardCount() int {
	n := 0
	for i := range m.Shards {
		if m.Shards[i].open() {
			n++
		}
	}
	return n
}

// addShard appends a new open shard (indexes only grow, so Shards stays sorted).
func (m *streamMeta) addShard(parent, adjacent int, start, end hashKey, now int64) *shardMeta {
	m.Shards = append(m.Shards, shardMeta{Index: m.NextShardIndex, Parent: parent, AdjacentParent: adjacent,
		Start: start.String(), End: end.String(), CreatedMs: now})
	m.NextShardIndex++
	return &m.Shards[len(m.Shards)-1]
}

const (
	statusCreating = "CREATING"
	statusActive   = "ACTIVE"
	statusUpdating = "UPDATING"

	modeProvisioned = "PROVISIONED"
	modeOnDemand    = "ON_DEMAND"
)

func shardID(index int) string { return fmt.Sprintf("shardId-%012d", index) }

// parseShardID returns the index of "shardId-NNNNNNNNNNNN"; AWS also
// accepts the bare number's shard name with fewer digits, so any decimal
// suffix is read.
func parseShardID(id string) (int, bool) {
	rest, ok := strings.CutPrefix(id, "shardId-")
	if !ok || rest == "" || len(rest) > 12 {
		return 0, false
	}
	n := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// stream is a stream in memory: its metadata plus the runtime state of its
// shards. mu is held shared by every data-path operation for its whole
// duration (appends included) and exclusively by metadata changes, so a
// reshard never races an append into the shard it closes.
type stream struct {
	mu      sync.RWMutex
	meta    streamMeta
	shards  map[int]*shardRT
	open    []*shardRT // open shards by starting hash key, for routing
	deleted bool
	// openCount is len(open), readable without mu (the account's shard
	// count is summed while one stream is locked for a reshard).
	openCount atomic.Int64
}

// shardRT is a shard's runtime state.
type shardRT struct {
	meta       *shardMeta // points into stream.meta.Shards; replaced under stream.mu
	id         string
	streamName string
	start, end hashKey
	log        *streamlog.Log
	limits     *shardLimits // nil when throttling is off
	answerHint atomic.Int64 // size of the last GetRecords answer, to presize the next
	// closed is closed when the shard closes (split, merge, rescale), so
	// subscriptions waiting on it send their final event at once.
	closed       chan struct{}
	closedMarked bool // guarded by stream.mu
}

// logName is the streamlog holding a shard's records.
func logName(streamID string, index int) string {
	return "kinesis/" + streamID + "/" + shardID(index)
}

// apply installs m as the stream's metadata, opening logs of new shards.
// The caller holds st.mu exclusively (or owns st alone).
func (s *Service) apply(st *stream, m streamMeta) error {
	if st.shards == nil {
		st.shards = map[int]*shardRT{}
	}
	st.meta = m
	seen := make(map[int]bool, len(m.Shards))
	open := st.open[:0:0]
	for i := range st.meta.Shards {
		sm := &st.meta.Shards[i]
		seen[sm.Index] = true
		rt := st.shards[sm.Index]
		if rt == nil {
			start, ok1 := parseHashKey(sm.Start)
			end, ok2 := parseHashKey(sm.End)
			if !ok1 || !ok2 {
				return fmt.Errorf("kinesis: stream %s shard %d: bad hash range %q..%q", m.Name, sm.Index, sm.Start, sm.End)
			}
			lg, err := s.logs.Log(logName(m.ID, sm.Index))
			if err != nil {
				return fmt.Errorf("kinesis: open log of %s/%s: %w", m.Name, shardID(sm.Index), err)
			}
			rt = &shardRT{id: shardID(sm.Index), streamName: m.Name, start: start, end: end, log: lg, closed: make(chan struct{})}
			if s.cfg.Throttle {
				rt.limits = newShardLimits()
			}
			st.shards[sm.Index] = rt
		}
		rt.meta = sm
		if sm.open() {
			open = append(open, rt)
		} else if !rt.closedMarked {
			rt.closedMarked = true
			close(rt.closed)
		}
	}
	for idx := range st.shards {
		if !seen[idx] {
			delete(st.shards, idx)
		}
	}
	sort.Slice(open, func(i, j int) bool { return open[i].start.less(open[j].start) })
	st.open = open
	old := st.openCount.Swap(int64(len(open)))
	s.openTotal.Add(int64(len(open)) - old)
	return nil
}

// commit persists m and installs it. The caller holds st.mu exclusively.
func (s *Service) commit(st *stream, m streamMeta) error {
	data, err := json.Marshal(&m)
	if err != nil {
		return err
	}
	if err := s.kv.Update(func(w kv.Writer) error { return w.Put(streamKey(m.Name), data) }); err != nil {
		return fmt.Errorf("kinesis: store stream %s: %w", m.Name, err)
	}
	return s.apply(st, m)
}

// route returns the open shard whose hash range holds h. The caller holds
// st.mu shared.
func (st *stream) route(h hashKey) *shardRT {
	open := st.open
	i := sort.Search(len(open), func(i int) bool { return h.less(open[i].start) }) - 1
	if i < 0 || open[i].end.less(h) {
		return nil // cannot happen: open shards cover the whole space
	}
	return open[i]
}

// load reads every stream's metadata and the iterator key (once), and
// removes logs no stream owns (a crash between a metadata delete and the
// log removal leaves them).
func (s *Service) load() error {
	s.loadOnce.Do(func() { s.loadErr = s.loadState() })
	return s.loadErr
}

func (s *Service) loadState() error {
	var metas []streamMeta
	err := s.kv.View(func(r kv.Reader) error {
		key, err := r.Get([]byte(keyIteratorKey))
		if err == nil {
			s.iterKey = append([]byte(nil), key...)
		} else if !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		start := []byte(keyStreams)
		end := []byte(keyStreams[:len(keyStreams)-1] + "0") // '/'+1
		return r.Iterate(start, end, func(_, v []byte) (bool, error) {
			var m streamMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return false, err
			}
			metas = append(metas, m)
			return true, nil
		})
	})
	if err != nil {
		return fmt.Errorf("kinesis: load metadata: %w", err)
	}
	if s.iterKey == nil {
		key := make([]byte, 32)
		rand.Read(key)
		if err := s.kv.Update(func(w kv.Writer) error { return w.Put([]byte(keyIteratorKey), key) }); err != nil {
			return fmt.Errorf("kinesis: store iterator key: %w", err)
		}
		s.iterKey = key
	}
	owned := map[string]bool{}
	for _, m := range metas {
		st := &stream{}
		if err := s.apply(st, m); err != nil {
			return err
		}
		s.streams[m.Name] = st
		owned[m.ID] = true
	}
	names, err := s.logs.Names()
	if err != nil {
		return fmt.Errorf("kinesis: list logs: %w", err)
	}
	for _, n := range names {
		parts := strings.Split(n, "/")
		if len(parts) == 3 && parts[0] == "kinesis" && !owned[parts[1]] {
			if err := s.logs.Remove(n); err != nil {
				return fmt.Errorf("kinesis: remove orphan log %s: %w", n, err)
			}
		}
	}
	return nil
}

// forget drops a deleted stream's open shards from the account's count.
// The caller holds st.mu exclusively.
func (s *Service) forget(st *stream) {
	s.openTotal.Add(-st.openCount.Swap(0))
}

// removeLogs deletes a deleted stream's logs; failures leave orphans that
// the next start removes.
func (s *Service) removeLogs(st *stream) {
	for idx := range st.shards {
		name := logName(st.meta.ID, idx)
		if err := s.logs.Remove(name); err != nil {
			s.cfg.Logger.Warn("kinesis: remove log", "log", name, "err", err)
		}
	}
}

// newStreamID returns a StreamId ([a-z0-9]{20}-[a-z0-9]{3}).
func newStreamID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 24)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	b[20] = '-'
	return string(b)
}
