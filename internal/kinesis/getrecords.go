package kinesis

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// readResult is what one GetRecords (or one subscription push) read.
type readResult struct {
	next        uint64 // offset after the last record given
	behindMs    int64  // MillisBehindLatest
	shardEnded  bool   // closed shard read to its end: no next iterator
	childShards []childShard
}

// readShard reads up to limit records (and maxGetRecordsBytes) from the
// shard at from, skipping records past retention, and calls fn for each
// with its sequence-number offset, arrival time, partition key and data
// (valid only during fn). The caller holds st.mu shared.
func (s *Service) readShard(st *stream, rt *shardRT, from uint64, limit int, now int64,
	fn func(off uint64, arrival int64, pk, data []byte)) (readResult, error) {
	lg := rt.log
	cutoff := st.meta.retentionCutoff(now)
	start := max(from, lg.Start())
	if t, err := lg.TimeAt(start); err == nil && t < cutoff {
		start = max(start, lg.SeekTime(cutoff))
	}
	end := lg.End()
	if !rt.meta.open() {
		end = min(end, rt.meta.EndOffset)
	}
	res := readResult{next: start}
	if start < end {
		n := min(uint64(limit), end-start)
		var frameErr error
		next, err := lg.Read(start, int(n), maxGetRecordsBytes, func(off uint64, rec streamlog.Record) error {
			pk, data, err := parseFrame(rec.Data)
			if err != nil {
				frameErr = fmt.Errorf("%s/%s offset %d: %w", st.meta.Name, rt.id, off, err)
				return frameErr
			}
			fn(off, rec.Time, pk, data)
			return nil
		})
		if err != nil {
			return res, err
		}
		res.next = max(next, start)
	}
	if res.next < end {
		if t, err := lg.TimeAt(res.next); err == nil {
			res.behindMs = max(now-t, 0)
		}
	}
	if !rt.meta.open() && res.next >= rt.meta.EndOffset {
		res.shardEnded = true
		res.childShards = st.childShards(rt.meta.Index)
		if res.childShards == nil {
			res.childShards = []childShard{}
		}
	}
	return res, nil
}

