package logs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// GetLogEvents page limits (spec §3.3).
const (
	maxPageEvents = 10_000
	maxPageBytes  = 1_048_576
	tokenDigits   = 56
)

// GetLogEvents tokens are "f/" or "b/" and a 56-digit position: the offset
// in the stream's log the next page starts after (f) or ends before (b).
func positionToken(dir byte, off uint64) string {
	return fmt.Sprintf("%c/%0*d", dir, tokenDigits, off)
}

func parsePositionToken(t string) (dir byte, off uint64, err error) {
	if len(t) != 2+tokenDigits || (t[0] != 'f' && t[0] != 'b') || t[1] != '/' {
		return 0, 0, errInvalidToken()
	}
	digits := strings.TrimLeft(t[2:], "0")
	if digits == "" {
		return t[0], 0, nil
	}
	off, perr := strconv.ParseUint(digits, 10, 64)
	if perr != nil {
		return 0, 0, errInvalidToken()
	}
	return t[0], off, nil
}

type eventRange struct {
	start, end int64 // event timestamps: [start, end)
	cutoff     int64 // retention: events before it are invisible
}

func (r *eventRange) contains(ts int64) bool { return ts >= r.start && ts < r.end && ts >= r.cutoff }

// zoneMap is a snapshot of a stream's zones (see streamStats).
type zoneMap struct {
	zones    []zone
	zonedEnd uint64
}

func (st *logStream) zoneMap() zoneMap {
	st.mu.Lock()
	defer st.mu.Unlock()
	return zoneMap{zones: append([]zone(nil), st.stats.zones...), zonedEnd: st.stats.zonedEnd}
}

// skip reports whether the zone holding offsets [lo, hi) is known to hold
// no event of r.
func (m *zoneMap) skip(r *eventRange, lo, hi uint64) bool {
	z := int(lo / zoneEvents)
	if z >= len(m.zones) || hi > m.zonedEnd || hi > uint64(z+1)*zoneEvents {
		return false
	}
	return m.zones[z].max < max(r.start, r.cutoff) || m.zones[z].min >= r.end
}

