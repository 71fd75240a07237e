package logs

import (
	"context"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

const (
	describePageDefault = 50
	describePageMax     = 50
	maxTags             = 50
)

var logGroupClasses = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}

// validRetention is the set of retentionInDays values AWS accepts.
var validRetention = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
	2192, 2557, 2922, 3288, 3653}

func (s *Service) groupARN(name string) string {
	return "arn:aws:logs:" + s.cfg.Region + ":" + s.cfg.AccountID + ":log-group:" + name
}

func (s *Service) streamARN(group, stream string) string {
	return s.groupARN(group) + ":log-stream:" + stream
}

// groupFromARN returns the log group name of one of this account's log
// group ARNs (with or without the ":*" DescribeLogGroups adds).
func (s *Service) groupFromARN(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:logs:"+s.cfg.Region+":"+s.cfg.AccountID+":log-group:")
	if !ok || rest == "" {
		return "", false
	}
	rest = strings.TrimSuffix(rest, ":*")
	if strings.Contains(rest, ":") {
		return "", false
	}
	return rest, true
}

// resolveGroup picks the group named by logGroupName or logGroupIdentifier
// (a name or an ARN); exactly one must be given.
func (s *Service) resolveGroup(name, identifier *string) (string, error) {
	switch {
	case name != nil && identifier != nil:
		return "", errInvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != nil:
		return *name, nil
	case identifier != nil:
		if strings.HasPrefix(*identifier, "arn:") {
			n, ok := s.groupFromARN(*identifier)
			if !ok {
				return "", errNotFound(msgGroupNotFound)
			}
			return n, nil
		}
		return *identifier, nil
	}
	return "", errInvalidParameter("Should provide either name or identifier of a log group.")
}

func (s *Service) lookupGroup(name string) *group {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.groups[name]
}

