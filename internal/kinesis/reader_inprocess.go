package kinesis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// In-process reads for consumers inside Tributary (Lambda's Kinesis event
// source mappings, adapted by internal/app). They read a shard by stream
// ARN straight from its log, without iterators or HTTP, under the same
// rules as GetRecords: records past retention are skipped, a closed shard
// ends at its last record, and nothing is changed (no throttling charge,
// no metadata write).

// ErrShardNotFound: the stream has no such shard (never had, or it expired).
var ErrShardNotFound = errors.New("kinesis: shard not found")

// ShardInfo is a shard as an in-process reader sees it.
type ShardInfo struct {
	ID string
	// ParentIDs are the parent and adjacent parent, when the shard has them.
	ParentIDs []string
	// StartingSequence is the shard's StartingSequenceNumber: reading after
	// it reads from the shard's first record.
	StartingSequence string
	// Closed is true once the shard was split, merged or rescaled away: it
	// receives no more records.
	Closed bool
}

// ReadRecord is one record read in process. Data is the caller's own copy.
type ReadRecord struct {
	SequenceNumber string
	PartitionKey   string
	Data           []byte
	Arrival        time.Time
}

// ShardsByARN lists the stream's unexpired shards in shard id order, as
// ListShards does.
func (s *Service) ShardsByARN(ctx context.Context, streamARN string) ([]ShardInfo, error) {
	var out []ShardInfo
	err := s.readByARN(streamARN, func(st *stream) error {
		for _, sm := range s.visibleShards(st, s.nowMs()) {
			info := ShardInfo{ID: shardID(sm.Index), StartingSequence: formatSeq(sm.Index, 0), Closed: !sm.open()}
			if sm.Parent >= 0 {
				info.ParentIDs = append(info.ParentIDs, shardID(sm.Parent))
			}
			if sm.AdjacentParent >= 0 {
				info.ParentIDs = append(info.ParentIDs, shardID(sm.AdjacentParent))
			}
			out = append(out, info)
		}
		return nil
	})
	return out, err
}

// ReadAfterByARN reads up to max records (and about maxBytes of data and
// keys; at least one record if any) that follow afterSeq in the shard, as
// GetRecords from an AFTER_SEQUENCE_NUMBER iterator. afterSeq may be the
// shard's StartingSequence.
func (s *Service) ReadAfterByARN(ctx context.Context, streamARN, shard, afterSeq string, max, maxBytes int) ([]ReadRecord, error) {
	var out []ReadRecord
	err := s.readShardByARN(streamARN, shard, func(st *stream, rt *shardRT, now int64) error {
		idx, pos, ok := parseSeq(afterSeq)
		if !ok || idx != rt.meta.Index {
			return errInvalidArgument("Invalid StartingSequenceNumber %s for shard %s in stream %s.", afterSeq, rt.id, st.meta.Name)
		}
		var err error
		out, err = s.readInProcess(st, rt, pos, max, maxBytes, now)
		return err
	})
	return out, err
}

// ReadFromTrimHorizonByARN reads from the oldest unexpired record of the
// shard, as a TRIM_HORIZON iterator does.
func (s *Service) ReadFromTrimHorizonByARN(ctx context.Context, streamARN, shard string, max, maxBytes int) ([]ReadRecord, error) {
	var out []ReadRecord
	err := s.readShardByARN(streamARN, shard, func(st *stream, rt *shardRT, now int64) error {
		var err error
		out, err = s.readInProcess(st, rt, rt.log.Start(), max, maxBytes, now)
		return err
	})
	return out, err
}

// ReadAtTimestampByARN reads from the first record that arrived at or after
// ts, as an AT_TIMESTAMP iterator does (before the trim horizon: from it).
func (s *Service) ReadAtTimestampByARN(ctx context.Context, streamARN, shard string, ts time.Time, max, maxBytes int) ([]ReadRecord, error) {
	var out []ReadRecord
	err := s.readShardByARN(streamARN, shard, func(st *stream, rt *shardRT, now int64) error {
		var err error
		out, err = s.readInProcess(st, rt, rt.log.SeekTime(ts.UnixMilli()), max, maxBytes, now)
		return err
	})
	return out, err
}