func (s *Service) getLogEvents(ctx context.Context, in *getLogEventsInput) (*getLogEventsOutput, error) {
	c := s.check()
	c.groupName(in.LogGroupName, "logGroupName")
	c.Str(in.LogGroupIdentifier, "logGroupIdentifier", 1, 2048, patternGroupIdentifier)
	if c.Required(in.LogStreamName != nil, "logStreamName") {
		c.streamName(in.LogStreamName, "logStreamName")
	}
	c.nextToken(in.NextToken)
	c.limit(in.Limit, maxPageEvents)
	if err := c.Err(); err != nil {
		return nil, err
	}
	groupName, err := s.resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	limit := maxPageEvents
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	rng := eventRange{start: 0, end: 1<<63 - 1}
	if in.StartTime != nil {
		rng.start = *in.StartTime
	}
	if in.EndTime != nil {
		rng.end = *in.EndTime
	}
	var dir byte = 'b'
	var pos uint64
	hasToken := in.NextToken != nil
	if hasToken {
		if dir, pos, err = parsePositionToken(*in.NextToken); err != nil {
			return nil, err
		}
	} else if in.StartFromHead != nil && *in.StartFromHead {
		dir = 'f'
	}
	var l *streamlog.Log
	var zones zoneMap
	err = s.readGroup(groupName, func(g *group) error {
		st, err := g.stream(*in.LogStreamName)
		if err != nil {
			return err
		}
		l = st.log
		zones = st.zoneMap()
		rng.cutoff = g.meta.cutoff(s.nowMs())
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !hasToken {
		if dir == 'f' {
			pos = l.Start()
		} else {
			pos = l.End()
		}
	}
	var events []outputLogEvent
	var first, next uint64
	if dir == 'f' {
		events, first, next, err = readForward(l, &zones, pos, limit, &rng)
	} else {
		events, first, next, err = readBackward(l, &zones, pos, limit, &rng)
	}
	if errors.Is(err, streamlog.ErrClosed) {
		return nil, errNotFound(msgStreamNotFound) // deleted meanwhile
	}
	if err != nil {
		return nil, err
	}
	if events == nil {
		events = []outputLogEvent{} // AWS sends "events":[]; boto3 drops a null member
	}
	out := &getLogEventsOutput{Events: events}
	if len(events) == 0 {
		// Nothing more in this direction: the token given comes back,
		// which is how callers know they reached the end.
		if hasToken {
			out.NextForwardToken = positionToken('f', pos)
			out.NextBackwardToken = positionToken('b', pos)
			if dir == 'f' {
				out.NextForwardToken = *in.NextToken
			} else {
				out.NextBackwardToken = *in.NextToken
			}
		} else {
			out.NextForwardToken = positionToken('f', pos)
			out.NextBackwardToken = positionToken('b', pos)
		}
		return out, nil
	}
	out.NextForwardToken = positionToken('f', next)
	out.NextBackwardToken = positionToken('b', first)
	return out, nil
}

// errStopRead ends a streamlog Read early.
var errStopRead = errors.New("logs: stop reading")

// readForward returns up to limit visible events from offset pos on (and
// at most a page of bytes), the offset of the first one and the offset
// after the last record examined.
func readForward(l *streamlog.Log, zones *zoneMap, pos uint64, limit int, rng *eventRange) (events []outputLogEvent, first, next uint64, err error) {
	bytes := 0
	next = max(pos, l.Start())
	end := l.End()
	for next < end {
		before := next
		blockEnd := min(end, (next/zoneEvents+1)*zoneEvents)
		if zones.skip(rng, next, blockEnd) {
			next = blockEnd
			continue
		}
		n, rerr := l.Read(next, int(blockEnd-next), 4<<20, func(off uint64, rec streamlog.Record) error {
			ts, msg := decodeEvent(rec.Data)
			if rng.contains(ts) {
				if len(events) == limit || bytes+len(msg)+eventOverhead > maxPageBytes {
					return errStopRead
				}
				if len(events) == 0 {
					first = off
				}
				events = append(events, outputLogEvent{Timestamp: ts, Message: string(msg), IngestionTime: rec.Time})
				bytes += len(msg) + eventOverhead
			}
			next = off + 1
			return nil
		})
		if rerr == errStopRead {
			break
		}
		if rerr != nil {
			return nil, 0, 0, rerr
		}
		if n > next {
			next = n
		}
		if next == before {
			break // nothing held from here (trimmed meanwhile)
		}
	}
	return events, first, next, nil
}

// readBackward returns up to limit visible events before offset pos (the
// newest of them, in ascending order), the offset of the first one and the
// offset after the last one.
func readBackward(l *streamlog.Log, zones *zoneMap, pos uint64, limit int, rng *eventRange) (events []outputLogEvent, first, next uint64, err error) {
	start := l.Start()
	if end := l.End(); pos > end {
		pos = end
	}
	hi := pos
	bytes := 0
	var chunks [][]outputLogEvent // newest chunk first
	var chunkFirst []uint64
	count := 0
	done := false
	for hi > start && !done {
		lo := max(start, (hi-1)/zoneEvents*zoneEvents) // chunks are zones
		if zones.skip(rng, lo, hi) {
			hi = lo
			continue
		}
		var chunk []outputLogEvent
		var offs []uint64
		_, rerr := l.Read(lo, int(hi-lo), 1<<62, func(off uint64, rec streamlog.Record) error {
			ts, msg := decodeEvent(rec.Data)
			if rng.contains(ts) {
				chunk = append(chunk, outputLogEvent{Timestamp: ts, Message: string(msg), IngestionTime: rec.Time})
				offs = append(offs, off)
			}
			return nil
		})
		if rerr != nil {
			return nil, 0, 0, rerr
		}
		// Keep the newest events of the chunk that still fit.
		k := len(chunk)
		for k > 0 && count < limit && bytes+len(chunk[k-1].Message)+eventOverhead <= maxPageBytes {
			k--
			count++
			bytes += len(chunk[k].Message) + eventOverhead
		}
		if k > 0 {
			done = true
		}
		if k < len(chunk) {
			if next == 0 && len(chunks) == 0 {
				next = offs[len(offs)-1] + 1
			}
			chunks = append(chunks, chunk[k:])
			chunkFirst = append(chunkFirst, offs[k])
		}
		if count == limit {
			done = true
		}
		hi = lo
	}
	for i := len(chunks) - 1; i >= 0; i-- {
		events = append(events, chunks[i]...)
	}
	if len(chunkFirst) > 0 {
		first = chunkFirst[len(chunkFirst)-1]
	}
	return events, first, next, nil
}
