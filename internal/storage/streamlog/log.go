package streamlog

import (
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// indexInterval is the spacing, in segment bytes, of the sparse index: a
// lookup reads at most this much past its index entry (plus one batch).
const indexInterval = 32 << 10

// Log is one append-only log. Its methods are safe for concurrent use.
type Log struct {
	s    *Store
	name string
	dir  string

	mu sync.Mutex
	// What readers see: durable (acknowledged) records only.
	segs    []*segment // oldest first, contiguous; never empty
	end     uint64     // offset after the last durable record
	changed chan struct{}
	closed  bool
	err     error // sticky: a write or fsync failed; the log refuses appends until reopened

	// The append side: offsets and bytes assigned, durable or not yet.
	next      uint64   // next offset to assign
	lastTime  int64    // Time of the last assigned record (or the floor)
	writeSeg  *segment // segment appends go to; may not exist on disk yet
	writeSize int64    // its size including pending batches
	pend      *round   // batches waiting for the committer; nil when none
	last      *round   // the most recent round (to wait for on close)
	spare     []byte   // a write buffer returned by the committer
}

// segment is one segment file. Fields other than base and path are guarded
// by Log.mu and describe durable contents only.
type segment struct {
	base uint64
	path string
	f    *os.File // set by the committer for a segment created by a roll

	size      int64  // bytes of durable batches (header included)
	end       uint64 // offset after its last durable record
	firstTime int64  // Time of its first record (when end > base)
	lastTime  int64  // Time of its last record (when end > base)
	index     []indexEntry
	refs      int  // readers using f
	dropped   bool // trimmed or closed: close f when refs reaches 0
}

// indexEntry locates a batch: the first batch of a segment, then one at
// least every indexInterval bytes.
type indexEntry struct {
	off  uint64 // the batch's first offset
	pos  int64  // its position in the segment file
	time int64  // its first record's Time
}

func (seg *segment) empty() bool { return seg.end == seg.base }

// addBatch records a durable batch at pos.
func (seg *segment) addBatch(h *batchHeader, pos int64) {
	if seg.empty() {
		seg.firstTime = h.firstTime
	}
	if n := len(seg.index); n == 0 || pos-seg.index[n-1].pos >= indexInterval {
		seg.index = append(seg.index, indexEntry{off: h.firstOff, pos: pos, time: h.firstTime})
	}
	seg.size = pos + h.size()
	seg.end = h.end()
	seg.lastTime = h.lastTime
}

// release drops a reader's reference; Log.mu held.
func (seg *segment) release() {
	seg.refs--
	if seg.refs == 0 && seg.dropped && seg.f != nil {
		seg.f.Close()
	}
}

// drop marks the segment unused by the log; its file closes once no reader
// holds it. Log.mu held.
func (seg *segment) drop() {
	seg.dropped = true
	if seg.refs == 0 && seg.f != nil {
		seg.f.Close()
	}
}

// Name is the log's name.
func (l *Log) Name() string { return l.name }

// Append adds recs as one batch and returns the offset of recs[0]. Offsets
// are dense and never reused. It returns once the batch is fsynced (unless
// Options.NoSync), sharing the fsync with concurrent Appends to every log of
// the Store. After a crash an unacknowledged Append is wholly present or
// wholly absent. Each record's Time is clamped to be at least the previous
// record's. Appending nothing returns the next offset to be assigned.
func (l *Log) Append(recs []Record) (first uint64, err error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return 0, ErrClosed
	}
	if l.err != nil {
		err := l.err
		l.mu.Unlock()
		return 0, err
	}
	first = l.next
	if len(recs) == 0 {
		l.mu.Unlock()
		return first, nil
	}
	size, lastTime, err := measureBatch(recs, l.lastTime)
	if err != nil {
		l.mu.Unlock()
		return 0, err
	}
	r := l.pend
	if r == nil {
		r = &round{done: make(chan struct{})}
		l.pend, l.last = r, r
		l.s.commit.enqueue(l)
	}
	if l.writeSize > segHeaderSize && l.writeSize+size > l.s.opts.SegmentBytes {
		// Roll. The committer creates the file after syncing the old one.
		seg := &segment{base: first, end: first, path: filepath.Join(l.dir, segName(first))}
		l.writeSeg, l.writeSize = seg, segHeaderSize
		r.chunks = append(r.chunks, chunk{seg: seg, create: true, buf: appendSegHeader(l.takeBuf(), first, l.lastTime)})
	} else if n := len(r.chunks); n == 0 || r.chunks[n-1].seg != l.writeSeg {
		r.chunks = append(r.chunks, chunk{seg: l.writeSeg, pos: l.writeSize, buf: l.takeBuf()})
	}
	c := &r.chunks[len(r.chunks)-1]
	pos := c.pos + int64(len(c.buf))
	c.buf = appendBatch(c.buf, first, recs, l.lastTime, size, lastTime)
	r.batches = append(r.batches, pendingBatch{seg: l.writeSeg, pos: pos, chunk: len(r.chunks) - 1})
	l.next += uint64(len(recs))
	l.lastTime = lastTime
	l.writeSize += size
	l.mu.Unlock()

	<-r.done
	if r.err != nil {
		return 0, r.err
	}
	return first, nil
}

