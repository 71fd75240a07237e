package streamlog

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
)

// On-disk format, version 1.
//
// A log is a directory of segment files named by the offset of their first
// record, zero-padded to 20 digits: "00000000000000000000.seg". Segments are
// contiguous: each one's base is the previous one's end. Integers are
// little-endian.
//
// A segment starts with a 24-byte header:
//
//	0  [8]byte "TRIBSLG1"  magic and format version
//	8  u64     base offset (the same as in the file name)
//	16 i64     time floor: every record in the segment has Time >= it (the
//	           log's last time when the segment was started, so clamping
//	           survives trimming every record)
//
// then batches, one per Append, back to back. A batch is a 40-byte header and
// a payload:
//
//	0  u32 crc32c (Castagnoli) of header bytes [4,40)
//	4  u32 crc32c of the payload
//	8  u32 payload length in bytes
//	12 u32 record count (>= 1)
//	16 u64 offset of the first record
//	24 i64 Time of the first record (Unix ms)
//	32 i64 Time of the last record
//
// The payload is the records in offset order, each
//
//	uvarint  Time minus the previous record's Time (the first: minus the
//	         header's first Time, so 0); never negative, Append clamps
//	uvarint  len(Data)
//	[]byte   Data
//
// The header has its own checksum so the open-time scan of sealed segments can
// hop from header to header without reading payloads. The payload checksum
// makes a batch all or nothing: a crash mid-write leaves a tail that fails it,
// and recovery truncates the last segment there. Only the last segment can
// have a torn tail: the committer fsyncs a segment before it creates the next.
const (
	segMagic        = "TRIBSLG1"
	segHeaderSize   = 24
	batchHeaderSize = 40
	// maxPayload bounds one Append's encoded size; the length field is a u32
	// and a reader must be able to hold a whole batch in memory.
	maxPayload = 1 << 30
	segSuffix  = ".seg"
)

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type batchHeader struct {
	payloadCRC uint32
	payloadLen uint32
	count      uint32
	firstOff   uint64
	firstTime  int64
	lastTime   int64
}

// size is the batch's length on disk.
func (h *batchHeader) size() int64 { return batchHeaderSize + int64(h.payloadLen) }

// end is the offset after the batch's last record.
func (h *batchHeader) end() uint64 { return h.firstOff + uint64(h.count) }

func appendSegHeader(dst []byte, base uint64, floor int64) []byte {
	dst = append(dst, segMagic...)
	dst = binary.LittleEndian.AppendUint64(dst, base)
	return binary.LittleEndian.AppendUint64(dst, uint64(floor))
}

func parseSegHeader(b []byte, base uint64) (floor int64, err error) {
	if len(b) < segHeaderSize || string(b[:8]) != segMagic {
		return 0, fmt.Errorf("%w: bad segment header", ErrCorrupt)
	}
	if got := binary.LittleEndian.Uint64(b[8:]); got != base {
		return 0, fmt.Errorf("%w: segment header says base %d, file name %d", ErrCorrupt, got, base)
	}
	return int64(binary.LittleEndian.Uint64(b[16:])), nil
}

func putBatchHeader(b []byte, h *batchHeader) {
	binary.LittleEndian.PutUint32(b[4:], h.payloadCRC)
	binary.LittleEndian.PutUint32(b[8:], h.payloadLen)
	binary.LittleEndian.PutUint32(b[12:], h.count)
	binary.LittleEndian.PutUint64(b[16:], h.firstOff)
	binary.LittleEndian.PutUint64(b[24:], uint64(h.firstTime))
	binary.LittleEndian.PutUint64(b[32:], uint64(h.lastTime))
	binary.LittleEndian.PutUint32(b[0:], crc32.Checksum(b[4:batchHeaderSize], castagnoli))
}

