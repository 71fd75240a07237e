package streamlog

import (
	"fmt"
	"math"
)

// readAhead is how much a Read asks of the file at a time: large enough to
// amortise the syscall over many small records.
const readAhead = 1 << 20

// readBuf is a reader's window buffer, pooled per Store.
type readBuf struct{ b []byte }

func (s *Store) getReader(seg *segment, size int64, ahead int) segReader {
	rb, _ := s.bufs.Get().(*readBuf)
	if rb == nil {
		rb = &readBuf{}
	}
	return segReader{f: seg.f, size: size, readAhead: ahead, buf: rb.b, pooled: rb}
}

func (s *Store) putReader(r *segReader) {
	if cap(r.buf) <= 4*readAhead {
		r.pooled.b = r.buf
		s.bufs.Put(r.pooled)
	}
}

// Read calls fn for records in offset order from max(from, Start()) until
// End() as of the call, maxRecords records, or until the next record's Data
// would push the total over maxBytes; at least one record is given if any is
// held. maxRecords or maxBytes <= 0 means no limit. rec.Data is valid only
// during fn. It returns the offset after the last record given (for which fn
// returned nil); an error from fn stops the read and is returned. Safe to
// call concurrently with Append.
func (l *Log) Read(from uint64, maxRecords, maxBytes int, fn func(off uint64, rec Record) error) (next uint64, err error) {
	if maxRecords <= 0 {
		maxRecords = math.MaxInt
	}
	if maxBytes <= 0 {
		maxBytes = math.MaxInt
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return from, ErrClosed
	}
	end := l.end
	from = max(from, l.segs[0].base)
	if from >= end {
		l.mu.Unlock()
		return from, nil
	}
	seg, pos := l.locate(from)
	seg.refs++
	ahead := readAhead
	if maxBytes < readAhead/2 {
		ahead = max(maxBytes*2, 64<<10) // a small read needs little of the file
	}
	r := l.s.getReader(seg, seg.size, ahead)
	l.mu.Unlock()
	defer l.s.putReader(&r)

	next = from
	given, bytes := 0, 0
	for next < end && given < maxRecords {
		if pos >= r.size { // on to the next segment, which starts at next
			l.mu.Lock()
			seg.release()
			if l.closed {
				l.mu.Unlock()
				return next, ErrClosed
			}
			seg, pos = l.locate(next)
			seg.refs++
			r.f, r.size, r.n = seg.f, seg.size, 0
			l.mu.Unlock()
		}
		h, err := readBatchHeader(&r, pos)
		if err != nil {
			err = l.readErr(seg, err)
			return next, err
		}
		if h.end() <= next { // before from: hop over it
			pos += h.size()
			continue
		}
		payload, err := r.bytes(pos+batchHeaderSize, int(h.payloadLen))
		if err == nil {
			err = checkPayload(&h, payload)
		}
		if err != nil {
			return next, l.readErr(seg, err)
		}
		d := newRecordDecoder(&h, payload)
		for next < end && given < maxRecords {
			off, t, data, ok, err := d.next()
			if err != nil {
				return next, l.readErr(seg, err)
			}
			if !ok {
				break
			}
			if off < next {
				continue
			}
			if given > 0 && len(data) > maxBytes-bytes {
				return next, l.releaseRet(seg, nil)
			}
			if err := fn(off, Record{Time: t, Data: data}); err != nil {
				return next, l.releaseRet(seg, err)
			}
			given++
			bytes += len(data)
			next = off + 1
		}
		pos += h.size()
	}
	return next, l.releaseRet(seg, nil)
}

func (l *Log) releaseRet(seg *segment, err error) error {
	l.mu.Lock()
	seg.release()
	l.mu.Unlock()
	return err
}

func (l *Log) readErr(seg *segment, err error) error {
	return l.releaseRet(seg, fmt.Errorf("streamlog: read %s: %w", seg.path, err))
}