func (l *Log) takeBuf() []byte {
	b := l.spare
	l.spare = nil
	return b[:0]
}

// Start is the oldest offset the log still holds (End() when it holds none).
func (l *Log) Start() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.segs[0].base
}

// End is the offset after the last acknowledged record: the next offset to
// be assigned when no Append is in flight.
func (l *Log) End() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.end
}

// Changed returns a channel closed at the next successful Append (when its
// records become readable), or when the log is closed or removed.
func (l *Log) Changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changed
}

// TrimBefore deletes whole segment files whose records all have Time < t,
// the active segment too once all of it has expired (End() is kept: an empty
// segment starting at End() replaces it). Start() advances. It returns how
// many segment files it deleted.
func (l *Log) TrimBefore(t int64) (segments int, err error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return 0, ErrClosed
	}
	if l.err != nil {
		err := l.err
		l.mu.Unlock()
		return 0, err
	}
	idle := l.next == l.end // nothing pending or being written
	n := 0
	for n < len(l.segs) {
		seg := l.segs[n]
		if seg.empty() || seg.lastTime >= t || (n == len(l.segs)-1 && !idle) {
			break
		}
		n++
	}
	if n == 0 {
		l.mu.Unlock()
		return 0, nil
	}
	if n == len(l.segs) {
		// Everything expired: a fresh segment keeps End() and the time floor.
		f, err := l.s.createSegmentFile(l.dir, l.end, l.lastTime)
		if err != nil {
			l.mu.Unlock()
			return 0, err
		}
		seg := &segment{base: l.end, end: l.end, path: filepath.Join(l.dir, segName(l.end)), f: f, size: segHeaderSize}
		l.segs = append(l.segs, seg)
		l.writeSeg, l.writeSize = seg, segHeaderSize
	}
	trimmed := append([]*segment(nil), l.segs[:n]...)
	l.segs = append([]*segment(nil), l.segs[n:]...)
	for _, seg := range trimmed {
		seg.drop()
	}
	l.mu.Unlock()
	// Oldest first, so a crash leaves a contiguous suffix.
	for _, seg := range trimmed {
		if err := os.Remove(seg.path); err != nil {
			return 0, err
		}
	}
	return n, l.s.syncDir(l.dir)
}

// shut closes the log: later calls answer ErrClosed. It waits for the
// log's last round of appends and closes its files.
func (l *Log) shut() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	last := l.last
	l.mu.Unlock()
	if last != nil {
		<-last.done
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, seg := range l.segs {
		seg.drop()
	}
	if l.writeSeg != l.segs[len(l.segs)-1] && l.writeSeg.f != nil {
		l.writeSeg.drop() // created by a roll whose round failed
	}
	close(l.changed)
}

// locate finds the segment holding off (Start() <= off < End()) and the
// position of the indexed batch at or before it. Log.mu held.
func (l *Log) locate(off uint64) (*segment, int64) {
	i := sort.Search(len(l.segs), func(i int) bool { return l.segs[i].base > off }) - 1
	seg := l.segs[max(i, 0)]
	j := sort.Search(len(seg.index), func(j int) bool { return seg.index[j].off > off }) - 1
	if j < 0 {
		return seg, segHeaderSize
	}
	return seg, seg.index[j].pos
}
