package kinesis

import (
	"context"
	"sort"
)

const (
	maxShardsPerStream   = 10000
	maxScalingsPerDay    = 10
	maxModeChangesPerDay = 2
	dayMs                = 24 * msPerHour
)

// reshardable checks what SplitShard, MergeShards and UpdateShardCount need:
// a provisioned, ACTIVE stream.
func (s *Service) reshardable(st *stream, opName string) error {
	if st.meta.Mode == modeOnDemand {
		return errValidation("%s is not supported for stream %s under account %s because it is in ON_DEMAND mode.", opName, st.meta.Name, s.cfg.AccountID)
	}
	return s.requireActive(st)
}

// openShard finds an open shard for a reshard, with AWS's errors.
func (s *Service) openShard(st *stream, id string) (*shardMeta, error) {
	idx, ok := parseShardID(id)
	var sm *shardMeta
	if ok {
		sm = st.meta.shard(idx)
	}
	if sm == nil {
		return nil, s.errCouldNotFindShard(id, st.meta.Name)
	}
	if !sm.open() {
		return nil, errInvalidArgument("Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", id, st.meta.Name, s.cfg.AccountID)
	}
	return sm, nil
}

// closeShard closes a shard of m at now; its records end at the log's
// current end (no append is in flight: the caller holds st.mu exclusively).
func closeShard(st *stream, sm *shardMeta, now int64) {
	sm.ClosedMs = now
	if rt := st.shards[sm.Index]; rt != nil {
		sm.EndOffset = rt.log.End()
	}
}

func (s *Service) markUpdating(m *streamMeta, now int64) {
	m.Status, m.PendingUntil = statusUpdating, now+s.cfg.UpdateDelay.Milliseconds()
}

