package logs

import (
	"container/heap"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tributary-dev/tributary/internal/logs/filterpattern"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

const (
	filterStreamNamesMax = 100
	filterReadRecords    = 1 << 16
	filterReadBytes      = 16 << 20
)

// eventKey orders FilterLogEvents results: timestamp, then ingestion time,
// then stream number and offset (which make it total).
type eventKey struct {
	ts, ingest int64
	num, off   uint64
}

func (a eventKey) less(b eventKey) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	if a.ingest != b.ingest {
		return a.ingest < b.ingest
	}
	if a.num != b.num {
		return a.num < b.num
	}
	return a.off < b.off
}

// FilterLogEvents' nextToken is the key of the last event returned.
func encodeFilterToken(k eventKey) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("v1:%d:%d:%d:%d", k.ts, k.ingest, k.num, k.off)))
	return &t
}

func decodeFilterToken(t string) (eventKey, error) {
	raw, err := base64.RawURLEncoding.DecodeString(t)
	var k eventKey
	if err != nil {
		return k, errInvalidToken()
	}
	if _, err := fmt.Sscanf(string(raw), "v1:%d:%d:%d:%d", &k.ts, &k.ingest, &k.num, &k.off); err != nil {
		return k, errInvalidToken()
	}
	return k, nil
}

// filterHit is a matching event kept for the page.
type filterHit struct {
	key    eventKey
	stream string
	msg    []byte
}

// hitHeap is a max-heap of hits: the page keeps the smallest keys.
type hitHeap []*filterHit

