package kinesis

import (
	"strconv"
)

// Sequence numbers (spec §1.6) are 56 decimal digits:
//
//	"49" | shard index (12 digits) | position (42 digits, zero-padded)
//
// where position 0 is the shard's StartingSequenceNumber (before any
// record) and the record at log offset n has position n+1, so that
// AFTER_SEQUENCE_NUMBER of the starting number reads from the first record.
// Numbers increase strictly within a shard (offsets are dense and never
// reused), a child shard's numbers are above its parents' (children have
// higher indexes), a number names the shard it belongs to (a number used
// with another shard is detected), and a restart yields the same numbers
// (they are a function of the record's place in its log).
const (
	seqLen       = 56
	seqPrefix    = "49"
	seqIndexLen  = 12
	seqOffsetLen = seqLen - len(seqPrefix) - seqIndexLen
)

// appendSeq appends the sequence number of a position in the shard with
// the given index.
func appendSeq(dst []byte, index int, position uint64) []byte {
	dst = append(dst, seqPrefix...)
	dst = appendPadded(dst, uint64(index), seqIndexLen)
	return appendPadded(dst, position, seqOffsetLen)
}

// appendRecordSeq appends the sequence number of the record at a log offset.
func appendRecordSeq(dst []byte, index int, offset uint64) []byte {
	return appendSeq(dst, index, offset+1)
}

func recordSeq(index int, offset uint64) string { return formatSeq(index, offset+1) }

func formatSeq(index int, position uint64) string {
	var b [seqLen]byte
	return string(appendSeq(b[:0], index, position))
}

func appendPadded(dst []byte, v uint64, width int) []byte {
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], v, 10)
	for i := len(d); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

// parseSeq decodes a sequence number issued by this service; ok is false
// for anything else.
func parseSeq(s string) (index int, position uint64, ok bool) {
	if len(s) != seqLen || s[:len(seqPrefix)] != seqPrefix {
		return 0, 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, false
		}
	}
	idx, err := strconv.ParseUint(s[len(seqPrefix):len(seqPrefix)+seqIndexLen], 10, 31)
	if err != nil {
		return 0, 0, false
	}
	off := s[len(seqPrefix)+seqIndexLen:]
	// The offset field is 42 digits but offsets are uint64 (≤ 20 digits).
	for i := 0; i < len(off)-20; i++ {
		if off[i] != '0' {
			return 0, 0, false
		}
	}
	o, err := strconv.ParseUint(off[len(off)-20:], 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return int(idx), o, true
}