func (s *Service) splitShard(ctx context.Context, in *splitShardInput) (*none, error) {
	c := s.check()
	c.ref(&in.streamRef)
	if c.Required(in.ShardToSplit != nil, "shardToSplit") {
		c.shardID(in.ShardToSplit, "shardToSplit")
	}
	if c.Required(in.NewStartingHashKey != nil, "newStartingHashKey") {
		c.Str(in.NewStartingHashKey, "newStartingHashKey", 0, 0, patternHashKey)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	return nil, s.writeStream(name, func(st *stream) error {
		if err := s.reshardable(st, "SplitShard"); err != nil {
			return err
		}
		m := st.meta.clone()
		sm, err := s.openShard(st, *in.ShardToSplit)
		if err != nil {
			return err
		}
		parent := m.shard(sm.Index)
		start, _ := parseHashKey(parent.Start)
		end, _ := parseHashKey(parent.End)
		key, ok := parseHashKey(*in.NewStartingHashKey)
		if !ok || !start.add1().less(key) || !key.less(end) {
			return errInvalidArgument("NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
				*in.NewStartingHashKey, *in.ShardToSplit, name, s.cfg.AccountID, parent.Start, parent.End)
		}
		if total := s.openShards(); total+1 > shardLimit {
			return s.errShardLimit(total, 1)
		}
		now := s.nowMs()
		closeShard(st, parent, now)
		idx := parent.Index
		m.addShard(idx, -1, start, key.sub1(), now)
		m.addShard(idx, -1, key, end, now)
		s.markUpdating(&m, now)
		return s.commit(st, m)
	})
}

func (s *Service) mergeShards(ctx context.Context, in *mergeShardsInput) (*none, error) {
	c := s.check()
	c.ref(&in.streamRef)
	if c.Required(in.ShardToMerge != nil, "shardToMerge") {
		c.shardID(in.ShardToMerge, "shardToMerge")
	}
	if c.Required(in.AdjacentShardToMerge != nil, "adjacentShardToMerge") {
		c.shardID(in.AdjacentShardToMerge, "adjacentShardToMerge")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	return nil, s.writeStream(name, func(st *stream) error {
		if err := s.reshardable(st, "MergeShards"); err != nil {
			return err
		}
		a, err := s.openShard(st, *in.ShardToMerge)
		if err != nil {
			return err
		}
		b, err := s.openShard(st, *in.AdjacentShardToMerge)
		if err != nil {
			return err
		}
		aStart, _ := parseHashKey(a.Start)
		aEnd, _ := parseHashKey(a.End)
		bStart, _ := parseHashKey(b.Start)
		bEnd, _ := parseHashKey(b.End)
		var lo, hi hashKey
		switch {
		case a.Index != b.Index && aEnd != maxHashKey && aEnd.add1() == bStart:
			lo, hi = aStart, bEnd
		case a.Index != b.Index && bEnd != maxHashKey && bEnd.add1() == aStart:
			lo, hi = bStart, aEnd
		default:
			return errInvalidArgument("Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging",
				*in.ShardToMerge, *in.AdjacentShardToMerge, name, s.cfg.AccountID)
		}
		now := s.nowMs()
		m := st.meta.clone()
		closeShard(st, m.shard(a.Index), now)
		closeShard(st, m.shard(b.Index), now)
		m.addShard(a.Index, b.Index, lo, hi, now)
		s.markUpdating(&m, now)
		return s.commit(st, m)
	})
}

func (s *Service) updateShardCount(ctx context.Context, in *updateShardCountInput) (*updateShardCountOutput, error) {
	c := s.check()
	c.ref(&in.streamRef)
	if c.Required(in.TargetShardCount != nil, "targetShardCount") {
		c.Int(in.TargetShardCount, "targetShardCount", 1, 0)
	}
	if c.Required(in.ScalingType != nil, "scalingType") {
		c.Enum(in.ScalingType, "scalingType", "UNIFORM_SCALING")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	var out *updateShardCountOutput
	err = s.writeStream(name, func(st *stream) error {
		if err := s.reshardable(st, "UpdateShardCount"); err != nil {
			return err
		}
		now := s.nowMs()
		current := len(st.open)
		target := int(*in.TargetShardCount)
		switch {
		case target > 2*current:
			return errLimitExceeded("UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
		case target*2 < current:
			return errLimitExceeded("UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
		case target > maxShardsPerStream:
			return errLimitExceeded("UpdateShardCount cannot scale up to more than %d shards in a stream.", maxShardsPerStream)
		}
		recent := recentTimes(st.meta.Scalings, now)
		if len(recent) >= maxScalingsPerDay {
			return errLimitExceeded("Stream %s under account %s has exceeded its limit of %d UpdateShardCount calls in a rolling 24-hour period.", name, s.cfg.AccountID, maxScalingsPerDay)
		}
		if total := s.openShards(); target > current && total+target-current > shardLimit {
			return s.errShardLimit(total, target-current)
		}
		m := st.meta.clone()
		m.Scalings = append(recent, now)
		if target != current {
			rescale(st, &m, target, now)
		}
		s.markUpdating(&m, now)
		if err := s.commit(st, m); err != nil {
			return err
		}
		out = &updateShardCountOutput{StreamName: name, StreamARN: s.streamARN(name), CurrentShardCount: current, TargetShardCount: target}
		return nil
	})
	return out, err
}

// recentTimes keeps the times within the last 24 hours.
func recentTimes(times []int64, now int64) []int64 {
	var out []int64
	for _, t := range times {
		if now-t < dayMs {
			out = append(out, t)
		}
	}
	return out
}

// rescale replaces the open shards of m by target shards over even hash
// ranges, as AWS does, through splits and merges so that every shard keeps
// at most two parents (KCL walks that lineage): open shards are first split
// at the new boundaries, then the pieces of each new range are merged left
// to right. Intermediate shards close at once, empty.
func rescale(st *stream, m *streamMeta, target int, now int64) {
	type piece struct {
		index      int
		start, end hashKey
	}
	var pieces []piece
	var open []shardMeta // copies: addShard below may move m.Shards
	for i := range m.Shards {
		if m.Shards[i].open() {
			open = append(open, m.Shards[i])
		}
	}
	ranges := evenRanges(target)
	for _, sm := range open {
		start, _ := parseHashKey(sm.Start)
		end, _ := parseHashKey(sm.End)
		cur := piece{sm.Index, start, end}
		for _, r := range ranges[1:] {
			b := r[0]
			if !cur.start.less(b) || end.less(b) {
				continue
			}
			// Split cur at b.
			closeShard(st, m.shard(cur.index), now)
			left := m.addShard(cur.index, -1, cur.start, b.sub1(), now)
			pieces = append(pieces, piece{left.Index, cur.start, b.sub1()})
			right := m.addShard(cur.index, -1, b, cur.end, now)
			cur = piece{right.Index, b, cur.end}
		}
		pieces = append(pieces, cur)
	}
	sort.Slice(pieces, func(i, j int) bool { return pieces[i].start.less(pieces[j].start) })
	p := 0
	for _, r := range ranges {
		acc := pieces[p]
		p++
		for p < len(pieces) && !r[1].less(pieces[p].start) {
			next := pieces[p]
			p++
			closeShard(st, m.shard(acc.index), now)
			closeShard(st, m.shard(next.index), now)
			child := m.addShard(acc.index, next.index, acc.start, next.end, now)
			acc = piece{child.Index, acc.start, next.end}
		}
	}
}

func (s *Service) updateStreamMode(ctx context.Context, in *updateStreamModeInput) (*none, error) {
	c := s.check()
	if c.Required(in.StreamARN != nil, "streamARN") {
		c.Str(in.StreamARN, "streamARN", 1, 2048, patternStreamARN)
	}
	if c.Required(in.StreamModeDetails != nil, "streamModeDetails") {
		c.Enum(&in.StreamModeDetails.StreamMode, "streamModeDetails.streamMode", modeProvisioned, modeOnDemand)
	}
	c.Int(in.WarmThroughputMiBps, "warmThroughputMiBps", 0, 0)
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&streamRef{StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	return nil, s.writeStream(name, func(st *stream) error {
		if err := s.requireActive(st); err != nil {
			return err
		}
		mode := in.StreamModeDetails.StreamMode
		if st.meta.Mode == mode {
			return errInvalidArgument("Stream %s under account %s is already in %s mode.", name, s.cfg.AccountID, mode)
		}
		now := s.nowMs()
		recent := recentTimes(st.meta.ModeChanges, now)
		if len(recent) >= maxModeChangesPerDay {
			return errLimitExceeded("Stream %s under account %s has exceeded its limit of %d capacity mode changes in a rolling 24-hour period.", name, s.cfg.AccountID, maxModeChangesPerDay)
		}
		m := st.meta.clone()
		m.Mode = mode
		m.ModeChanges = append(recent, now)
		s.markUpdating(&m, now)
		return s.commit(st, m)
	})
}
