package logs

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/logs/filterpattern"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

const maxSubscriptionFilters = 2

// subscriptionMeta is a subscription filter, kept in its group's metadata.
type subscriptionMeta struct {
	Name                   string   `json:"name"`
	Pattern                string   `json:"pattern"`
	DestinationArn         string   `json:"destinationArn"`
	RoleArn                string   `json:"roleArn,omitempty"`
	Distribution           string   `json:"distribution"`
	Created                int64    `json:"created"`
	ApplyOnTransformedLogs bool     `json:"applyOnTransformedLogs,omitempty"`
	FieldSelectionCriteria string   `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFields       []string `json:"emitSystemFields,omitempty"`
}

type putSubscriptionFilterInput struct {
	LogGroupName           *string  `json:"logGroupName"`
	FilterName             *string  `json:"filterName"`
	FilterPattern          *string  `json:"filterPattern"`
	DestinationArn         *string  `json:"destinationArn"`
	RoleArn                *string  `json:"roleArn"`
	Distribution           *string  `json:"distribution"`
	ApplyOnTransformedLogs *bool    `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria *string  `json:"fieldSelectionCriteria"`
	EmitSystemFields       []string `json:"emitSystemFields"`
}

type describeSubscriptionFiltersInput struct {
	LogGroupName     *string `json:"logGroupName"`
	FilterNamePrefix *string `json:"filterNamePrefix"`
	NextToken        *string `json:"nextToken"`
	Limit            *int32  `json:"limit"`
}