func (h hitHeap) Len() int           { return len(h) }
func (h hitHeap) Less(i, j int) bool { return h[j].key.less(h[i].key) }
func (h hitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)        { *h = append(*h, x.(*filterHit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// filterScan is one FilterLogEvents evaluation over a group's streams.
type filterScan struct {
	pattern    *filterpattern.Pattern
	matchAll   bool
	start, end int64 // event timestamps, both inclusive
	cutoff     int64
	after      *eventKey
	limit      int
	hits       hitHeap
	more       bool // a matching event exists beyond the kept ones
}

func (s *Service) filterLogEvents(ctx context.Context, in *filterLogEventsInput) (*filterLogEventsOutput, error) {
	c := s.check()
	c.groupName(in.LogGroupName, "logGroupName")
	c.Str(in.LogGroupIdentifier, "logGroupIdentifier", 1, 2048, patternGroupIdentifier)
	if in.LogStreamNames != nil && (len(in.LogStreamNames) < 1 || len(in.LogStreamNames) > filterStreamNamesMax) {
		c.Add("["+strings.Join(in.LogStreamNames, ", ")+"]", "logStreamNames", lengthConstraint(len(in.LogStreamNames), 1, filterStreamNamesMax))
	}
	c.streamName(in.LogStreamNamePrefix, "logStreamNamePrefix")
	c.Str(in.FilterPattern, "filterPattern", 0, filterpattern.MaxLength, "")
	c.nextToken(in.NextToken)
	c.limit(in.Limit, maxPageEvents)
	if err := c.Err(); err != nil {
		return nil, err
	}
	groupName, err := s.resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != nil {
		return nil, errInvalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive")
	}
	scan := &filterScan{start: 0, end: 1<<63 - 1, limit: maxPageEvents}
	if in.StartTime != nil {
		scan.start = *in.StartTime
	}
	if in.EndTime != nil {
		scan.end = *in.EndTime
	}
	if in.Limit != nil {
		scan.limit = int(*in.Limit)
	}
	if in.NextToken != nil {
		k, err := decodeFilterToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		scan.after = &k
	}
	pattern := ""
	if in.FilterPattern != nil {
		pattern = *in.FilterPattern
	}
	if scan.pattern, err = filterpattern.Compile(pattern); err != nil {
		return nil, errInvalidParameter("Invalid filter pattern: %s", err.Error())
	}
	scan.matchAll = scan.pattern.Kind() == filterpattern.MatchAll

	var streams []*logStream
	err = s.readGroup(groupName, func(g *group) error {
		scan.cutoff = g.meta.cutoff(s.nowMs())
		if in.LogStreamNames != nil {
			for _, n := range in.LogStreamNames {
				if st := g.streams[n]; st != nil {
					streams = append(streams, st)
				}
			}
			return nil
		}
		for _, st := range g.sortedStreams() {
			if in.LogStreamNamePrefix == nil || strings.HasPrefix(st.meta.Name, *in.LogStreamNamePrefix) {
				streams = append(streams, st)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, st := range streams {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := scan.stream(st); err != nil && !errors.Is(err, streamlog.ErrClosed) { // ErrClosed: deleted meanwhile
			return nil, err
		}
	}
	return scan.page(), nil
}

// stream scans one stream's log. Records are read in place (no per-event
// allocation); only events that enter the page are copied.
func (f *filterScan) stream(st *logStream) error {
	l := st.log
	// Record.Time (ingestion) bounds the event timestamps: an event is at
	// most maxFutureMs newer and maxAgeMs older than its ingestion.
	lowest := max(f.start, f.cutoff)
	if f.after != nil {
		lowest = max(lowest, f.after.ts)
	}
	from := l.SeekTime(lowest - maxFutureMs)
	stop := l.End()
	if f.end < 1<<62 {
		stop = l.SeekTime(f.end + maxAgeMs + 1)
	}
	if from >= stop {
		return nil
	}
	st.mu.Lock()
	zones := append([]zone(nil), st.stats.zones...)
	zonedEnd := st.stats.zonedEnd
	st.mu.Unlock()
	num := st.meta.Num
	name := st.meta.Name
	var hit *filterHit // a spare, reused when an event is refused
	visit := func(off uint64, rec streamlog.Record) error {
		ts, msg := decodeEvent(rec.Data)
		if ts < f.start || ts > f.end || ts < f.cutoff {
			return nil
		}
		k := eventKey{ts: ts, ingest: rec.Time, num: num, off: off}
		if f.after != nil && !f.after.less(k) {
			return nil
		}
		full := len(f.hits) == f.limit
		if full && f.hits[0].key.less(k) {
			// Beyond the page: matching it only tells whether there is more.
			if !f.more && (f.matchAll || f.pattern.MatchBytes(msg)) {
				f.more = true
			}
			return nil
		}
		if !f.matchAll && !f.pattern.MatchBytes(msg) {
			return nil
		}
		if full {
			f.more = true
			hit = heap.Pop(&f.hits).(*filterHit)
		} else if hit == nil {
			hit = &filterHit{}
		}
		hit.key, hit.stream = k, name
		hit.msg = append(hit.msg[:0], msg...)
		heap.Push(&f.hits, hit)
		hit = nil
		return nil
	}
	for from < stop {
		end := stop
		if z := int(from / zoneEvents); z < len(zones) {
			end = min(stop, uint64(z+1)*zoneEvents)
			if end <= zonedEnd && f.skipZone(zones[z], lowest) {
				from = end
				continue
			}
		}
		for from < end {
			next, err := l.Read(from, min(filterReadRecords, int(end-from)), filterReadBytes, visit)
			if err != nil {
				return err
			}
			if next <= from {
				return nil
			}
			from = next
		}
	}
	return nil
}

// skipZone reports whether no event of a zone can enter the page: all
// are older than lowest, newer than the range's end, or (once the page is
// full and more is known to exist) newer than the page's last event.
func (f *filterScan) skipZone(z zone, lowest int64) bool {
	if z.max < lowest || z.min > f.end {
		return true
	}
	return f.more && len(f.hits) == f.limit && z.min > f.hits[0].key.ts
}

// page sorts the kept events and cuts the page at its byte limit.
func (f *filterScan) page() *filterLogEventsOutput {
	hits := []*filterHit(f.hits)
	sort.Slice(hits, func(i, j int) bool { return hits[i].key.less(hits[j].key) })
	out := &filterLogEventsOutput{Events: make([]filteredLogEvent, 0, len(hits)), SearchedLogStreams: []struct{}{}}
	bytes := 0
	for _, h := range hits {
		if bytes+len(h.msg)+eventOverhead > maxPageBytes {
			f.more = true
			break
		}
		bytes += len(h.msg) + eventOverhead
		out.Events = append(out.Events, filteredLogEvent{LogStreamName: h.stream, Timestamp: h.key.ts,
			Message: string(h.msg), IngestionTime: h.key.ingest, EventID: eventID(h.key.num, h.key.off, h.key.ts)})
	}
	if f.more && len(out.Events) > 0 {
		last := hits[len(out.Events)-1].key
		out.NextToken = encodeFilterToken(last)
	}
	return out
}
