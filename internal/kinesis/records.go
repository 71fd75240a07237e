package kinesis

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// Record framing inside a streamlog record's Data (the log adds arrival
// time, offset and checksums around it):
//
//	flags (1 byte; bit 0: an explicit hash key follows the partition key)
//	uvarint len(partition key) | partition key (UTF-8)
//	[uvarint len(explicit hash key) | explicit hash key (decimal ASCII)]
//	data (the rest)
const frameExplicitHashKey = 1

const (
	maxDataBytes       = 10 << 20 // model max of Data
	maxPutRecordsBytes = 10 << 20 // PutRecords total (data + keys)
	maxPutRecords      = 500
	maxGetRecordsBytes = 10 << 20
	maxGetRecords      = 10000
)

func frameLen(pk, ehk string, data []byte) int {
	n := 1 + binary.MaxVarintLen32 + len(pk) + len(data)
	if ehk != "" {
		n += binary.MaxVarintLen32 + len(ehk)
	}
	return n
}

func appendFrame(dst []byte, pk, ehk string, data []byte) []byte {
	var flags byte
	if ehk != "" {
		flags |= frameExplicitHashKey
	}
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, uint64(len(pk)))
	dst = append(dst, pk...)
	if ehk != "" {
		dst = binary.AppendUvarint(dst, uint64(len(ehk)))
		dst = append(dst, ehk...)
	}
	return append(dst, data...)
}

// parseFrame splits a framed record; the slices alias frame.
func parseFrame(frame []byte) (pk, data []byte, err error) {
	if len(frame) < 2 {
		return nil, nil, fmt.Errorf("kinesis: record frame of %d bytes", len(frame))
	}
	flags := frame[0]
	n, w := binary.Uvarint(frame[1:])
	if w <= 0 || uint64(len(frame)-1-w) < n {
		return nil, nil, fmt.Errorf("kinesis: bad partition key length in record frame")
	}
	p := 1 + w
	pk = frame[p : p+int(n)]
	p += int(n)
	if flags&frameExplicitHashKey != 0 {
		m, w := binary.Uvarint(frame[p:])
		if w <= 0 || uint64(len(frame)-p-w) < m {
			return nil, nil, fmt.Errorf("kinesis: bad explicit hash key length in record frame")
		}
		p += w + int(m)
	}
	return pk, frame[p:], nil
}

// blobValue is how Coral prints a blob member in validation messages.
func blobValue(b []byte) string {
	return fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", len(b), len(b))
}

// entry validates one record's members; index is 0 for PutRecord (members
// "data", ...) and i+1 for PutRecords' i-th entry ("records.i+1.member.data").
// Member names are built only for a violation: this runs 500 times a call.
func (c *checker) entry(data []byte, pk, ehk *string, index int) {
	member := func(name string) string {
		if index == 0 {
			return name
		}
		return "records." + strconv.Itoa(index) + ".member." + name
	}
	if data == nil {
		c.AddNull(member("data"))
	} else if len(data) > maxDataBytes {
		c.Add(blobValue(data), member("data"), awsprotoMaxLength(maxDataBytes))
	}
	if pk == nil {
		c.AddNull(member("partitionKey"))
	} else if n := len(*pk); n < 1 || n > 256 && utf8.RuneCountInString(*pk) > 256 {
		c.Str(pk, member("partitionKey"), 1, 256, "")
	}
	c.Str(ehk, member("explicitHashKey"), 0, 0, patternHashKey)
}

// placement is where one record goes: its hash key's open shard.
func (s *Service) place(st *stream, pk string, ehk *string) (*shardRT, error) {
	h := hashKey{}
	if ehk != nil {
		var ok bool
		if h, ok = parseHashKey(*ehk); !ok {
			return nil, errInvalidArgument("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", *ehk)
		}
	} else {
		h = partitionHash(pk)
	}
	rt := st.route(h)
	if rt == nil {
		return nil, awsproto.Internal(fmt.Errorf("kinesis: no open shard for hash key %s in %s", h, st.meta.Name))
	}
	return rt, nil
}

func (s *Service) errRecordTooLarge(st *stream, size int) error {
	return errInvalidArgument("Record size %d bytes exceeds the maximum record size of %d KiB for stream %s under account %s.",
		size, st.meta.MaxRecordKiB, st.meta.Name, s.cfg.AccountID)
}

func (s *Service) encryptionType(st *stream) string {
	if st.meta.EncryptionType == "" {
		return "NONE"
	}
	return st.meta.EncryptionType
}