type subscriptionFilterOut struct {
	FilterName             string   `json:"filterName"`
	LogGroupName           string   `json:"logGroupName"`
	FilterPattern          string   `json:"filterPattern"`
	DestinationArn         string   `json:"destinationArn"`
	RoleArn                string   `json:"roleArn,omitempty"`
	Distribution           string   `json:"distribution"`
	ApplyOnTransformedLogs bool     `json:"applyOnTransformedLogs"`
	CreationTime           int64    `json:"creationTime"`
	FieldSelectionCriteria string   `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFields       []string `json:"emitSystemFields,omitempty"`
}

type describeSubscriptionFiltersOutput struct {
	SubscriptionFilters []subscriptionFilterOut `json:"subscriptionFilters"`
	NextToken           *string                 `json:"nextToken,omitempty"`
}

type filterNameInput struct {
	LogGroupName *string `json:"logGroupName"`
	FilterName   *string `json:"filterName"`
}

// subscription is a subscription filter in memory: its compiled pattern
// and what its delivery worker needs.
type subscription struct {
	meta      subscriptionMeta
	group     *group
	groupName string // g.meta.Name, readable without g's lock
	pattern   *filterpattern.Pattern
	wakeCh    chan struct{}
	// failingSince is when (service clock, ms) delivery started failing; 0
	// while it works.
	failingSince atomic.Int64
}

func newSubscription(g *group, m subscriptionMeta) (*subscription, error) {
	p, err := filterpattern.Compile(m.Pattern)
	if err != nil {
		return nil, err
	}
	return &subscription{meta: m, group: g, groupName: g.meta.Name, pattern: p, wakeCh: make(chan struct{}, 1)}, nil
}

// wake tells the delivery worker new events may be there; it never blocks.
func (sub *subscription) wake() {
	select {
	case sub.wakeCh <- struct{}{}:
	default:
	}
}

// compileFilters builds the runtime subscriptions of a loaded group.
func (g *group) compileFilters() error {
	g.subs = nil
	for _, m := range g.meta.Subscriptions {
		sub, err := newSubscription(g, m)
		if err != nil {
			return err
		}
		g.subs = append(g.subs, sub)
	}
	return nil
}

// deliveryCursor is where a subscription's delivery stands: per stream
// number, the offset of the next event to consider. Streams without an
// entry start at 0 when numbered from Base on (created after the filter),
// else at their end.
type deliveryCursor struct {
	Base    uint64            `json:"base"`
	Offsets map[uint64]uint64 `json:"offsets"`
}

func (s *Service) putSubscriptionFilter(ctx context.Context, in *putSubscriptionFilterInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if c.Required(in.FilterName != nil, "filterName") {
		c.Str(in.FilterName, "filterName", 1, 512, patternStreamName)
	}
	if c.Required(in.FilterPattern != nil, "filterPattern") {
		c.Str(in.FilterPattern, "filterPattern", 0, filterpattern.MaxLength, "")
	}
	if c.Required(in.DestinationArn != nil, "destinationArn") {
		c.Str(in.DestinationArn, "destinationArn", 1, 0, "")
	}
	c.Str(in.RoleArn, "roleArn", 1, 0, "")
	c.Enum(in.Distribution, "distribution", "Random", "ByLogStream")
	c.Str(in.FieldSelectionCriteria, "fieldSelectionCriteria", 0, 2000, "")
	if err := c.Err(); err != nil {
		return nil, err
	}
	m := subscriptionMeta{Name: *in.FilterName, Pattern: *in.FilterPattern, DestinationArn: *in.DestinationArn,
		Distribution: "ByLogStream", Created: s.nowMs(), EmitSystemFields: in.EmitSystemFields}
	if in.RoleArn != nil {
		m.RoleArn = *in.RoleArn
	}
	if in.Distribution != nil {
		m.Distribution = *in.Distribution
	}
	if in.ApplyOnTransformedLogs != nil {
		m.ApplyOnTransformedLogs = *in.ApplyOnTransformedLogs
	}
	if in.FieldSelectionCriteria != nil {
		m.FieldSelectionCriteria = *in.FieldSelectionCriteria
	}
	pattern, err := filterpattern.Compile(m.Pattern)
	if err != nil {
		return nil, errInvalidParameter(msgInvalidFilterPattern)
	}
	// CloudWatch Logs writes to Kinesis and Firehose as the role it is
	// given; a Lambda function is invoked under its resource policy instead.
	switch vendor := arnService(m.DestinationArn); vendor {
	case "kinesis", "firehose":
		if m.RoleArn == "" {
			return nil, errInvalidParameter("destinationArn for vendor %s cannot be used without roleArn", vendor)
		}
	case "lambda":
		if m.RoleArn != "" {
			return nil, errInvalidParameter("destinationArn for vendor lambda cannot be used with roleArn")
		}
	case "logs":
	default:
		return nil, errInvalidParameter("Invalid destination ARN: %s", m.DestinationArn)
	}
	// Cheap checks before probing the destination.
	err = s.readGroup(*in.LogGroupName, func(g *group) error {
		if g.findSub(m.Name) < 0 && len(g.meta.Subscriptions) >= maxSubscriptionFilters {
			return errLimitExceeded()
		}
		return g.meta.checkRegexQuota(pattern, "subscription", m.Name)
	})
	if err != nil {
		return nil, err
	}
	dest, target, err := s.destination(m.DestinationArn)
	if err != nil {
		if awsproto.As(err) != nil {
			return nil, err
		}
		return nil, errUnreachable(target)
	}
	if err := dest.Probe(ctx, gzipBytes(controlMessage(destinationKind(target), s.nowMs()))); err != nil {
		s.cfg.Logger.Info("logs: subscription destination probe failed", "destination", target, "err", err)
		return nil, errUnreachable(target)
	}

	var old, added *subscription
	err = s.writeGroup(*in.LogGroupName, func(g *group) error {
		meta := g.meta.clone()
		if err := meta.checkRegexQuota(pattern, "subscription", m.Name); err != nil {
			return err
		}
		i := g.findSub(m.Name)
		var extra func(w kv.Writer) error
		if i >= 0 {
			// An update keeps the filter's cursor and creation time.
			m.Created = meta.Subscriptions[i].Created
			meta.Subscriptions[i] = m
			old = g.subs[i]
		} else {
			if len(meta.Subscriptions) >= maxSubscriptionFilters {
				return errLimitExceeded()
			}
			meta.Subscriptions = append(meta.Subscriptions, m)
			// Only events ingested from now on are delivered: PutLogEvents
			// holds the group's lock shared, so every stream's end is exact.
			cur := deliveryCursor{Base: meta.NextStream, Offsets: map[uint64]uint64{}}
			for _, st := range g.streams {
				cur.Offsets[st.meta.Num] = st.log.End()
			}
			data, err := json.Marshal(cur)
			if err != nil {
				return err
			}
			extra = func(w kv.Writer) error { return w.Put(cursorKey(meta.ID, m.Name), data) }
		}
		sub, err := newSubscription(g, m)
		if err != nil {
			return err
		}
		if err := s.commitGroup(g, meta, extra); err != nil {
			return err
		}
		if i >= 0 {
			g.subs[i] = sub
		} else {
			g.subs = append(g.subs, sub)
		}
		added = sub
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The old worker stops before the new one starts, so one filter never
	// has two workers moving its cursor.
	if old != nil {
		s.delivery.remove(old)
	}
	s.delivery.add(added.group, added)
	return nil, nil
}

func (g *group) findSub(name string) int {
	for i, m := range g.meta.Subscriptions {
		if m.Name == name {
			return i
		}
	}
	return -1
}

func (s *Service) describeSubscriptionFilters(ctx context.Context, in *describeSubscriptionFiltersInput) (*describeSubscriptionFiltersOutput, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	c.Str(in.FilterNamePrefix, "filterNamePrefix", 1, 512, patternStreamName)
	c.nextToken(in.NextToken)
	c.limit(in.Limit, describePageMax)
	if err := c.Err(); err != nil {
		return nil, err
	}
	after, err := decodePageToken("subscriptions", in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := describePageDefault
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &describeSubscriptionFiltersOutput{SubscriptionFilters: []subscriptionFilterOut{}}
	err = s.readGroup(*in.LogGroupName, func(g *group) error {
		subs := append([]subscriptionMeta(nil), g.meta.Subscriptions...)
		sortByName(subs, func(m subscriptionMeta) string { return m.Name })
		for _, m := range subs {
			if (in.NextToken != nil && m.Name <= after) ||
				(in.FilterNamePrefix != nil && !strings.HasPrefix(m.Name, *in.FilterNamePrefix)) {
				continue
			}
			if len(out.SubscriptionFilters) == limit {
				out.NextToken = encodePageToken("subscriptions", out.SubscriptionFilters[limit-1].FilterName)
				break
			}
			out.SubscriptionFilters = append(out.SubscriptionFilters, subscriptionFilterOut{FilterName: m.Name,
				LogGroupName: g.meta.Name, FilterPattern: m.Pattern, DestinationArn: m.DestinationArn, RoleArn: m.RoleArn,
				Distribution: m.Distribution, ApplyOnTransformedLogs: m.ApplyOnTransformedLogs, CreationTime: m.Created,
				FieldSelectionCriteria: m.FieldSelectionCriteria, EmitSystemFields: m.EmitSystemFields})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) deleteSubscriptionFilter(ctx context.Context, in *filterNameInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if c.Required(in.FilterName != nil, "filterName") {
		c.Str(in.FilterName, "filterName", 1, 512, patternStreamName)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	var gone *subscription
	err := s.writeGroup(*in.LogGroupName, func(g *group) error {
		i := g.findSub(*in.FilterName)
		if i < 0 {
			return errNotFound(msgFilterNotFound)
		}
		meta := g.meta.clone()
		meta.Subscriptions = append(meta.Subscriptions[:i], meta.Subscriptions[i+1:]...)
		if err := s.commitGroup(g, meta, func(w kv.Writer) error { return w.Delete(cursorKey(meta.ID, *in.FilterName)) }); err != nil {
			return err
		}
		gone = g.subs[i]
		g.subs = append(g.subs[:i:i], g.subs[i+1:]...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.delivery.remove(gone)
	return nil, nil
}

func sortByName[T any](items []T, name func(T) string) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && name(items[j]) < name(items[j-1]); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}
