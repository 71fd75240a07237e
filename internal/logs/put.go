package logs

import (
	"context"
	"encoding/binary"
	"strconv"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// PutLogEvents limits (spec §3.2).
const (
	maxBatchBytes    = 1_048_576
	eventOverhead    = 26
	maxEventBytes    = maxBatchBytes - eventOverhead
	maxBatchEvents   = 10_000
	maxBatchSpanMs   = 24 * 60 * 60 * 1000
	maxFutureMs      = 2 * 60 * 60 * 1000
	maxAgeMs         = 14 * dayMs
	msgOutOfOrder    = "Log events in a single PutLogEvents request must be in chronological order."
	msgSpanTooLong   = "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
	fmtBatchTooLarge = "Upload too large: %d bytes exceeds limit of %d"
	fmtEventTooLarge = "Log event too large: %d bytes exceeds limit of %d"
)

func (s *Service) putLogEvents(ctx context.Context, in *putLogEventsInput) (*putLogEventsOutput, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if c.Required(in.LogStreamName != nil, "logStreamName") {
		c.streamName(in.LogStreamName, "logStreamName")
	}
	if c.Required(in.LogEvents != nil, "logEvents") && (len(in.LogEvents) < 1 || len(in.LogEvents) > maxBatchEvents) {
		c.Add("["+strconv.Itoa(len(in.LogEvents))+" events]", "logEvents", lengthConstraint(len(in.LogEvents), 1, maxBatchEvents))
	}
	for i := range in.LogEvents {
		if c.Len() >= 10 {
			break
		}
		e := &in.LogEvents[i]
		member := "logEvents." + strconv.Itoa(i+1) + ".member."
		if c.Required(e.Timestamp != nil, member+"timestamp") && *e.Timestamp < 0 {
			c.Add(itoa(*e.Timestamp), member+"timestamp", "Member must have value greater than or equal to 0")
		}
		if c.Required(e.Message != nil, member+"message") && len(*e.Message) == 0 {
			c.Add("", member+"message", awsproto.ConstraintMinLength(1))
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	events := in.LogEvents

	// Whole-call checks first: nothing is stored when one fails.
	total := 0
	for i := range events {
		n := len(*events[i].Message)
		if n > maxEventBytes {
			return nil, errInvalidParameter(fmtEventTooLarge, n, maxEventBytes)
		}
		total += n + eventOverhead
		if i > 0 && *events[i].Timestamp < *events[i-1].Timestamp {
			return nil, errInvalidParameter(msgOutOfOrder)
		}
	}
	if total > maxBatchBytes {
		return nil, errInvalidParameter(fmtBatchTooLarge, total, maxBatchBytes)
	}

	var out putLogEventsOutput
	err := s.readGroup(*in.LogGroupName, func(g *group) error {
		st, err := g.stream(*in.LogStreamName)
		if err != nil {
			return err
		}
		now := s.nowMs()
		// Sorted input: too-old and expired events are a prefix, too-new a suffix.
		lo, hi := 0, len(events)
		tooOld, expired := 0, 0
		for lo < hi && *events[lo].Timestamp < now-maxAgeMs {
			lo++
		}
		tooOld = lo
		if g.meta.RetentionDays > 0 || g.meta.PurgedBefore > 0 {
			cutoff := g.meta.cutoff(now)
			for expired < hi && *events[expired].Timestamp < cutoff {
				expired++
			}
			if expired > lo {
				lo = expired
			}
		}
		for hi > lo && *events[hi-1].Timestamp > now+maxFutureMs {
			hi--
		}
		if lo < hi && *events[hi-1].Timestamp-*events[lo].Timestamp > maxBatchSpanMs {
			return errInvalidParameter(msgSpanTooLong)
		}
		if tooOld > 0 || expired > 0 || hi < len(events) {
			info := &rejectedLogEventsInfo{}
			if tooOld > 0 {
				info.TooOldLogEventEndIndex = &tooOld
			}
			if expired > 0 {
				info.ExpiredLogEventEndIndex = &expired
			}
			if hi < len(events) {
				info.TooNewLogEventStartIndex = &hi
			}
			out.RejectedLogEventsInfo = info
		}
		if lo == hi {
			return nil
		}
		return s.appendEvents(g, st, events[lo:hi], now)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// appendEvents stores events (already validated, in order) as one append
// to the stream's log, then updates its statistics and wakes the group's
// subscription workers. The caller holds g.mu shared.
func (s *Service) appendEvents(g *group, st *logStream, events []inputLogEvent, now int64) error {
	size := 0
	for i := range events {
		size += eventHeaderBytes + len(*events[i].Message)
	}
	buf := make([]byte, size)
	recs := make([]streamlog.Record, len(events))
	pos := 0
	for i := range events {
		e := &events[i]
		rec := buf[pos : pos+eventHeaderBytes+len(*e.Message)]
		binary.BigEndian.PutUint64(rec, uint64(*e.Timestamp))
		copy(rec[eventHeaderBytes:], *e.Message)
		recs[i] = streamlog.Record{Time: now, Data: rec}
		pos += len(rec)
	}
	first, err := st.log.Append(recs)
	if err != nil {
		return err
	}
	st.mu.Lock()
	for i := range events {
		st.stats.add(*events[i].Timestamp, now, int64(len(*events[i].Message)))
		st.stats.addZone(first+uint64(i), *events[i].Timestamp)
	}
	st.mu.Unlock()
	for _, sub := range g.subs {
		sub.wake()
	}
	return nil
}