func (s *Service) putRecord(ctx context.Context, in *putRecordInput) (*putRecordOutput, error) {
	c := s.check()
	c.ref(&in.streamRef)
	c.entry(in.Data, in.PartitionKey, in.ExplicitHashKey, 0)
	c.Str(in.SequenceNumberForOrdering, "sequenceNumberForOrdering", 0, 0, patternSequence)
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	var out *putRecordOutput
	err = s.readStream(name, func(st *stream) error {
		if err := s.activeForData(st); err != nil {
			return err
		}
		pk := *in.PartitionKey
		if size := len(in.Data) + len(pk); size > st.meta.MaxRecordKiB<<10 {
			return s.errRecordTooLarge(st, size)
		}
		if in.SequenceNumberForOrdering != nil {
			// Numbers are per-shard offsets, so any earlier number of the
			// record's shard is already below the new one; anything that is
			// not one of our numbers is refused.
			if _, _, ok := parseSeq(*in.SequenceNumberForOrdering); !ok && *in.SequenceNumberForOrdering != "0" {
				return errInvalidArgument("ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s is invalid.",
					*in.SequenceNumberForOrdering, name, s.cfg.AccountID)
			}
		}
		rt, err := s.place(st, pk, in.ExplicitHashKey)
		if err != nil {
			return err
		}
		if !s.allowWrite(rt, 1, len(in.Data)+len(pk)) {
			return s.errWriteThrottled(rt, name)
		}
		ehk := ""
		if in.ExplicitHashKey != nil {
			ehk = *in.ExplicitHashKey
		}
		frame := appendFrame(make([]byte, 0, frameLen(pk, ehk, in.Data)), pk, ehk, in.Data)
		first, err := rt.log.Append([]streamlog.Record{{Time: s.nowMs(), Data: frame}})
		if err != nil {
			return fmt.Errorf("kinesis: append to %s/%s: %w", name, rt.id, err)
		}
		out = &putRecordOutput{ShardId: rt.id, SequenceNumber: recordSeq(rt.meta.Index, first), EncryptionType: s.encryptionType(st)}
		return nil
	})
	return out, err
}

// shardBatch is the part of a PutRecords call that goes to one shard.
type shardBatch struct {
	rt      *shardRT
	entries []int // request indexes, in request order
	recs    []streamlog.Record
	frames  *byteBuffer // pooled; recs' Data point into it until Append returns
	first   uint64
	err     error
}

func (s *Service) putRecords(ctx context.Context, in *putRecordsInput) (*putRecordsOutput, error) {
	c := s.check()
	c.ref(&in.streamRef)
	if c.Required(in.Records != nil, "records") {
		if n := len(in.Records); n < 1 || n > maxPutRecords {
			c.Add(recordsValue(in.Records), "records", lengthConstraint(n, 1, maxPutRecords))
		}
		for i := range in.Records {
			e := &in.Records[i]
			c.entry(e.Data, e.PartitionKey, e.ExplicitHashKey, i+1)
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	var out *putRecordsOutput
	err = s.readStream(name, func(st *stream) error {
		if err := s.activeForData(st); err != nil {
			return err
		}
		total := 0
		maxRecord := st.meta.MaxRecordKiB << 10
		for i := range in.Records {
			size := len(in.Records[i].Data) + len(*in.Records[i].PartitionKey)
			if size > maxRecord {
				return s.errRecordTooLarge(st, size)
			}
			total += size
		}
		if total > maxPutRecordsBytes {
			return errInvalidArgument("Records size %d bytes exceeds the PutRecords limit of %d bytes.", total, maxPutRecordsBytes)
		}
		// Route every entry first: a bad hash key fails the whole call
		// before anything is stored.
		shardOf := make([]*shardRT, len(in.Records))
		for i := range in.Records {
			rt, err := s.place(st, *in.Records[i].PartitionKey, in.Records[i].ExplicitHashKey)
			if err != nil {
				return err
			}
			shardOf[i] = rt
		}
		out = &putRecordsOutput{Records: make([]putRecordsResultEntry, len(in.Records)), EncryptionType: s.encryptionType(st)}
		batches := s.groupByShard(in.Records, shardOf, out)
		s.appendBatches(batches)
		for _, b := range batches {
			s.buffers.put(b.frames) // Append copied the records
			for j, i := range b.entries {
				r := &out.Records[i]
				if b.err != nil {
					s.cfg.Logger.Error("kinesis: PutRecords append", "stream", name, "shard", b.rt.id, "err", b.err)
					r.ErrorCode, r.ErrorMessage = codeInternalFailureEn, "Internal service failure."
					out.FailedRecordCount++
					continue
				}
				r.ShardId = b.rt.id
				r.SequenceNumber = recordSeq(b.rt.meta.Index, b.first+uint64(j))
			}
		}
		return nil
	})
	return out, err
}

// groupByShard builds one batch per shard, framing all of a shard's
// records into one buffer. Entries refused by the shard's write limit are
// marked failed in out instead.
func (s *Service) groupByShard(entries []putRecordsEntry, shardOf []*shardRT, out *putRecordsOutput) []*shardBatch {
	var batches []*shardBatch
	byShard := make(map[*shardRT]*shardBatch, 4)
	sizes := map[*shardBatch]int{}
	now := s.nowMs()
	for i := range entries {
		rt := shardOf[i]
		e := &entries[i]
		pk := *e.PartitionKey
		if !s.allowWrite(rt, 1, len(e.Data)+len(pk)) {
			r := &out.Records[i]
			r.ErrorCode = codeThroughput
			r.ErrorMessage = fmt.Sprintf("Rate exceeded for shard %s in stream %s under account %s.", rt.id, rt.streamName, s.cfg.AccountID)
			out.FailedRecordCount++
			continue
		}
		b := byShard[rt]
		if b == nil {
			b = &shardBatch{rt: rt}
			byShard[rt] = b
			batches = append(batches, b)
		}
		b.entries = append(b.entries, i)
		ehk := ""
		if e.ExplicitHashKey != nil {
			ehk = *e.ExplicitHashKey
		}
		sizes[b] += frameLen(pk, ehk, e.Data)
	}
	for _, b := range batches {
		b.frames = s.buffers.get()
		if cap(b.frames.b) < sizes[b] {
			b.frames.b = make([]byte, 0, sizes[b])
		}
		buf := b.frames.b[:0]
		b.recs = make([]streamlog.Record, len(b.entries))
		for j, i := range b.entries {
			e := &entries[i]
			ehk := ""
			if e.ExplicitHashKey != nil {
				ehk = *e.ExplicitHashKey
			}
			start := len(buf)
			buf = appendFrame(buf, *e.PartitionKey, ehk, e.Data)
			b.recs[j] = streamlog.Record{Time: now, Data: buf[start:len(buf):len(buf)]}
		}
	}
	return batches
}

// appendBatches appends each shard's batch, the shards in parallel so
// their fsyncs are shared by group commit.
func (s *Service) appendBatches(batches []*shardBatch) {
	if len(batches) == 1 {
		b := batches[0]
		b.first, b.err = b.rt.log.Append(b.recs)
		return
	}
	var wg sync.WaitGroup
	for _, b := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.first, b.err = b.rt.log.Append(b.recs)
		}()
	}
	wg.Wait()
}

