package logs

import (
	"context"
	"fmt"
)

// EnforceRetention reclaims what retention has expired, as of the service
// clock. Reads never return expired events whether or not it has run (they
// compare each event's timestamp with the group's cutoff); this records
// the cutoff as the group's PurgedBefore, drops the expired events from the
// storedBytes statistics for good, and deletes the segment files whose
// events have all expired. A segment goes only when every record's
// ingestion time is more than maxFutureMs before the cutoff: an event's
// timestamp is at most that much newer than its ingestion, so all of its
// events are older than the cutoff. Start runs this every
// MaintenanceInterval; tests call it after advancing the clock.
func (s *Service) EnforceRetention(ctx context.Context) error {
	if err := s.load(); err != nil {
		return err
	}
	s.mu.RLock()
	names := sortedKeys(s.groups)
	s.mu.RUnlock()
	now := s.nowMs()
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.writeGroup(n, func(g *group) error {
			if g.meta.RetentionDays == 0 {
				return nil
			}
			cutoff := g.meta.cutoff(now)
			if cutoff > g.meta.PurgedBefore {
				m := g.meta.clone()
				m.PurgedBefore = cutoff
				if err := s.commitGroup(g, m, nil); err != nil {
					return err
				}
			}
			for _, st := range g.streams {
				st.mu.Lock()
				st.stats.purge(cutoff)
				st.mu.Unlock()
				if _, err := st.log.TrimBefore(cutoff - maxFutureMs); err != nil {
					return fmt.Errorf("logs: trim %s/%s: %w", g.meta.Name, st.meta.Name, err)
				}
			}
			return nil
		})
		if err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}
