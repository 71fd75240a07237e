package logs

import (
	"sort"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Model patterns (botocore logs/2014-03-28), matched as whole strings as
// Coral does.
const (
	patternGroupName        = `[\.\-_/#A-Za-z0-9]+`
	patternGroupNamePattern = `[\.\-_/#A-Za-z0-9]*`
	patternGroupIdentifier  = `[\w#+=/:,.@-]*`
	patternStreamName       = `[^:*]*`
	patternResourceARN      = `[\w+=/:,.@-]*`
	patternMetricName       = `[^:*$]*`
	patternTagKey           = `^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`
	patternTagValue         = `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`
)

func compilePatterns() awsproto.Patterns {
	return awsproto.CompilePatterns(patternGroupName, patternGroupNamePattern, patternGroupIdentifier,
		patternStreamName, patternResourceARN, patternMetricName, patternTagKey, patternTagValue)
}

// checker adds the Logs member groups to the model-constraint checker.
type checker struct{ awsproto.Checker }

func (s *Service) check() *checker { return &checker{awsproto.NewChecker(s.patterns)} }

func (c *checker) groupName(v *string, member string) {
	c.Str(v, member, 1, 512, patternGroupName)
}

func (c *checker) streamName(v *string, member string) {
	c.Str(v, member, 1, 512, patternStreamName)
}

func (c *checker) requiredGroupName(v *string) {
	if c.Required(v != nil, "logGroupName") {
		c.groupName(v, "logGroupName")
	}
}

func (c *checker) limit(v *int32, max int64) { c.Int32(v, "limit", 1, max) }

func (c *checker) nextToken(v *string) { c.Str(v, "nextToken", 1, 0, "") }

// tags checks a Tags member: 1–50 entries, keys 1–128 and values 0–256
// characters of the model's patterns.
func (c *checker) tags(m map[string]string, member string, required bool) {
	if m == nil {
		if required {
			c.AddNull(member)
		}
		return
	}
	if len(m) < 1 || len(m) > maxTags {
		c.Add(mapValue(m), member, lengthConstraint(len(m), 1, maxTags))
	}
	for _, k := range sortedKeys(m) {
		v := m[k]
		c.Str(&k, member+".member.key", 1, 128, patternTagKey)
		c.Str(&v, member+".member.value", 0, 256, patternTagValue)
	}
}

func (c *checker) tagKeys(keys []string, member string, minLen int) {
	if keys == nil {
		c.AddNull(member)
		return
	}
	if len(keys) < minLen || len(keys) > maxTags {
		c.Add("["+strings.Join(keys, ", ")+"]", member, lengthConstraint(len(keys), minLen, maxTags))
	}
	for i := range keys {
		c.Str(&keys[i], member+"."+strconv.Itoa(i+1)+".member", 1, 128, patternTagKey)
	}
}

func lengthConstraint(n, min, max int) string {
	if n < min {
		return awsproto.ConstraintMinLength(min)
	}
	return awsproto.ConstraintMaxLength(max)
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