func recordsValue(recs []putRecordsEntry) string {
	return fmt.Sprintf("[%d records]", len(recs))
}

func lengthConstraint(n, min, max int) string {
	if n < min {
		return awsproto.ConstraintMinLength(min)
	}
	return awsproto.ConstraintMaxLength(max)
}

func awsprotoMaxLength(n int) string { return awsproto.ConstraintMaxLength(n) }

func awsprotoErr(code, msg string) *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, code, msg)
}

// putRecordsOp serves PutRecords.
func (s *Service) putRecordsOp(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in putRecordsInput
	bodyBuf, arena := s.buffers.get(), s.buffers.get()
	defer s.buffers.put(bodyBuf)
	defer s.buffers.put(arena)
	if err := decodePutRecords(r, &in, bodyBuf, arena); err != nil {
		return err
	}
	out, err := s.putRecords(r.Context(), &in)
	if err != nil {
		return err
	}
	if isCBOR(r) {
		return respond(w, r, rt, out)
	}
	buf := s.buffers.get()
	defer s.buffers.put(buf)
	buf.b = appendPutRecordsJSON(buf.b, out)
	h := w.Header()
	h.Set("Content-Type", rt.Protocol.ContentType())
	h.Set("Content-Length", strconv.Itoa(len(buf.b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.b)
	return err
}

// appendPutRecordsJSON encodes a PutRecords answer as encoding/json would
// (the generic encoder was a tenth of the call's CPU).
func appendPutRecordsJSON(b []byte, out *putRecordsOutput) []byte {
	b = append(b, `{"FailedRecordCount":`...)
	b = strconv.AppendInt(b, int64(out.FailedRecordCount), 10)
	b = append(b, `,"Records":[`...)
	for i := range out.Records {
		r := &out.Records[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		sep := false
		field := func(name, v string) {
			if v == "" {
				return
			}
			if sep {
				b = append(b, ',')
			}
			sep = true
			b = append(b, '"')
			b = append(b, name...)
			b = append(b, `":`...)
			b = appendJSONString(b, []byte(v))
		}
		field("SequenceNumber", r.SequenceNumber)
		field("ShardId", r.ShardId)
		field("ErrorCode", r.ErrorCode)
		field("ErrorMessage", r.ErrorMessage)
		b = append(b, '}')
	}
	b = append(b, ']')
	if out.EncryptionType != "" {
		b = append(b, `,"EncryptionType":`...)
		b = appendJSONString(b, []byte(out.EncryptionType))
	}
	return append(b, '}')
}
