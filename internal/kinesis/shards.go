package kinesis

import (
	"context"
	"strconv"
)

const (
	listShardsDefault = 1000
	msPerHour         = 3_600_000
)

func itoa(i int) string { return strconv.Itoa(i) }

// retentionCutoff is the arrival time before which a stream's records are
// expired (invisible to reads, reclaimable on disk).
func (m *streamMeta) retentionCutoff(now int64) int64 {
	return now - int64(m.RetentionHours)*msPerHour
}

// trimHorizon is the instant TRIM_HORIZON refers to: the retention cutoff,
// or the stream's creation if that is later.
func (m *streamMeta) trimHorizon(now int64) int64 {
	return max(m.retentionCutoff(now), m.CreatedMs)
}

// expired reports whether a closed shard holds no unexpired record: it is
// then left out of listings and removed by the retention work. Open shards
// never expire. The caller holds st.mu.
func (st *stream) expired(rt *shardRT, cutoff int64) bool {
	sm := rt.meta
	if sm.open() {
		return false
	}
	if sm.EndOffset == 0 || sm.EndOffset <= rt.log.Start() {
		return sm.ClosedMs < cutoff
	}
	last, err := rt.log.TimeAt(sm.EndOffset - 1)
	if err != nil {
		return true // trimmed
	}
	return last < cutoff
}

// visibleShards are the shards listings show, in shard id order.
func (s *Service) visibleShards(st *stream, now int64) []*shardMeta {
	cutoff := st.meta.retentionCutoff(now)
	out := make([]*shardMeta, 0, len(st.meta.Shards))
	for i := range st.meta.Shards {
		sm := &st.meta.Shards[i]
		if !st.expired(st.shards[sm.Index], cutoff) {
			out = append(out, sm)
		}
	}
	return out
}

func describeShard(sm *shardMeta) shardOut {
	out := shardOut{ShardId: shardID(sm.Index),
		HashKeyRange:        hashKeyRange{StartingHashKey: sm.Start, EndingHashKey: sm.End},
		SequenceNumberRange: sequenceNumberRange{StartingSequenceNumber: formatSeq(sm.Index, 0)}}
	if sm.Parent >= 0 {
		out.ParentShardId = shardID(sm.Parent)
	}
	if sm.AdjacentParent >= 0 {
		out.AdjacentParentShardId = shardID(sm.AdjacentParent)
	}
	if !sm.open() {
		out.SequenceNumberRange.EndingSequenceNumber = formatSeq(sm.Index, sm.EndOffset) // its last record's
	}
	return out
}

// childShards lists the shards whose parent is the given one.
func (st *stream) childShards(index int) []childShard {
	var out []childShard
	for i := range st.meta.Shards {
		sm := &st.meta.Shards[i]
		if sm.Parent != index && sm.AdjacentParent != index {
			continue
		}
		parents := []string{shardID(sm.Parent)}
		if sm.AdjacentParent >= 0 {
			parents = append(parents, shardID(sm.AdjacentParent))
		}
		out = append(out, childShard{ShardId: shardID(sm.Index), ParentShards: parents,
			HashKeyRange: hashKeyRange{StartingHashKey: sm.Start, EndingHashKey: sm.End}})
	}
	return out
}

var shardFilterTypes = []string{"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"}

