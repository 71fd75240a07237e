package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// stream finds a stream of g; the caller holds g.mu.
func (g *group) stream(name string) (*logStream, error) {
	st := g.streams[name]
	if st == nil {
		return nil, errNotFound(msgStreamNotFound)
	}
	return st, nil
}

func (s *Service) createLogStream(ctx context.Context, in *streamNameInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if c.Required(in.LogStreamName != nil, "logStreamName") {
		c.streamName(in.LogStreamName, "logStreamName")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	name := *in.LogStreamName
	return nil, s.writeGroup(*in.LogGroupName, func(g *group) error {
		if _, exists := g.streams[name]; exists {
			return errExists(msgStreamExists)
		}
		m := g.meta.clone()
		sm := streamMeta{GroupID: m.ID, Name: name, Num: m.NextStream, Created: s.nowMs()}
		m.NextStream++
		data, err := json.Marshal(sm)
		if err != nil {
			return err
		}
		// The log exists before the metadata names it; a crash between
		// leaves an empty log no stream refers to (its number is not reused).
		l, err := s.logs.Log(logName(m.ID, sm.Num))
		if err != nil {
			return err
		}
		if err := s.commitGroup(g, m, func(w kv.Writer) error { return w.Put(streamKey(m.ID, name), data) }); err != nil {
			return err
		}
		g.addStream(&logStream{meta: sm, log: l})
		return nil
	})
}

func (s *Service) deleteLogStream(ctx context.Context, in *streamNameInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if c.Required(in.LogStreamName != nil, "logStreamName") {
		c.streamName(in.LogStreamName, "logStreamName")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	var gone *logStream
	err := s.writeGroup(*in.LogGroupName, func(g *group) error {
		if g.meta.DeletionProtection {
			return errDeletionProtected(g.meta.Name)
		}
		st, err := g.stream(*in.LogStreamName)
		if err != nil {
			return err
		}
		if err := s.kv.Update(func(w kv.Writer) error { return w.Delete(streamKey(g.meta.ID, st.meta.Name)) }); err != nil {
			return err
		}
		g.removeStream(st)
		gone = st
		return s.logs.Remove(logName(st.meta.GroupID, st.meta.Num))
	})
	if err != nil && gone != nil {
		s.cfg.Logger.Warn("logs: remove stream log", "stream", gone.meta.Name, "err", err)
		return nil, nil
	}
	return nil, err
}

func (s *Service) describeLogStreams(ctx context.Context, in *describeLogStreamsInput) (*describeLogStreamsOutput, error) {
	c := s.check()
	c.groupName(in.LogGroupName, "logGroupName")
	c.Str(in.LogGroupIdentifier, "logGroupIdentifier", 1, 2048, patternGroupIdentifier)
	c.streamName(in.LogStreamNamePrefix, "logStreamNamePrefix")
	c.Enum(in.OrderBy, "orderBy", "LogStreamName", "LastEventTime")
	c.nextToken(in.NextToken)
	c.limit(in.Limit, describePageMax)
	if err := c.Err(); err != nil {
		return nil, err
	}
	groupName, err := s.resolveGroup(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	byTime := in.OrderBy != nil && *in.OrderBy == "LastEventTime"
	if byTime && in.LogStreamNamePrefix != nil {
		return nil, errInvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	desc := in.Descending != nil && *in.Descending
	limit := describePageDefault
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	after, err := decodePageToken("streams", in.NextToken)
	if err != nil {
		return nil, err
	}
	type row struct {
		out  logStreamOut
		last int64
	}
	var rows []row
	err = s.readGroup(groupName, func(g *group) error {
		for _, st := range g.streams {
			if in.LogStreamNamePrefix != nil && !strings.HasPrefix(st.meta.Name, *in.LogStreamNamePrefix) {
				continue
			}
			o := logStreamOut{LogStreamName: st.meta.Name, CreationTime: st.meta.Created,
				Arn: s.streamARN(g.meta.Name, st.meta.Name)}
			st.mu.Lock()
			stats := st.stats
			st.mu.Unlock()
			if stats.count > 0 {
				first, last, ingest := stats.first, stats.last, stats.lastIngest
				o.FirstEventTimestamp, o.LastEventTimestamp, o.LastIngestionTime = &first, &last, &ingest
			}
			rows = append(rows, row{out: o, last: stats.last})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The token is the position key of the last stream returned: its name,
	// or its last event time and name when ordered by time.
	key := func(r row) string {
		if byTime {
			return fmtSortableInt(r.last) + "\x00" + r.out.LogStreamName
		}
		return r.out.LogStreamName
	}
	sort.Slice(rows, func(i, j int) bool {
		if desc {
			return key(rows[i]) > key(rows[j])
		}
		return key(rows[i]) < key(rows[j])
	})
	out := &describeLogStreamsOutput{LogStreams: []logStreamOut{}}
	for _, r := range rows {
		k := key(r)
		if in.NextToken != nil && ((!desc && k <= after) || (desc && k >= after)) {
			continue
		}
		if len(out.LogStreams) == limit {
			out.NextToken = encodePageToken("streams", after)
			break
		}
		out.LogStreams = append(out.LogStreams, r.out)
		after = k
	}
	return out, nil
}

// fmtSortableInt renders n so that byte order is numeric order.
func fmtSortableInt(n int64) string {
	return fmt.Sprintf("%016x", uint64(n)^(1<<63))
}
