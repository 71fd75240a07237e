package kinesis

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// Shard iterators are opaque to clients (spec §1.8):
//
//	base64( version(1)=1 | stream creation ms (8) | shard index (4) |
//	        log offset (8) | issue ms (8) | name length (1) | stream name |
//	        HMAC-SHA256(service key, all before)[:16] )
//
// The HMAC key is generated once and kept in kv, so iterators survive a
// restart and cannot be forged; the creation time makes a recreated stream
// of the same name reject its predecessor's iterators.
const (
	iteratorVersion   = 1
	iteratorFixedLen  = 1 + 8 + 4 + 8 + 8 + 1
	iteratorMACLen    = 16
	iteratorLifetime  = 300_000 // ms
	javaDateLayout    = "Mon Jan 02 15:04:05 UTC 2006"
	shardIteratorType = "shardIteratorType"
)

var iteratorTypes = []string{"AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"}

// iterator is a decoded shard iterator.
type iterator struct {
	stream    string
	createdMs int64
	shard     int
	offset    uint64
	issuedMs  int64
}

func (s *Service) appendIterator(dst []byte, it iterator) []byte {
	raw := make([]byte, 0, iteratorFixedLen+len(it.stream)+iteratorMACLen)
	raw = append(raw, iteratorVersion)
	raw = binary.BigEndian.AppendUint64(raw, uint64(it.createdMs))
	raw = binary.BigEndian.AppendUint32(raw, uint32(it.shard))
	raw = binary.BigEndian.AppendUint64(raw, it.offset)
	raw = binary.BigEndian.AppendUint64(raw, uint64(it.issuedMs))
	raw = append(raw, byte(len(it.stream)))
	raw = append(raw, it.stream...)
	mac := hmac.New(sha256.New, s.iterKey)
	mac.Write(raw)
	raw = mac.Sum(raw)[:len(raw)+iteratorMACLen]
	return base64.StdEncoding.AppendEncode(dst, raw)
}

func (s *Service) encodeIterator(it iterator) string { return string(s.appendIterator(nil, it)) }

// decodeIterator authenticates and decodes an iterator, and checks its age
// against the clock.
func (s *Service) decodeIterator(text string) (iterator, error) {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) < iteratorFixedLen+1+iteratorMACLen || raw[0] != iteratorVersion {
		return iterator{}, errInvalidIterator()
	}
	body, sum := raw[:len(raw)-iteratorMACLen], raw[len(raw)-iteratorMACLen:]
	mac := hmac.New(sha256.New, s.iterKey)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil)[:iteratorMACLen], sum) {
		return iterator{}, errInvalidIterator()
	}
	it := iterator{
		createdMs: int64(binary.BigEndian.Uint64(body[1:9])),
		shard:     int(binary.BigEndian.Uint32(body[9:13])),
		offset:    binary.BigEndian.Uint64(body[13:21]),
		issuedMs:  int64(binary.BigEndian.Uint64(body[21:29])),
	}
	if n := int(body[29]); len(body) != iteratorFixedLen+n {
		return iterator{}, errInvalidIterator()
	}
	it.stream = string(body[30:])
	if now := s.nowMs(); now-it.issuedMs > iteratorLifetime {
		return iterator{}, awsprotoErr(codeExpiredIterator, "Iterator expired. The iterator was created at time "+
			javaDate(it.issuedMs)+" while right now it is "+javaDate(now)+
			" which is further in the future than the tolerated delay of 300000 milliseconds.")
	}
	return it, nil
}

// javaDate formats like java.util.Date.toString in UTC, as AWS's messages do.
func javaDate(ms int64) string { return time.UnixMilli(ms).UTC().Format(javaDateLayout) }

func (s *Service) getShardIterator(ctx context.Context, in *getShardIteratorInput) (*getShardIteratorOutput, error) {
	c := s.check()
	c.ref(&in.streamRef)
	if c.Required(in.ShardId != nil, "shardId") {
		c.shardID(in.ShardId, "shardId")
	}
	if c.Required(in.ShardIteratorType != nil, shardIteratorType) {
		c.Enum(in.ShardIteratorType, shardIteratorType, iteratorTypes...)
	}
	c.Str(in.StartingSequenceNumber, "startingSequenceNumber", 0, 0, patternSequence)
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	var iter string
	err = s.readStream(name, func(st *stream) error {
		if err := s.activeForData(st); err != nil {
			return err
		}
		idx, ok := parseShardID(*in.ShardId)
		var rt *shardRT
		if ok {
			rt = st.shards[idx]
		}
		now := s.nowMs()
		if rt == nil || st.expired(rt, st.meta.retentionCutoff(now)) {
			return s.errShardNotFound(*in.ShardId, name)
		}
		if err := s.throttleIterator(rt, name); err != nil {
			return err
		}
		off, err := s.startOffset(st, rt, *in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp, now, "GetShardIterator")
		if err != nil {
			return err
		}
		iter = s.encodeIterator(iterator{stream: name, createdMs: st.meta.CreatedMs, shard: idx, offset: off, issuedMs: now})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &getShardIteratorOutput{ShardIterator: iter}, nil
}

// startOffset is the log offset a GetShardIterator / SubscribeToShard
// starting position refers to. The caller holds st.mu shared.
func (s *Service) startOffset(st *stream, rt *shardRT, typ string, seq *string, at *timestamp, now int64, opName string) (uint64, error) {
	shard := rt.id
	switch typ {
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if seq == nil {
			return 0, errInvalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s and no StartingSequenceNumber.", typ)
		}
		idx, pos, ok := parseSeq(*seq)
		if !ok {
			return 0, errInvalidArgument("StartingSequenceNumber %s used in %s on shard %s in stream %s under account %s is invalid.", *seq, opName, shard, st.meta.Name, s.cfg.AccountID)
		}
		if idx != rt.meta.Index {
			return 0, errInvalidArgument("Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", shardID(idx), shard)
		}
		if typ == "AFTER_SEQUENCE_NUMBER" || pos == 0 {
			return pos, nil // the offset after the record at position pos
		}
		return pos - 1, nil
	case "TRIM_HORIZON", "LATEST":
		if seq != nil {
			return 0, errInvalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s and also a StartingSequenceNumber.", typ)
		}
		if typ == "LATEST" {
			if !rt.meta.open() {
				return rt.meta.EndOffset, nil
			}
			return rt.log.End(), nil
		}
		return rt.log.Start(), nil // records before the retention cutoff are skipped on read
	case "AT_TIMESTAMP":
		if at == nil {
			return 0, errInvalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
		// Before the trim horizon reads from it (expired records are skipped
		// on read); in the future, from the tip.
		return rt.log.SeekTime(at.UnixMilli()), nil
	}
	return 0, errInvalidArgument("Invalid ShardIteratorType %s.", typ)
}
