package logs

import (
	"context"
	"net/http"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Tags of log groups (TagLogGroup and friends, deprecated but used by the
// CLI and older SDKs) and of log groups and destinations by ARN
// (TagResource and friends).

func (s *Service) tagLogGroup(ctx context.Context, in *tagLogGroupInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	c.tags(in.Tags, "tags", true)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nil, s.changeGroupTags(*in.LogGroupName, in.Tags, nil)
}

func (s *Service) untagLogGroup(ctx context.Context, in *untagLogGroupInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	c.tagKeys(in.Tags, "tags", 1)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nil, s.changeGroupTags(*in.LogGroupName, nil, in.Tags)
}

func (s *Service) listTagsLogGroup(ctx context.Context, in *groupNameInput) (*tagsOutput, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return s.groupTags(*in.LogGroupName)
}

func (s *Service) tagResource(ctx context.Context, in *tagResourceInput) (*none, error) {
	c := s.check()
	if c.Required(in.ResourceArn != nil, "resourceArn") {
		c.Str(in.ResourceArn, "resourceArn", 1, 1011, patternResourceARN)
	}
	c.tags(in.Tags, "tags", true)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if group, ok := s.groupFromARN(*in.ResourceArn); ok {
		return nil, s.changeGroupTags(group, in.Tags, nil)
	}
	if dest, ok := s.destinationFromARN(*in.ResourceArn); ok {
		return nil, s.changeDestinationTags(dest, in.Tags, nil)
	}
	return nil, s.errResourceARN(*in.ResourceArn)
}

func (s *Service) untagResource(ctx context.Context, in *untagResourceInput) (*none, error) {
	c := s.check()
	if c.Required(in.ResourceArn != nil, "resourceArn") {
		c.Str(in.ResourceArn, "resourceArn", 1, 1011, patternResourceARN)
	}
	c.tagKeys(in.TagKeys, "tagKeys", 0)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if group, ok := s.groupFromARN(*in.ResourceArn); ok {
		return nil, s.changeGroupTags(group, nil, in.TagKeys)
	}
	if dest, ok := s.destinationFromARN(*in.ResourceArn); ok {
		return nil, s.changeDestinationTags(dest, nil, in.TagKeys)
	}
	return nil, s.errResourceARN(*in.ResourceArn)
}

func (s *Service) listTagsForResource(ctx context.Context, in *listTagsForResourceInput) (*tagsOutput, error) {
	c := s.check()
	if c.Required(in.ResourceArn != nil, "resourceArn") {
		c.Str(in.ResourceArn, "resourceArn", 1, 1011, patternResourceARN)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if group, ok := s.groupFromARN(*in.ResourceArn); ok {
		return s.groupTags(group)
	}
	if dest, ok := s.destinationFromARN(*in.ResourceArn); ok {
		s.mu.RLock()
		defer s.mu.RUnlock()
		d := s.destinations[dest]
		if d == nil {
			return nil, errNotFound(msgDestinationNotFound)
		}
		return &tagsOutput{Tags: copyTags(d.Tags)}, nil
	}
	return nil, s.errResourceARN(*in.ResourceArn)
}

func (s *Service) errResourceARN(arn string) error {
	if strings.HasPrefix(arn, "arn:aws:logs:") {
		return errNotFound("The specified resource does not exist.")
	}
	return errInvalidParameter("Invalid resource ARN: %s", arn)
}

func (s *Service) destinationFromARN(arn string) (string, bool) {
	name, ok := strings.CutPrefix(arn, "arn:aws:logs:"+s.cfg.Region+":"+s.cfg.AccountID+":destination:")
	return name, ok && name != ""
}

func (s *Service) groupTags(name string) (*tagsOutput, error) {
	var out tagsOutput
	err := s.readGroup(name, func(g *group) error {
		out.Tags = copyTags(g.meta.Tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func copyTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// mergeTags applies additions and removals; it fails with
// TooManyTagsException past 50 tags.
func mergeTags(cur map[string]string, add map[string]string, remove []string, arn string) (map[string]string, error) {
	out := copyTags(cur)
	for k, v := range add {
		out[k] = v
	}
	for _, k := range remove {
		delete(out, k)
	}
	if len(out) > maxTags {
		return nil, awsproto.Errorf(http.StatusBadRequest, codeTooManyTags,
			"A resource can have no more than %d tags.", maxTags).With("resourceName", arn)
	}
	if len(out) == 0 {
		out = nil
	}
	return out, nil
}

func (s *Service) changeGroupTags(name string, add map[string]string, remove []string) error {
	return s.writeGroup(name, func(g *group) error {
		tags, err := mergeTags(g.meta.Tags, add, remove, s.groupARN(name))
		if err != nil {
			return err
		}
		m := g.meta.clone()
		m.Tags = tags
		return s.commitGroup(g, m, nil)
	})
}

func (s *Service) changeDestinationTags(name string, add map[string]string, remove []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.destinations[name]
	if d == nil {
		return errNotFound(msgDestinationNotFound)
	}
	tags, err := mergeTags(d.Tags, add, remove, s.destinationARN(name))
	if err != nil {
		return err
	}
	m := *d
	m.Tags = tags
	return s.saveDestination(&m)
}