// parseBatchHeader decodes and checks a batch header (not its payload).
func parseBatchHeader(b []byte) (batchHeader, error) {
	if len(b) < batchHeaderSize {
		return batchHeader{}, fmt.Errorf("%w: short batch header", ErrCorrupt)
	}
	if crc32.Checksum(b[4:batchHeaderSize], castagnoli) != binary.LittleEndian.Uint32(b) {
		return batchHeader{}, fmt.Errorf("%w: batch header checksum", ErrCorrupt)
	}
	h := batchHeader{
		payloadCRC: binary.LittleEndian.Uint32(b[4:]),
		payloadLen: binary.LittleEndian.Uint32(b[8:]),
		count:      binary.LittleEndian.Uint32(b[12:]),
		firstOff:   binary.LittleEndian.Uint64(b[16:]),
		firstTime:  int64(binary.LittleEndian.Uint64(b[24:])),
		lastTime:   int64(binary.LittleEndian.Uint64(b[32:])),
	}
	if h.count == 0 || h.payloadLen > maxPayload || h.lastTime < h.firstTime || h.firstOff+uint64(h.count) < h.firstOff {
		return batchHeader{}, fmt.Errorf("%w: batch header out of range", ErrCorrupt)
	}
	return h, nil
}

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// measureBatch returns the encoded size of recs as one batch (header
// included) and the Time of its last record, times clamped to be
// non-decreasing from floor.
func measureBatch(recs []Record, floor int64) (size int64, lastTime int64, err error) {
	prev := max(recs[0].Time, floor)
	n := int64(batchHeaderSize)
	for i := range recs {
		t := max(recs[i].Time, prev)
		n += int64(uvarintLen(uint64(t-prev)) + uvarintLen(uint64(len(recs[i].Data))) + len(recs[i].Data))
		prev = t
		if n > maxPayload {
			return 0, 0, fmt.Errorf("streamlog: append of %d records exceeds %d bytes", len(recs), maxPayload)
		}
	}
	if len(recs) > math.MaxUint32 {
		return 0, 0, fmt.Errorf("streamlog: append of %d records is too many", len(recs))
	}
	return n, prev, nil
}

// appendBatch encodes recs as one batch at the end of dst. size and lastTime
// come from measureBatch with the same floor.
func appendBatch(dst []byte, first uint64, recs []Record, floor int64, size int64, lastTime int64) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, batchHeaderSize)...)
	prev := max(recs[0].Time, floor)
	h := batchHeader{
		payloadLen: uint32(size - batchHeaderSize),
		count:      uint32(len(recs)),
		firstOff:   first,
		firstTime:  prev,
		lastTime:   lastTime,
	}
	for i := range recs {
		t := max(recs[i].Time, prev)
		dst = binary.AppendUvarint(dst, uint64(t-prev))
		dst = binary.AppendUvarint(dst, uint64(len(recs[i].Data)))
		dst = append(dst, recs[i].Data...)
		prev = t
	}
	h.payloadCRC = crc32.Checksum(dst[start+batchHeaderSize:], castagnoli)
	putBatchHeader(dst[start:], &h)
	return dst
}

// recordDecoder walks a batch payload whose checksum has been verified; it
// still checks every length so a damaged batch cannot make it panic.
type recordDecoder struct {
	p    []byte
	off  uint64
	time int64
	left uint32
}

func newRecordDecoder(h *batchHeader, payload []byte) recordDecoder {
	return recordDecoder{p: payload, off: h.firstOff, time: h.firstTime, left: h.count}
}

// next returns the next record; ok is false after the last one.
func (d *recordDecoder) next() (off uint64, t int64, data []byte, ok bool, err error) {
	if d.left == 0 {
		if len(d.p) != 0 {
			return 0, 0, nil, false, fmt.Errorf("%w: %d stray bytes after the last record", ErrCorrupt, len(d.p))
		}
		return 0, 0, nil, false, nil
	}
	dt, n := binary.Uvarint(d.p)
	if n <= 0 || dt > math.MaxInt64 {
		return 0, 0, nil, false, fmt.Errorf("%w: bad record time", ErrCorrupt)
	}
	p := d.p[n:]
	l, n := binary.Uvarint(p)
	if n <= 0 || l > uint64(len(p)-n) {
		return 0, 0, nil, false, fmt.Errorf("%w: bad record length", ErrCorrupt)
	}
	p = p[n:]
	d.time += int64(dt)
	off, t, data = d.off, d.time, p[:l:l]
	d.p = p[l:]
	d.off++
	d.left--
	return off, t, data, true, nil
}

// checkPayload verifies a batch payload against its header: checksum, record
// count, and the last record's time.
func checkPayload(h *batchHeader, payload []byte) error {
	if crc32.Checksum(payload, castagnoli) != h.payloadCRC {
		return fmt.Errorf("%w: batch at offset %d: payload checksum", ErrCorrupt, h.firstOff)
	}
	d := newRecordDecoder(h, payload)
	last := h.firstTime
	for {
		_, t, _, ok, err := d.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		last = t
	}
	if last != h.lastTime {
		return fmt.Errorf("%w: batch at offset %d: last time %d, header says %d", ErrCorrupt, h.firstOff, last, h.lastTime)
	}
	return nil
}