// LatestSequenceByARN is the sequence number of the shard's newest record
// ("" while it has none): reading after it reads what LATEST would.
func (s *Service) LatestSequenceByARN(ctx context.Context, streamARN, shard string) (string, error) {
	var seq string
	err := s.readShardByARN(streamARN, shard, func(st *stream, rt *shardRT, now int64) error {
		end := rt.log.End()
		if !rt.meta.open() {
			end = min(end, rt.meta.EndOffset)
		}
		if end > 0 {
			seq = recordSeq(rt.meta.Index, end-1)
		}
		return nil
	})
	return seq, err
}

// readByARN runs fn with the ARN's stream locked shared; a missing (or
// still CREATING) stream is ErrStreamNotFound.
func (s *Service) readByARN(streamARN string, fn func(st *stream) error) error {
	if err := s.load(); err != nil {
		return err
	}
	name, ok := s.parseStreamARN(streamARN)
	if !ok {
		return fmt.Errorf("%w: %s", ErrStreamNotFound, streamARN)
	}
	err := s.readStream(name, func(st *stream) error {
		if err := s.activeForData(st); err != nil {
			return fmt.Errorf("%w: %w", ErrStreamNotFound, err)
		}
		return fn(st)
	})
	if a := awsprotoAs(err); a != nil && a.Code == codeResourceNotFound && !errors.Is(err, ErrStreamNotFound) && !errors.Is(err, ErrShardNotFound) {
		return fmt.Errorf("%w: %w", ErrStreamNotFound, err)
	}
	return err
}

// readShardByARN runs fn on one unexpired shard of the ARN's stream.
func (s *Service) readShardByARN(streamARN, shard string, fn func(st *stream, rt *shardRT, now int64) error) error {
	return s.readByARN(streamARN, func(st *stream) error {
		now := s.nowMs()
		var rt *shardRT
		if idx, ok := parseShardID(shard); ok {
			rt = st.shards[idx]
		}
		if rt == nil || st.expired(rt, st.meta.retentionCutoff(now)) {
			return fmt.Errorf("%w: %w", ErrShardNotFound, s.errShardNotFound(shard, st.meta.Name))
		}
		return fn(st, rt, now)
	})
}

// readInProcess reads from a log offset with GetRecords' rules (retention
// skip, a closed shard's end) and copies the records out. The caller holds
// st.mu shared.
func (s *Service) readInProcess(st *stream, rt *shardRT, from uint64, limit, maxBytes int, now int64) ([]ReadRecord, error) {
	if limit <= 0 || limit > maxGetRecords {
		limit = maxGetRecords
	}
	if maxBytes <= 0 || maxBytes > maxGetRecordsBytes {
		maxBytes = maxGetRecordsBytes
	}
	lg := rt.log
	start := max(from, lg.Start())
	if t, err := lg.TimeAt(start); err == nil && t < st.meta.retentionCutoff(now) {
		start = max(start, lg.SeekTime(st.meta.retentionCutoff(now)))
	}
	end := lg.End()
	if !rt.meta.open() {
		end = min(end, rt.meta.EndOffset)
	}
	if start >= end {
		return nil, nil
	}
	n := min(uint64(limit), end-start)
	out := make([]ReadRecord, 0, n)
	_, err := lg.Read(start, int(n), maxBytes, func(off uint64, rec streamlog.Record) error {
		pk, data, err := parseFrame(rec.Data)
		if err != nil {
			return fmt.Errorf("kinesis: %s/%s offset %d: %w", st.meta.Name, rt.id, off, err)
		}
		out = append(out, ReadRecord{SequenceNumber: recordSeq(rt.meta.Index, off), PartitionKey: string(pk),
			Data: append([]byte{}, data...), Arrival: time.UnixMilli(rec.Time)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
