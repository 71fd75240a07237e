package kinesis

import (
	"context"
	"strconv"
	"strings"
)

const (
	maxConsumers         = 20
	maxCreatingConsumers = 5
	listConsumersDefault = 100
)

func (m *streamMeta) consumerIndex(name string) int {
	for i := range m.Consumers {
		if m.Consumers[i].Name == name {
			return i
		}
	}
	return -1
}

func (s *Service) consumerARN(stream string, c *consumerMeta) string {
	return s.streamARN(stream) + "/consumer/" + c.Name + ":" + strconv.FormatInt(c.CreatedMs/1000, 10)
}

// parseConsumerARN splits <stream ARN>/consumer/<name>:<epoch seconds>.
func (s *Service) parseConsumerARN(arn string) (stream, consumer string, created int64, ok bool) {
	streamPart, rest, found := strings.Cut(arn, "/consumer/")
	if !found {
		return "", "", 0, false
	}
	stream, ok = s.parseStreamARN(streamPart)
	if !ok {
		return "", "", 0, false
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return "", "", 0, false
	}
	created, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil {
		return "", "", 0, false
	}
	return stream, rest[:i], created, true
}

func (s *Service) consumerStatus(c *consumerMeta, now int64) string {
	if now < c.CreatedMs+s.cfg.CreateDelay.Milliseconds() {
		return statusCreating
	}
	return statusActive
}

func (s *Service) consumerOut(stream string, c *consumerMeta, now int64) consumerOut {
	return consumerOut{ConsumerName: c.Name, ConsumerARN: s.consumerARN(stream, c),
		ConsumerStatus: s.consumerStatus(c, now), ConsumerCreationTimestamp: ts(c.CreatedMs)}
}

