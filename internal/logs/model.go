package logs

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/tributary-dev/tributary/internal/logs/filterpattern"
	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// groupMeta is a log group's durable metadata (kv logs/g/<name>).
type groupMeta struct {
	Name               string            `json:"name"`
	ID                 string            `json:"id"` // names the group's event logs
	Created            int64             `json:"created"`
	RetentionDays      int32             `json:"retentionDays,omitempty"`
	KmsKeyID           string            `json:"kmsKeyId,omitempty"`
	Class              string            `json:"class,omitempty"`
	DeletionProtection bool              `json:"deletionProtection,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	// NextStream numbers the next stream created; numbers are never
	// reused, so event ids (stream number + offset) are unique per group.
	NextStream uint64 `json:"nextStream"`
	// PurgedBefore: events with a timestamp before it were expired by
	// retention and are gone for good, even if retention is later removed
	// or their segment file outlived the trim.
	PurgedBefore  int64              `json:"purgedBefore,omitempty"`
	Subscriptions []subscriptionMeta `json:"subscriptions,omitempty"`
	MetricFilters []metricFilterMeta `json:"metricFilters,omitempty"`
}

// maxRegexFilters: AWS allows five metric and subscription filters that use
// a %regex% per log group.
const maxRegexFilters = 5

// checkRegexQuota fails with LimitExceededException when adding (or
// updating to) a regex filter would give the group more than
// maxRegexFilters. kind and name identify the filter being put, which does
// not count against itself.
func (m groupMeta) checkRegexQuota(p *filterpattern.Pattern, kind, name string) error {
	if !p.UsesRegex() {
		return nil
	}
	n := 0
	count := func(k, filterName, pattern string) {
		if k == kind && filterName == name {
			return
		}
		if q, err := filterpattern.Compile(pattern); err == nil && q.UsesRegex() {
			n++
		}
	}
	for _, f := range m.Subscriptions {
		count("subscription", f.Name, f.Pattern)
	}
	for _, f := range m.MetricFilters {
		count("metric", f.Name, f.Pattern)
	}
	if n >= maxRegexFilters {
		return errLimitExceeded()
	}
	return nil
}

func (m groupMeta) clone() groupMeta {
	c := m
	if m.Tags != nil {
		c.Tags = make(map[string]string, len(m.Tags))
		for k, v := range m.Tags {
			c.Tags[k] = v
		}
	}
	c.Subscriptions = append([]subscriptionMeta(nil), m.Subscriptions...)
	c.MetricFilters = append([]metricFilterMeta(nil), m.MetricFilters...)
	return c
}

const dayMs = 24 * 60 * 60 * 1000

// cutoff is the oldest visible event timestamp at now: events before it
// have expired (retention) or been purged.
func (m *groupMeta) cutoff(now int64) int64 {
	c := m.PurgedBefore
	if m.RetentionDays > 0 {
		if r := now - int64(m.RetentionDays)*dayMs; r > c {
			c = r
		}
	}
	return c
}

// streamMeta is a log stream's durable metadata (kv logs/s/<group id>/<name>).
type streamMeta struct {
	GroupID string `json:"groupId"`
	Name    string `json:"name"`
	Num     uint64 `json:"num"`
	Created int64  `json:"created"`
}

// group is a log group in memory. mu guards meta, streams and subs;
// PutLogEvents holds it shared while it appends, so changes that must see
// a quiet group (subscription creation snapshots the streams' ends,
// deletions remove logs) take it exclusively.
type group struct {
	mu      sync.RWMutex
	meta    groupMeta
	streams map[string]*logStream
	byNum   map[uint64]*logStream
	subs    []*subscription
	deleted bool
}

func newGroup(m groupMeta) *group {
	return &group{meta: m, streams: map[string]*logStream{}, byNum: map[uint64]*logStream{}}
}

func (g *group) addStream(st *logStream) {
	g.streams[st.meta.Name] = st
	g.byNum[st.meta.Num] = st
}

func (g *group) removeStream(st *logStream) {
	delete(g.streams, st.meta.Name)
	delete(g.byNum, st.meta.Num)
}

// sortedStreams returns the group's streams by name; the caller holds g.mu.
func (g *group) sortedStreams() []*logStream {
	out := make([]*logStream, 0, len(g.streams))
	for _, st := range g.streams {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].meta.Name < out[j].meta.Name })
	return out
}

// logStream is a log stream in memory: its metadata, its event log and
// the statistics DescribeLogStreams and DescribeLogGroups report.
type logStream struct {
	meta streamMeta
	log  *streamlog.Log

	mu    sync.Mutex // guards stats
	stats streamStats
}

// Event framing in a stream's log: Record.Time is the ingestion time (Unix
// ms, as streamlog clamps it: non-decreasing within the stream), and
// Record.Data is the event's timestamp as 8 bytes big-endian (two's
// complement) followed by the message bytes (UTF-8, as received).
const eventHeaderBytes = 8

func decodeEvent(data []byte) (ts int64, msg []byte) {
	return int64(binary.BigEndian.Uint64(data)), data[eventHeaderBytes:]
}

// eventID is the event's 56-digit decimal id: the event timestamp (18
// digits, so ids sort roughly by time as AWS's do), the stream number (18)
// and the offset in the stream's log (20). Unique per group because stream
// numbers are never reused in a group.
func eventID(num, off uint64, ts int64) string {
	if ts < 0 {
		ts = 0
	}
	var b [56]byte
	putDigits(b[0:18], uint64(ts)%1e18)
	putDigits(b[18:36], num%1e18)
	putDigits(b[36:56], off)
	return string(b[:])
}

// putDigits writes n in decimal, zero-padded to fill dst (n must fit).
func putDigits(dst []byte, n uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
}

// streamStats are a stream's event statistics, rebuilt from its log on
// load and kept up to date by PutLogEvents.
type streamStats struct {
	count      int64
	first      int64 // oldest event timestamp
	last       int64 // newest event timestamp
	lastIngest int64
	bytes      int64 // message bytes of the events counted in buckets
	// buckets hold message bytes by event-timestamp interval (sorted by
	// start), so storedBytes can leave out expired events. The interval
	// starts at one minute and doubles whenever there are more than
	// maxBuckets, bounding memory per stream.
	buckets  []timeBucket
	bucketMs int64
	// zones hold the event-timestamp range of each zoneEvents offsets of
	// the log (zone i covers offsets [i*zoneEvents, (i+1)*zoneEvents)), so
	// FilterLogEvents skips blocks that cannot hold an event of its range
	// or past its token. zonedEnd is the offset after the last event
	// counted; blocks from there on are always read.
	zones    []zone
	zonedEnd uint64
}

type zone struct{ min, max int64 }

const zoneEvents = 4096

// addZone counts the event at off with timestamp ts in its zone.
func (st *streamStats) addZone(off uint64, ts int64) {
	i := int(off / zoneEvents)
	for len(st.zones) <= i {
		st.zones = append(st.zones, zone{min: 1<<63 - 1, max: -1 << 63})
	}
	z := &st.zones[i]
	z.min, z.max = min(z.min, ts), max(z.max, ts)
	st.zonedEnd = max(st.zonedEnd, off+1)
}

type timeBucket struct{ start, bytes int64 }

const (
	initialBucketMs = 60_000
	maxBuckets      = 1024
)

func (st *streamStats) add(ts, ingest, n int64) {
	if st.count == 0 || ts < st.first {
		st.first = ts
	}
	if st.count == 0 || ts > st.last {
		st.last = ts
	}
	if ingest > st.lastIngest {
		st.lastIngest = ingest
	}
	st.count++
	st.bytes += n
	if st.bucketMs == 0 {
		st.bucketMs = initialBucketMs
	}
	start := floorDiv(ts, st.bucketMs) * st.bucketMs
	if k := len(st.buckets); k > 0 && st.buckets[k-1].start == start {
		st.buckets[k-1].bytes += n
		return
	}
	i := sort.Search(len(st.buckets), func(i int) bool { return st.buckets[i].start >= start })
	if i < len(st.buckets) && st.buckets[i].start == start {
		st.buckets[i].bytes += n
		return
	}
	st.buckets = append(st.buckets, timeBucket{})
	copy(st.buckets[i+1:], st.buckets[i:])
	st.buckets[i] = timeBucket{start: start, bytes: n}
	if len(st.buckets) > maxBuckets {
		st.coarsen()
	}
}

// coarsen doubles the bucket interval, merging neighbours.
func (st *streamStats) coarsen() {
	st.bucketMs *= 2
	out := st.buckets[:0]
	for _, b := range st.buckets {
		b.start = floorDiv(b.start, st.bucketMs) * st.bucketMs
		if k := len(out); k > 0 && out[k-1].start == b.start {
			out[k-1].bytes += b.bytes
			continue
		}
		out = append(out, b)
	}
	st.buckets = out
}

// storedBytes is the message bytes of events whose bucket is not wholly
// before cutoff (an event is counted until its whole bucket expires).
func (st *streamStats) storedBytes(cutoff int64) int64 {
	n := st.bytes
	for _, b := range st.buckets {
		if b.start+st.bucketMs > cutoff {
			break
		}
		n -= b.bytes
	}
	return n
}

// purge drops the buckets wholly before cutoff.
func (st *streamStats) purge(cutoff int64) {
	i := 0
	for i < len(st.buckets) && st.buckets[i].start+st.bucketMs <= cutoff {
		st.bytes -= st.buckets[i].bytes
		i++
	}
	st.buckets = append(st.buckets[:0], st.buckets[i:]...)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// commitGroup writes m (and whatever extra writes) in one transaction and
// then installs m; the caller holds g.mu exclusively.
func (s *Service) commitGroup(g *group, m groupMeta, extra func(w kv.Writer) error) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	err = s.kv.Update(func(w kv.Writer) error {
		if err := w.Put(groupKey(m.Name), data); err != nil {
			return err
		}
		if extra != nil {
			return extra(w)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("logs: commit group %s: %w", m.Name, err)
	}
	g.meta = m
	return nil
}

// Paging tokens of the Describe operations: the last name returned,
// base64url-encoded with a kind prefix so a token of another listing is
// refused.
func encodePageToken(kind, last string) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(kind + "\x00" + last))
	return &t
}

func decodePageToken(kind string, token *string) (string, error) {
	if token == nil {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil {
		return "", errInvalidToken()
	}
	last, ok := strings.CutPrefix(string(raw), kind+"\x00")
	if !ok {
		return "", errInvalidToken()
	}
	return last, nil
}
