package kinesis

import (
	"context"
	"fmt"
)

// EnforceRetention reclaims what retention has expired, as of the service
// clock: every shard log drops its segments whose records are all older
// than the stream's retention cutoff, and closed shards whose records have
// all expired leave the metadata (and their logs are removed; children
// keep naming them as parents, which readers treat as already drained). Reads never
// return expired records whether or not this has run; Start runs it
// periodically, and tests call it after advancing the clock.
func (s *Service) EnforceRetention(ctx context.Context) error {
	if err := s.load(); err != nil {
		return err
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.streams))
	for n := range s.streams {
		names = append(names, n)
	}
	s.mu.RUnlock()
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.writeStream(n, func(st *stream) error { return s.trimStream(st) })
		if a := awsprotoAs(err); a != nil && a.Code == codeResourceNotFound {
			continue // deleted meanwhile
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// trimStream trims one stream; the caller holds st.mu exclusively.
func (s *Service) trimStream(st *stream) error {
	now := s.nowMs()
	cutoff := st.meta.retentionCutoff(now)
	var expired []int
	for i := range st.meta.Shards {
		sm := &st.meta.Shards[i]
		rt := st.shards[sm.Index]
		if _, err := rt.log.TrimBefore(cutoff); err != nil {
			return fmt.Errorf("kinesis: trim %s/%s: %w", st.meta.Name, rt.id, err)
		}
		if st.expired(rt, cutoff) {
			expired = append(expired, sm.Index)
		}
	}
	if len(expired) == 0 {
		return nil
	}
	m := st.meta.clone()
	gone := map[int]bool{}
	for _, idx := range expired {
		gone[idx] = true
	}
	kept := m.Shards[:0]
	for _, sm := range m.Shards {
		if !gone[sm.Index] {
			kept = append(kept, sm)
		}
	}
	m.Shards = kept
	if err := s.commit(st, m); err != nil {
		return err
	}
	for _, idx := range expired {
		if err := s.logs.Remove(logName(st.meta.ID, idx)); err != nil {
			s.cfg.Logger.Warn("kinesis: remove expired shard log", "stream", st.meta.Name, "shard", shardID(idx), "err", err)
		}
	}
	return nil
}