// getRecords serves GetRecords. JSON answers are encoded straight from the
// log into one pooled buffer (the drain hot path); CBOR answers go through
// the generic encoder.
func (s *Service) getRecords(w http.ResponseWriter, r *http.Request, route awsproto.Route) error {
	var in getRecordsInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := s.check()
	if c.Required(in.ShardIterator != nil, "shardIterator") {
		c.Str(in.ShardIterator, "shardIterator", 1, 512, "")
	}
	c.Int(in.Limit, "limit", 1, maxGetRecords)
	c.Str(in.StreamARN, "streamARN", 1, 2048, patternStreamARN)
	if err := c.Err(); err != nil {
		return err
	}
	it, err := s.decodeIterator(*in.ShardIterator)
	if err != nil {
		return err
	}
	if in.StreamARN != nil {
		if name, ok := s.parseStreamARN(*in.StreamARN); !ok || name != it.stream {
			return errInvalidArgument("StreamARN %s does not match the stream of the ShardIterator.", *in.StreamARN)
		}
	}
	limit := maxGetRecords
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	cbor := isCBOR(r)
	buf := s.answers.get()
	defer s.answers.put(buf)
	var recs []recordOut
	err = s.readStream(it.stream, func(st *stream) error {
		rt := st.shards[it.shard]
		if st.meta.CreatedMs != it.createdMs || rt == nil {
			return s.errShardNotFound(shardID(it.shard), it.stream)
		}
		now := s.nowMs()
		if err := s.throttleRead(rt, it.stream); err != nil {
			return err
		}
		enc := s.encryptionType(st)
		if !cbor {
			// Size the buffer like this shard's last answer: regrowing a
			// 15 MiB answer by doubling costs a quarter of the call.
			if hint := int(rt.answerHint.Load()); cap(buf.b) < hint {
				buf.b = make([]byte, 0, hint+hint/8)
			}
			buf.b = append(buf.b, `{"Records":[`...)
		}
		n, size := 0, 0
		res, err := s.readShard(st, rt, it.offset, limit, now, func(off uint64, arrival int64, pk, data []byte) {
			n++
			size += len(pk) + len(data)
			if cbor {
				recs = append(recs, recordOut{SequenceNumber: recordSeq(rt.meta.Index, off), ApproximateArrivalTimestamp: ts(arrival),
					Data: append([]byte(nil), data...), PartitionKey: string(pk), EncryptionType: encOrEmpty(enc)})
				return
			}
			if n > 1 {
				buf.b = append(buf.b, ',')
			}
			buf.b = appendRecordJSON(buf.b, rt.meta.Index, off, arrival, pk, data, enc)
		})
		if err != nil {
			return err
		}
		s.chargeRead(rt, size)
		var next string
		if !res.shardEnded {
			next = string(s.appendIterator(nil, iterator{stream: it.stream, createdMs: it.createdMs, shard: it.shard, offset: res.next, issuedMs: now}))
		}
		if cbor {
			out := getRecordsOutput{Records: recs, NextShardIterator: next, MillisBehindLatest: &res.behindMs, ChildShards: res.childShards}
			if out.Records == nil {
				out.Records = []recordOut{}
			}
			return respond(w, r, route, &out)
		}
		buf.b = append(buf.b, ']')
		if next != "" {
			buf.b = append(buf.b, `,"NextShardIterator":"`...)
			buf.b = append(buf.b, next...)
			buf.b = append(buf.b, '"')
		}
		buf.b = append(buf.b, `,"MillisBehindLatest":`...)
		buf.b = strconv.AppendInt(buf.b, res.behindMs, 10)
		if res.childShards != nil {
			cs, err := json.Marshal(res.childShards)
			if err != nil {
				return err
			}
			buf.b = append(buf.b, `,"ChildShards":`...)
			buf.b = append(buf.b, cs...)
		}
		buf.b = append(buf.b, '}')
		rt.answerHint.Store(int64(len(buf.b)))
		return nil
	})
	if err != nil || cbor {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", route.Protocol.ContentType())
	h.Set("Content-Length", strconv.Itoa(len(buf.b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.b)
	return err
}

func encOrEmpty(enc string) string {
	if enc == "NONE" {
		return ""
	}
	return enc
}

// appendRecordJSON appends one Record object of a GetRecords response.
func appendRecordJSON(b []byte, shard int, off uint64, arrival int64, pk, data []byte, enc string) []byte {
	b = append(b, `{"SequenceNumber":"`...)
	b = appendRecordSeq(b, shard, off)
	b = append(b, `","ApproximateArrivalTimestamp":`...)
	b = appendEpochSeconds(b, arrival)
	b = append(b, `,"Data":"`...)
	b = base64.StdEncoding.AppendEncode(b, data)
	b = append(b, `","PartitionKey":`...)
	b = appendJSONString(b, pk)
	if enc != "NONE" && enc != "" {
		b = append(b, `,"EncryptionType":"`...)
		b = append(b, enc...)
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendEpochSeconds writes Unix milliseconds as seconds with a
// millisecond fraction (1700000000.123).
func appendEpochSeconds(b []byte, ms int64) []byte {
	if ms < 0 {
		return strconv.AppendFloat(b, float64(ms)/1000, 'f', 3, 64)
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	frac := ms % 1000
	return append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s []byte) []byte {
	plain := utf8.Valid(s)
	if plain {
		for _, c := range s {
			if c < 0x20 || c == '"' || c == '\\' {
				plain = false
				break
			}
		}
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(string(s))
	return append(b, q...)
}

// byteBuffer is a pooled response buffer.
type byteBuffer struct{ b []byte }

// bufferPool recycles GetRecords response buffers.
type bufferPool struct{ p sync.Pool }

func (bp *bufferPool) get() *byteBuffer {
	if b, ok := bp.p.Get().(*byteBuffer); ok {
		return b
	}
	return &byteBuffer{b: make([]byte, 0, 64<<10)}
}

func (bp *bufferPool) put(b *byteBuffer) {
	// A full GetRecords answer (10 MiB of data in base64 plus framing) is
	// about 15 MiB; keeping buffers that size saves regrowing one per call.
	if cap(b.b) > 32<<20 {
		return
	}
	b.b = b.b[:0]
	bp.p.Put(b)
}

// answerPool keeps GetRecords response buffers. It is a bounded free list
// rather than a sync.Pool: a sync.Pool is emptied by every other GC, so
// after a burst of puts each drain call made its 15 MiB buffer afresh, and
// touching new memory (zeroing, page faults) made the first GetRecords per
// shard take over a second on a 2-core VM. At most maxFreeAnswers stay
// allocated (about 70 MiB when all hold full-size answers).
type answerPool struct {
	once sync.Once
	free chan *byteBuffer
}

const maxFreeAnswers = 4

func (ap *answerPool) list() chan *byteBuffer {
	ap.once.Do(func() { ap.free = make(chan *byteBuffer, maxFreeAnswers) })
	return ap.free
}

func (ap *answerPool) get() *byteBuffer {
	select {
	case b := <-ap.list():
		return b
	default:
		return &byteBuffer{b: make([]byte, 0, 64<<10)}
	}
}

func (ap *answerPool) put(b *byteBuffer) {
	if cap(b.b) > 32<<20 {
		return
	}
	b.b = b.b[:0]
	select {
	case ap.list() <- b:
	default: // enough kept; the GC takes this one
	}
}
