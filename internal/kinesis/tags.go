package kinesis

import (
	"context"
	"sort"
	"strings"
)

const (
	maxTagsPerResource = 50
	listTagsDefault    = 50
)

// tags checks a TagMap member: 1–200 entries, keys 1–128 and values 0–256 characters.
func (c *checker) tags(m map[string]string, member string) {
	if m == nil {
		return
	}
	if len(m) < 1 || len(m) > 200 {
		c.Add(mapValue(m), member, lengthConstraint(len(m), 1, 200))
	}
	for _, k := range sortedKeys(m) {
		v := m[k]
		c.Str(&k, member+".member.key", 1, 128, "")
		c.Str(&v, member+".member.value", 0, 256, "")
	}
}

func (c *checker) tagKeys(keys []string, member string, required bool) {
	if keys == nil {
		if required {
			c.AddNull(member)
		}
		return
	}
	if len(keys) < 1 || len(keys) > 50 {
		c.Add("["+strings.Join(keys, ", ")+"]", member, lengthConstraint(len(keys), 1, 50))
	}
	for i := range keys {
		c.Str(&keys[i], member+"."+itoa(i+1)+".member", 1, 128, "")
	}
}

// mapValue renders a map the way Java's Map.toString does, as Coral's
// messages show it.
func mapValue(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func tagList(m map[string]string) []tag {
	out := make([]tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		v := m[k]
		out = append(out, tag{Key: k, Value: &v})
	}
	return out
}

// mergeTags returns existing plus added, refusing more than 50 tags.
func (s *Service) mergeTags(existing, added map[string]string, resource string) (map[string]string, error) {
	out := make(map[string]string, len(existing)+len(added))
	for k, v := range existing {
		out[k] = v
	}
	for k, v := range added {
		out[k] = v
	}
	if len(out) > maxTagsPerResource {
		return nil, errInvalidArgument("Failed to add tags to %s under account %s because a given resource cannot have more than %d tags associated with it.",
			resource, s.cfg.AccountID, maxTagsPerResource)
	}
	return out, nil
}

func (s *Service) addTagsToStream(ctx context.Context, in *addTagsInput) (*none, error) {
	c := s.check()
	c.ref(&in.streamRef)
	if c.Required(in.Tags != nil, "tags") {
		c.tags(in.Tags, "tags")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	return nil, s.writeStream(name, func(st *stream) error {
		tags, err := s.mergeTags(st.meta.Tags, in.Tags, "stream "+name)
		if err != nil {
			return err
		}
		m := st.meta.clone()
		m.Tags = tags
		return s.commit(st, m)
	})
}

func (s *Service) removeTagsFromStream(ctx context.Context, in *removeTagsInput) (*none, error) {
	c := s.check()
	c.ref(&in.streamRef)
	c.tagKeys(in.TagKeys, "tagKeys", true)
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	return nil, s.writeStream(name, func(st *stream) error {
		m := st.meta.clone()
		for _, k := range in.TagKeys {
			delete(m.Tags, k)
		}
		return s.commit(st, m)
	})
}

func (s *Service) listTagsForStream(ctx context.Context, in *listTagsForStreamInput) (*listTagsForStreamOutput, error) {
	c := s.check()
	c.ref(&in.streamRef)
	c.Str(in.ExclusiveStartTagKey, "exclusiveStartTagKey", 1, 128, "")
	c.Int(in.Limit, "limit", 1, 50)
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	limit := listTagsDefault
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &listTagsForStreamOutput{Tags: []tag{}}
	err = s.readStream(name, func(st *stream) error {
		for _, t := range tagList(st.meta.Tags) {
			if in.ExclusiveStartTagKey != nil && t.Key <= *in.ExclusiveStartTagKey {
				continue
			}
			if len(out.Tags) == limit {
				out.HasMoreTags = true
				break
			}
			out.Tags = append(out.Tags, t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// resourceTags runs fn on the tags of a stream or consumer ARN with the
// stream locked exclusively; fn returns the new tags, or nil to leave them.
func (s *Service) resourceTags(arn string, fn func(tags map[string]string, resource string) (map[string]string, error)) error {
	if name, ok := s.parseStreamARN(arn); ok {
		return s.writeStream(name, func(st *stream) error {
			tags, err := fn(st.meta.Tags, "stream "+name)
			if err != nil || tags == nil {
				return err
			}
			m := st.meta.clone()
			m.Tags = tags
			return s.commit(st, m)
		})
	}
	streamName, consumer, _, ok := s.parseConsumerARN(arn)
	if !ok {
		return errNotFound("Resource %s not found.", arn)
	}
	return s.writeStream(streamName, func(st *stream) error {
		i := st.meta.consumerIndex(consumer)
		if i < 0 {
			return errNotFound("Consumer %s not found.", arn)
		}
		tags, err := fn(st.meta.Consumers[i].Tags, "consumer "+consumer)
		if err != nil || tags == nil {
			return err
		}
		m := st.meta.clone()
		m.Consumers[i].Tags = tags
		return s.commit(st, m)
	})
}

func (c *checker) resourceARN(arn *string) {
	if c.Required(arn != nil, "resourceARN") {
		c.Str(arn, "resourceARN", 1, 2048, patternResourceARN)
	}
}

func (s *Service) tagResource(ctx context.Context, in *tagResourceInput) (*none, error) {
	c := s.check()
	c.resourceARN(in.ResourceARN)
	if c.Required(in.Tags != nil, "tags") {
		c.tags(in.Tags, "tags")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nil, s.resourceTags(*in.ResourceARN, func(tags map[string]string, resource string) (map[string]string, error) {
		return s.mergeTags(tags, in.Tags, resource)
	})
}

func (s *Service) untagResource(ctx context.Context, in *untagResourceInput) (*none, error) {
	c := s.check()
	c.resourceARN(in.ResourceARN)
	c.tagKeys(in.TagKeys, "tagKeys", true)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nil, s.resourceTags(*in.ResourceARN, func(tags map[string]string, _ string) (map[string]string, error) {
		out := map[string]string{}
		for k, v := range tags {
			out[k] = v
		}
		for _, k := range in.TagKeys {
			delete(out, k)
		}
		return out, nil
	})
}

func (s *Service) listTagsForResource(ctx context.Context, in *listTagsForResourceInput) (*listTagsForResourceOutput, error) {
	c := s.check()
	c.resourceARN(in.ResourceARN)
	if err := c.Err(); err != nil {
		return nil, err
	}
	var out listTagsForResourceOutput
	err := s.resourceTags(*in.ResourceARN, func(tags map[string]string, _ string) (map[string]string, error) {
		out.Tags = tagList(tags)
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