// readGroup runs fn with the named group's lock held shared.
func (s *Service) readGroup(name string, fn func(g *group) error) error {
	g := s.lookupGroup(name)
	if g == nil {
		return errNotFound(msgGroupNotFound)
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.deleted {
		return errNotFound(msgGroupNotFound)
	}
	return fn(g)
}

// writeGroup runs fn with the named group's lock held exclusively.
func (s *Service) writeGroup(name string, fn func(g *group) error) error {
	g := s.lookupGroup(name)
	if g == nil {
		return errNotFound(msgGroupNotFound)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.deleted {
		return errNotFound(msgGroupNotFound)
	}
	return fn(g)
}

func (s *Service) createLogGroup(ctx context.Context, in *createLogGroupInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	c.Str(in.KmsKeyID, "kmsKeyId", 0, 256, "")
	c.tags(in.Tags, "tags", false)
	c.Enum(in.LogGroupClass, "logGroupClass", logGroupClasses...)
	if err := c.Err(); err != nil {
		return nil, err
	}
	name := *in.LogGroupName
	if strings.HasPrefix(name, "aws/") {
		return nil, errInvalidParameter("Log group names starting with 'aws/' are reserved for AWS services.")
	}
	m := groupMeta{Name: name, ID: newID(), Created: s.nowMs(), Class: "STANDARD", Tags: in.Tags}
	if in.LogGroupClass != nil {
		m.Class = *in.LogGroupClass
	}
	if in.KmsKeyID != nil {
		m.KmsKeyID = *in.KmsKeyID
	}
	if in.DeletionProtectionEnabled != nil {
		m.DeletionProtection = *in.DeletionProtectionEnabled
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.groups[name]; exists {
		return nil, errExists(msgGroupExists)
	}
	g := newGroup(m)
	if err := s.commitGroup(g, m, nil); err != nil {
		return nil, err
	}
	s.groups[name] = g
	return nil, nil
}

func (s *Service) deleteLogGroup(ctx context.Context, in *groupNameInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nil, s.removeGroup(*in.LogGroupName, false)
}

// removeGroup deletes a group, its streams' logs, its filters and their
// cursors. force skips deletion protection (reset).
func (s *Service) removeGroup(name string, force bool) error {
	s.mu.Lock()
	g := s.groups[name]
	if g == nil {
		s.mu.Unlock()
		return errNotFound(msgGroupNotFound)
	}
	g.mu.Lock()
	if g.meta.DeletionProtection && !force {
		g.mu.Unlock()
		s.mu.Unlock()
		return errDeletionProtected(name)
	}
	err := s.kv.Update(func(w kv.Writer) error {
		if err := w.Delete(groupKey(name)); err != nil {
			return err
		}
		for _, st := range g.streams {
			if err := w.Delete(streamKey(g.meta.ID, st.meta.Name)); err != nil {
				return err
			}
		}
		for _, sub := range g.meta.Subscriptions {
			if err := w.Delete(cursorKey(g.meta.ID, sub.Name)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		g.mu.Unlock()
		s.mu.Unlock()
		return err
	}
	g.deleted = true
	delete(s.groups, name)
	subs := g.subs
	g.subs = nil
	streams := g.sortedStreams()
	g.mu.Unlock()
	s.mu.Unlock()
	for _, sub := range subs {
		s.delivery.remove(sub)
	}
	for _, st := range streams {
		if err := s.logs.Remove(logName(st.meta.GroupID, st.meta.Num)); err != nil {
			s.cfg.Logger.Warn("logs: remove stream log", "group", name, "stream", st.meta.Name, "err", err)
		}
	}
	return nil
}

func (s *Service) describeLogGroups(ctx context.Context, in *describeLogGroupsInput) (*describeLogGroupsOutput, error) {
	c := s.check()
	c.groupName(in.LogGroupNamePrefix, "logGroupNamePrefix")
	c.Str(in.LogGroupNamePattern, "logGroupNamePattern", 0, 512, patternGroupNamePattern)
	c.nextToken(in.NextToken)
	c.limit(in.Limit, describePageMax)
	c.Enum(in.LogGroupClass, "logGroupClass", logGroupClasses...)
	if in.LogGroupIdentifiers != nil && (len(in.LogGroupIdentifiers) < 1 || len(in.LogGroupIdentifiers) > 50) {
		c.Add("["+strings.Join(in.LogGroupIdentifiers, ", ")+"]", "logGroupIdentifiers", lengthConstraint(len(in.LogGroupIdentifiers), 1, 50))
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, errInvalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	if in.LogGroupIdentifiers != nil && (in.LogGroupNamePrefix != nil || in.LogGroupNamePattern != nil) {
		return nil, errInvalidParameter("LogGroupIdentifiers is mutually exclusive with LogGroupNamePrefix and LogGroupNamePattern.")
	}
	after, err := decodePageToken("groups", in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := describePageDefault
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	var wanted map[string]bool
	if in.LogGroupIdentifiers != nil {
		wanted = map[string]bool{}
		for _, id := range in.LogGroupIdentifiers {
			if n, ok := s.groupFromARN(id); ok {
				wanted[n] = true
			} else {
				wanted[id] = true
			}
		}
	}
	s.mu.RLock()
	names := sortedKeys(s.groups)
	s.mu.RUnlock()
	now := s.nowMs()
	out := &describeLogGroupsOutput{LogGroups: []logGroupOut{}}
	for _, name := range names {
		if in.NextToken != nil && name <= after {
			continue
		}
		switch {
		case in.LogGroupNamePrefix != nil && !strings.HasPrefix(name, *in.LogGroupNamePrefix):
			continue
		case in.LogGroupNamePattern != nil && !strings.Contains(strings.ToLower(name), strings.ToLower(*in.LogGroupNamePattern)):
			continue
		case wanted != nil && !wanted[name]:
			continue
		}
		var lg logGroupOut
		err := s.readGroup(name, func(g *group) error {
			lg = s.groupOut(g, now)
			return nil
		})
		if err != nil {
			continue // deleted meanwhile
		}
		if in.LogGroupClass != nil && lg.LogGroupClass != *in.LogGroupClass {
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = encodePageToken("groups", out.LogGroups[limit-1].LogGroupName)
			break
		}
		out.LogGroups = append(out.LogGroups, lg)
	}
	return out, nil
}

// groupOut describes a group; the caller holds g.mu.
func (s *Service) groupOut(g *group, now int64) logGroupOut {
	m := &g.meta
	lg := logGroupOut{LogGroupName: m.Name, CreationTime: m.Created, MetricFilterCount: len(m.MetricFilters),
		Arn: s.groupARN(m.Name) + ":*", LogGroupArn: s.groupARN(m.Name), KmsKeyID: m.KmsKeyID,
		LogGroupClass: m.Class, DeletionProtectionEnabled: m.DeletionProtection}
	if m.RetentionDays > 0 {
		d := m.RetentionDays
		lg.RetentionInDays = &d
	}
	cutoff := m.cutoff(now)
	for _, st := range g.streams {
		st.mu.Lock()
		lg.StoredBytes += st.stats.storedBytes(cutoff)
		st.mu.Unlock()
	}
	return lg
}

func (s *Service) putRetentionPolicy(ctx context.Context, in *putRetentionPolicyInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	c.Required(in.RetentionInDays != nil, "retentionInDays")
	if err := c.Err(); err != nil {
		return nil, err
	}
	days := *in.RetentionInDays
	valid := false
	for _, d := range validRetention {
		valid = valid || d == days
	}
	if !valid {
		// AWS words this as a validation message but with this code.
		var v awsproto.Validation
		vals := make([]string, len(validRetention))
		for i, d := range validRetention {
			vals[i] = itoa(int64(d))
		}
		v.Add(itoa(int64(days)), "retentionInDays", awsproto.ConstraintEnum(vals...))
		return nil, v.ErrWithCode(codeInvalidParameter)
	}
	return nil, s.writeGroup(*in.LogGroupName, func(g *group) error {
		m := g.meta.clone()
		m.RetentionDays = days
		return s.commitGroup(g, m, nil)
	})
}

func (s *Service) deleteRetentionPolicy(ctx context.Context, in *groupNameInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nil, s.writeGroup(*in.LogGroupName, func(g *group) error {
		m := g.meta.clone()
		// Events already expired stay gone: AWS may have purged them.
		m.PurgedBefore = m.cutoff(s.nowMs())
		m.RetentionDays = 0
		return s.commitGroup(g, m, nil)
	})
}

type putDeletionProtectionInput struct {
	LogGroupIdentifier        *string `json:"logGroupIdentifier"`
	DeletionProtectionEnabled *bool   `json:"deletionProtectionEnabled"`
}

func (s *Service) putLogGroupDeletionProtection(ctx context.Context, in *putDeletionProtectionInput) (*none, error) {
	c := s.check()
	if c.Required(in.LogGroupIdentifier != nil, "logGroupIdentifier") {
		c.Str(in.LogGroupIdentifier, "logGroupIdentifier", 1, 2048, patternGroupIdentifier)
	}
	c.Required(in.DeletionProtectionEnabled != nil, "deletionProtectionEnabled")
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.resolveGroup(nil, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	return nil, s.writeGroup(name, func(g *group) error {
		m := g.meta.clone()
		m.DeletionProtection = *in.DeletionProtectionEnabled
		return s.commitGroup(g, m, nil)
	})
}

// errDeletionProtected answers a deletion in a protected group ("deletion
// protection blocks all deletion operations until it is explicitly
// disabled").
func errDeletionProtected(group string) error {
	return awsproto.NewError(400, codeValidation,
		"Log group "+group+" has deletion protection enabled. Disable deletion protection before deleting the log group or its log streams.")
}
