package streamlog

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// openLog loads a log directory: it checks every segment's header chain,
// builds the sparse index, and repairs a torn tail. Only the last segment
// can be torn (see committer.writeRolling); the damage is the part of one
// unacknowledged round that reached the disk, so it is truncated at the
// first batch that fails its checks. Damage anywhere else is ErrCorrupt.
func openLog(s *Store, name, dir string) (*Log, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var bases []uint64
	for _, e := range entries {
		num, ok := strings.CutSuffix(e.Name(), segSuffix)
		if !ok || len(num) != 20 {
			continue
		}
		base, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			continue
		}
		bases = append(bases, base)
	}
	slices.Sort(bases)
	if len(bases) == 0 {
		return nil, fmt.Errorf("%w: %s has no segment files", ErrCorrupt, dir)
	}
	l := &Log{s: s, name: name, dir: dir, changed: make(chan struct{}), lastTime: math.MinInt64}
	fail := func(err error) (*Log, error) {
		for _, seg := range l.segs {
			seg.f.Close()
		}
		return nil, err
	}
	for i, base := range bases {
		last := i == len(bases)-1
		path := filepath.Join(dir, segName(base))
		if i > 0 && base != l.end {
			return fail(fmt.Errorf("%w: %s starts at %d, the previous segment ends at %d", ErrCorrupt, path, base, l.end))
		}
		seg, floor, err := loadSegment(path, base, last)
		if err != nil && last && i > 0 && errors.Is(err, ErrCorrupt) {
			// A roll's new file whose header never became durable holds
			// nothing acknowledged.
			slog.Warn("streamlog: removing torn segment", "log", name, "segment", path, "err", err)
			if err := os.Remove(path); err != nil {
				return fail(err)
			}
			if err := s.syncDir(dir); err != nil {
				return fail(err)
			}
			break
		}
		if err != nil {
			// The only segment's header was made durable before anything
			// could be acknowledged (createLog, TrimBefore): damage to it is
			// not a torn write.
			return fail(fmt.Errorf("%s: %w", path, err))
		}
		if seg.empty() && last && i > 0 {
			// TrimBefore's replacement segment, or a torn roll: the
			// older segments keep End().
			seg.f.Close()
			if err := os.Remove(path); err != nil {
				return fail(err)
			}
			if err := s.syncDir(dir); err != nil {
				return fail(err)
			}
			break
		}
		if !seg.empty() && seg.firstTime < l.lastTime {
			seg.f.Close()
			return fail(fmt.Errorf("%w: %s: time goes backwards", ErrCorrupt, path))
		}
		l.segs = append(l.segs, seg)
		l.end = seg.end
		l.lastTime = max(l.lastTime, floor)
		if !seg.empty() {
			l.lastTime = seg.lastTime
		}
	}
	l.next = l.end
	l.writeSeg = l.segs[len(l.segs)-1]
	l.writeSize = l.writeSeg.size
	return l, nil
}

// loadSegment opens a segment and indexes its batches. A sealed segment's
// batches are checked by header only; the last segment's are read whole and
// verified, and it is truncated before the first bad one.
func loadSegment(path string, base uint64, last bool) (*segment, int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, 0, err
	}
	seg := &segment{base: base, path: path, f: f, end: base, size: segHeaderSize}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	fileSize := fi.Size()
	r := segReader{f: f, size: fileSize, readAhead: 64 << 10}
	hb, err := r.bytes(0, segHeaderSize)
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	floor, err := parseSegHeader(hb, base)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	pos := int64(segHeaderSize)
	prevTime := floor
	var damage error
	for pos < fileSize {
		h, err := readBatchHeader(&r, pos)
		if err == nil && (h.firstOff != seg.end || h.firstTime < prevTime) {
			err = fmt.Errorf("%w: batch at byte %d has offset %d time %d, want offset %d time >= %d",
				ErrCorrupt, pos, h.firstOff, h.firstTime, seg.end, prevTime)
		}
		if err == nil && pos+h.size() > fileSize {
			err = fmt.Errorf("%w: batch at byte %d runs past the end of the file", ErrCorrupt, pos)
		}
		if err == nil && last {
			var payload []byte
			if payload, err = r.bytes(pos+batchHeaderSize, int(h.payloadLen)); err == nil {
				err = checkPayload(&h, payload)
			}
		}
		if err != nil {
			damage = err
			break
		}
		seg.addBatch(&h, pos)
		prevTime = h.lastTime
		pos += h.size()
	}
	if damage == nil {
		return seg, floor, nil
	}
	if !last {
		f.Close()
		return nil, 0, damage
	}
	slog.Warn("streamlog: truncating torn tail", "segment", path, "at", pos, "bytes", fileSize-pos, "err", damage)
	if err := f.Truncate(pos); err != nil {
		f.Close()
		return nil, 0, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, 0, err
	}
	return seg, floor, nil
}

func readBatchHeader(r *segReader, pos int64) (batchHeader, error) {
	b, err := r.bytes(pos, batchHeaderSize)
	if err != nil {
		return batchHeader{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return parseBatchHeader(b)
}

// segReader reads a segment file through a window buffer with pread.
// pread on an *os.File rather than mmap: reads stay ordinary errors (no
// SIGBUS on a truncated or failing file), a segment growing under the
// committer needs no remapping, and with page-cache-hot data the copy costs
// less than the per-record work that follows it.
type segReader struct {
	f         *os.File
	size      int64 // bytes readable
	readAhead int   // how much to read beyond what is asked for
	buf       []byte
	bufPos    int64 // file position of buf[0]
	n         int   // valid bytes in buf
	pooled    *readBuf
}

// bytes returns the file's bytes [pos, pos+need), valid until the next call.
func (r *segReader) bytes(pos int64, need int) ([]byte, error) {
	if pos >= r.bufPos && pos+int64(need) <= r.bufPos+int64(r.n) {
		i := int(pos - r.bufPos)
		return r.buf[i : i+need], nil
	}
	if pos+int64(need) > r.size {
		return nil, io.ErrUnexpectedEOF
	}
	want := int(min(int64(max(need, r.readAhead)), r.size-pos))
	if cap(r.buf) < want {
		r.buf = make([]byte, want)
	}
	r.buf = r.buf[:cap(r.buf)]
	n, err := r.f.ReadAt(r.buf[:want], pos)
	if n < need {
		r.n = 0
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	r.bufPos, r.n = pos, n
	return r.buf[:need], nil
}