// SeekTime returns the first held offset whose record has Time >= t, or
// End() if there is none. An I/O error while looking (which Read would then
// report) gives the start of the batch where it happened.
func (l *Log) SeekTime(t int64) uint64 {
	l.mu.Lock()
	end := l.end
	if l.closed {
		l.mu.Unlock()
		return end
	}
	// Times are non-decreasing through the log, so segments and index
	// entries are searched by bisection.
	i := searchSegs(l.segs, func(seg *segment) bool { return !seg.empty() && seg.lastTime >= t })
	if i == len(l.segs) {
		l.mu.Unlock()
		return end
	}
	seg := l.segs[i]
	if seg.firstTime >= t {
		l.mu.Unlock()
		return seg.base
	}
	j := searchIndex(seg.index, func(e indexEntry) bool { return e.time >= t }) - 1
	pos := seg.index[j].pos // j >= 0: index[0].time is seg.firstTime < t
	seg.refs++
	segEnd := seg.end
	r := l.s.getReader(seg, seg.size, 64<<10)
	l.mu.Unlock()
	defer l.s.putReader(&r)

	fallback := seg.index[j].off
	for pos < r.size {
		h, err := readBatchHeader(&r, pos)
		if err != nil {
			l.releaseRet(seg, nil)
			return fallback
		}
		if h.lastTime < t {
			pos += h.size()
			fallback = h.end()
			continue
		}
		if h.firstTime >= t {
			l.releaseRet(seg, nil)
			return h.firstOff
		}
		payload, err := r.bytes(pos+batchHeaderSize, int(h.payloadLen))
		if err == nil {
			err = checkPayload(&h, payload)
		}
		if err != nil {
			l.releaseRet(seg, nil)
			return h.firstOff
		}
		d := newRecordDecoder(&h, payload)
		for {
			off, rt, _, ok, err := d.next()
			if err != nil || !ok {
				l.releaseRet(seg, nil)
				return h.firstOff
			}
			if rt >= t {
				l.releaseRet(seg, nil)
				return off
			}
		}
	}
	l.releaseRet(seg, nil)
	return segEnd
}

// TimeAt returns the Time of a held record, or ErrOutOfRange. When the
// record is first in its batch, or its batch's records share one Time (a
// Kinesis PutRecords), the batch header answers without reading the payload.
func (l *Log) TimeAt(off uint64) (int64, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return 0, ErrClosed
	}
	if off < l.segs[0].base || off >= l.end {
		err := fmt.Errorf("%w: %d is not in [%d, %d)", ErrOutOfRange, off, l.segs[0].base, l.end)
		l.mu.Unlock()
		return 0, err
	}
	seg, pos := l.locate(off)
	seg.refs++
	r := l.s.getReader(seg, seg.size, 64<<10)
	l.mu.Unlock()
	defer l.s.putReader(&r)
	for pos < r.size {
		h, err := readBatchHeader(&r, pos)
		if err != nil {
			return 0, l.readErr(seg, err)
		}
		if h.end() <= off {
			pos += h.size()
			continue
		}
		if off == h.firstOff || h.firstTime == h.lastTime {
			return h.firstTime, l.releaseRet(seg, nil)
		}
		payload, err := r.bytes(pos+batchHeaderSize, int(h.payloadLen))
		if err == nil {
			err = checkPayload(&h, payload)
		}
		if err != nil {
			return 0, l.readErr(seg, err)
		}
		d := newRecordDecoder(&h, payload)
		for {
			got, t, _, ok, err := d.next()
			if err != nil {
				return 0, l.readErr(seg, err)
			}
			if !ok {
				break
			}
			if got == off {
				return t, l.releaseRet(seg, nil)
			}
		}
		break
	}
	return 0, l.readErr(seg, fmt.Errorf("%w: offset %d not found in its segment", ErrCorrupt, off))
}

func searchSegs(segs []*segment, f func(*segment) bool) int {
	lo, hi := 0, len(segs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(segs[m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func searchIndex(index []indexEntry, f func(indexEntry) bool) int {
	lo, hi := 0, len(index)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(index[m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