func (s *Service) listShards(ctx context.Context, in *listShardsInput) (*listShardsOutput, error) {
	c := s.check()
	c.ref(&in.streamRef)
	c.Str(in.NextToken, "nextToken", 1, 1048576, "")
	c.shardID(in.ExclusiveStartShardId, "exclusiveStartShardId")
	c.Int(in.MaxResults, "maxResults", 1, 10000)
	if f := in.ShardFilter; f != nil {
		if c.Required(f.Type != nil, "shardFilter.type") {
			c.Enum(f.Type, "shardFilter.type", shardFilterTypes...)
		}
		c.shardID(f.ShardId, "shardFilter.shardId")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	limit := listShardsDefault
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	var tok pageToken
	if in.NextToken != nil {
		if in.StreamName != nil {
			return nil, errInvalidArgument("NextToken and StreamName cannot be provided together.")
		}
		if in.ExclusiveStartShardId != nil || in.StreamCreationTimestamp != nil {
			return nil, errInvalidArgument("NextToken cannot be provided together with ExclusiveStartShardId or StreamCreationTimestamp.")
		}
		t, err := s.decodeToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		if in.StreamARN != nil {
			if name, ok := s.parseStreamARN(*in.StreamARN); !ok || name != t.Stream {
				return nil, errInvalidArgument("StreamARN %s does not match the NextToken.", *in.StreamARN)
			}
		}
		tok = t
	} else {
		if in.StreamName == nil && in.StreamARN == nil {
			return nil, errInvalidArgument("Either NextToken or StreamName should be provided.")
		}
		name, err := s.streamName(&in.streamRef)
		if err != nil {
			return nil, err
		}
		tok = pageToken{Stream: name}
		if in.ExclusiveStartShardId != nil {
			tok.After = *in.ExclusiveStartShardId
		}
		if in.StreamCreationTimestamp != nil {
			tok.Created = in.StreamCreationTimestamp.UnixMilli()
		}
		if f := in.ShardFilter; f != nil {
			tok.Filter = *f.Type
			switch tok.Filter {
			case "AFTER_SHARD_ID":
				if f.ShardId == nil {
					return nil, errInvalidArgument("Must specify ShardId in ShardFilter when the filter type is AFTER_SHARD_ID.")
				}
				tok.FilterShard = *f.ShardId
			case "AT_TIMESTAMP", "FROM_TIMESTAMP":
				if f.Timestamp == nil {
					return nil, errInvalidArgument("Must specify Timestamp in ShardFilter when the filter type is %s.", tok.Filter)
				}
				tok.FilterTime = f.Timestamp.UnixMilli()
			}
		}
	}
	out := &listShardsOutput{Shards: []shardOut{}}
	err := s.readStream(tok.Stream, func(st *stream) error {
		if tok.Created != 0 && tok.Created/1000 != st.meta.CreatedMs/1000 {
			return s.errStreamNotFound(tok.Stream)
		}
		now := s.nowMs()
		after := -1
		if tok.After != "" {
			if idx, ok := parseShardID(tok.After); ok {
				after = idx
			}
		}
		keep := s.shardFilter(st, &tok, now)
		for _, sm := range s.visibleShards(st, now) {
			if sm.Index <= after || !keep(sm) {
				continue
			}
			if len(out.Shards) == limit {
				next := tok
				next.After, next.Issued, next.Created = out.Shards[len(out.Shards)-1].ShardId, now, st.meta.CreatedMs
				out.NextToken = encodeToken(next)
				break
			}
			out.Shards = append(out.Shards, describeShard(sm))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// shardFilter returns the ShardFilter's predicate (spec §1.3; ListShards).
func (s *Service) shardFilter(st *stream, tok *pageToken, now int64) func(*shardMeta) bool {
	openAt := func(t int64) func(*shardMeta) bool {
		return func(sm *shardMeta) bool { return sm.CreatedMs <= t && (sm.open() || sm.ClosedMs > t) }
	}
	openFrom := func(t int64) func(*shardMeta) bool {
		return func(sm *shardMeta) bool { return sm.open() || sm.ClosedMs > t }
	}
	th := st.meta.trimHorizon(now)
	switch tok.Filter {
	case "AT_LATEST":
		return func(sm *shardMeta) bool { return sm.open() }
	case "AT_TRIM_HORIZON":
		return openAt(th)
	case "AT_TIMESTAMP":
		return openAt(max(tok.FilterTime, th))
	case "FROM_TIMESTAMP":
		return openFrom(max(tok.FilterTime, th))
	case "AFTER_SHARD_ID":
		after, _ := parseShardID(tok.FilterShard)
		return func(sm *shardMeta) bool { return sm.Index > after }
	default: // FROM_TRIM_HORIZON and no filter: every unexpired shard
		return func(*shardMeta) bool { return true }
	}
}