func (s *Service) registerStreamConsumer(ctx context.Context, in *registerConsumerInput) (*registerConsumerOutput, error) {
	c := s.check()
	if c.Required(in.StreamARN != nil, "streamARN") {
		c.Str(in.StreamARN, "streamARN", 1, 2048, patternStreamARN)
	}
	if c.Required(in.ConsumerName != nil, "consumerName") {
		c.Str(in.ConsumerName, "consumerName", 1, 128, patternName)
	}
	c.tags(in.Tags, "tags")
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&streamRef{StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	var out *registerConsumerOutput
	err = s.writeStream(name, func(st *stream) error {
		now := s.nowMs()
		if status := st.meta.status(now); status == statusCreating {
			return s.errNotActive(name, status)
		}
		if st.meta.consumerIndex(*in.ConsumerName) >= 0 {
			return errInUse("Consumer %s under stream %s already exists for account %s.", *in.ConsumerName, name, s.cfg.AccountID)
		}
		if len(st.meta.Consumers) >= maxConsumers {
			return errLimitExceeded("Consumer limit of %d reached for stream %s under account %s.", maxConsumers, name, s.cfg.AccountID)
		}
		creating := 0
		for i := range st.meta.Consumers {
			if s.consumerStatus(&st.meta.Consumers[i], now) == statusCreating {
				creating++
			}
		}
		if creating >= maxCreatingConsumers {
			return errLimitExceeded("Rate exceeded: at most %d consumers of stream %s can be CREATING at once.", maxCreatingConsumers, name)
		}
		m := st.meta.clone()
		cm := consumerMeta{Name: *in.ConsumerName, CreatedMs: now, Tags: in.Tags}
		m.Consumers = append(m.Consumers, cm)
		if err := s.commit(st, m); err != nil {
			return err
		}
		out = &registerConsumerOutput{Consumer: s.consumerOut(name, &cm, now)}
		return nil
	})
	return out, err
}

// findConsumer resolves ConsumerARN or StreamARN + ConsumerName to the
// stream name and consumer name.
func (s *Service) findConsumer(in *consumerRef) (stream, consumer string, created int64, err error) {
	c := s.check()
	c.Str(in.StreamARN, "streamARN", 1, 2048, patternStreamARN)
	c.Str(in.ConsumerName, "consumerName", 1, 128, patternName)
	c.Str(in.ConsumerARN, "consumerARN", 1, 2048, patternConsumerARN)
	if err := c.Err(); err != nil {
		return "", "", 0, err
	}
	if in.ConsumerARN != nil {
		stream, consumer, created, ok := s.parseConsumerARN(*in.ConsumerARN)
		if !ok {
			return "", "", 0, errNotFound("Consumer %s not found.", *in.ConsumerARN)
		}
		return stream, consumer, created, nil
	}
	if in.StreamARN == nil || in.ConsumerName == nil {
		return "", "", 0, errInvalidArgument("Either ConsumerARN or both StreamARN and ConsumerName must be provided.")
	}
	stream, err = s.streamName(&streamRef{StreamARN: in.StreamARN})
	return stream, *in.ConsumerName, -1, err
}

// withConsumer runs fn with the consumer's stream locked as asked.
func (s *Service) withConsumer(ref *consumerRef, exclusive bool, fn func(st *stream, i int) error) error {
	name, consumer, created, err := s.findConsumer(ref)
	if err != nil {
		return err
	}
	run := s.readStream
	if exclusive {
		run = s.writeStream
	}
	err = run(name, func(st *stream) error {
		i := st.meta.consumerIndex(consumer)
		if i < 0 || (created >= 0 && st.meta.Consumers[i].CreatedMs/1000 != created) {
			return errNotFound("Consumer %s under stream %s not found for account %s.", consumer, name, s.cfg.AccountID)
		}
		return fn(st, i)
	})
	if a := awsprotoAs(err); a != nil && a.Code == codeResourceNotFound && ref.ConsumerARN != nil {
		return errNotFound("Consumer %s not found.", *ref.ConsumerARN)
	}
	return err
}

func (s *Service) describeStreamConsumer(ctx context.Context, in *consumerRef) (*describeConsumerOutput, error) {
	var out *describeConsumerOutput
	err := s.withConsumer(in, false, func(st *stream, i int) error {
		c := s.consumerOut(st.meta.Name, &st.meta.Consumers[i], s.nowMs())
		out = &describeConsumerOutput{ConsumerDescription: consumerDescription{ConsumerName: c.ConsumerName,
			ConsumerARN: c.ConsumerARN, ConsumerStatus: c.ConsumerStatus, ConsumerCreationTimestamp: c.ConsumerCreationTimestamp,
			StreamARN: s.streamARN(st.meta.Name)}}
		return nil
	})
	return out, err
}

func (s *Service) deregisterStreamConsumer(ctx context.Context, in *consumerRef) (*none, error) {
	return nil, s.withConsumer(in, true, func(st *stream, i int) error {
		m := st.meta.clone()
		gone := m.Consumers[i]
		m.Consumers = append(m.Consumers[:i], m.Consumers[i+1:]...)
		if err := s.commit(st, m); err != nil {
			return err
		}
		s.subs.endConsumer(s.consumerARN(st.meta.Name, &gone))
		return nil
	})
}

func (s *Service) listStreamConsumers(ctx context.Context, in *listConsumersInput) (*listConsumersOutput, error) {
	c := s.check()
	if c.Required(in.StreamARN != nil, "streamARN") {
		c.Str(in.StreamARN, "streamARN", 1, 2048, patternStreamARN)
	}
	c.Str(in.NextToken, "nextToken", 1, 1048576, "")
	c.Int(in.MaxResults, "maxResults", 1, 10000)
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&streamRef{StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != nil {
		t, err := s.decodeToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		if t.Stream != name {
			return nil, errInvalidArgument("NextToken does not belong to stream %s.", name)
		}
		after = t.After
	}
	limit := listConsumersDefault
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	out := &listConsumersOutput{Consumers: []consumerOut{}}
	err = s.readStream(name, func(st *stream) error {
		now := s.nowMs()
		if in.StreamCreationTimestamp != nil && in.StreamCreationTimestamp.UnixMilli()/1000 != st.meta.CreatedMs/1000 {
			return s.errStreamNotFound(name)
		}
		names := make([]int, 0, len(st.meta.Consumers))
		for i := range st.meta.Consumers {
			if st.meta.Consumers[i].Name > after {
				names = append(names, i)
			}
		}
		sortByName(st.meta.Consumers, names)
		for _, i := range names {
			if len(out.Consumers) == limit {
				out.NextToken = encodeToken(pageToken{Stream: name, After: out.Consumers[len(out.Consumers)-1].ConsumerName, Issued: now})
				break
			}
			out.Consumers = append(out.Consumers, s.consumerOut(name, &st.meta.Consumers[i], now))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func sortByName(cs []consumerMeta, idx []int) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && cs[idx[j]].Name < cs[idx[j-1]].Name; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}
