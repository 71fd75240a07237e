package logs

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

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

// patterns holds the compiled model patterns; built once per Service.
type patterns map[string]*regexp.Regexp

func compilePatterns() patterns {
	p := patterns{}
	for _, src := range []string{patternGroupName, patternGroupNamePattern, patternGroupIdentifier,
		patternStreamName, patternResourceARN, patternMetricName, patternTagKey, patternTagValue} {
		p[src] = regexp.MustCompile(`^(?:` + src + `)$`)
	}
	return p
}

// checker records model violations with the service's patterns.
type checker struct {
	awsproto.Validation
	p patterns
}

func (s *Service) check() *checker { return &checker{p: s.patterns} }

// str checks an optional string member: length bounds (in characters) and a pattern.
func (c *checker) str(v *string, member string, minLen, maxLen int, pattern string) {
	if v == nil {
		return
	}
	n := utf8.RuneCountInString(*v)
	if n < minLen {
		c.Add(*v, member, awsproto.ConstraintMinLength(minLen))
	}
	if maxLen > 0 && n > maxLen {
		c.Add(*v, member, awsproto.ConstraintMaxLength(maxLen))
	}
	if pattern != "" && !c.p[pattern].MatchString(*v) {
		c.Add(*v, member, awsproto.ConstraintPattern(pattern))
	}
}

// required records a missing required member; it returns whether v is present.
func (c *checker) required(present bool, member string) bool {
	if !present {
		c.AddNull(member)
	}
	return present
}

func (c *checker) intRange(v *int32, member string, min, max int64) {
	if v == nil {
		return
	}
	if int64(*v) < min {
		c.Add(strconv.Itoa(int(*v)), member, awsproto.ConstraintMinValue(min))
	}
	if int64(*v) > max {
		c.Add(strconv.Itoa(int(*v)), member, awsproto.ConstraintMaxValue(max))
	}
}

func (c *checker) enum(v *string, member string, values ...string) {
	if v == nil {
		return
	}
	for _, e := range values {
		if *v == e {
			return
		}
	}
	c.Add(*v, member, awsproto.ConstraintEnum(values...))
}

func (c *checker) groupName(v *string, member string) {
	c.str(v, member, 1, 512, patternGroupName)
}

func (c *checker) streamName(v *string, member string) {
	c.str(v, member, 1, 512, patternStreamName)
}

func (c *checker) requiredGroupName(v *string) {
	if c.required(v != nil, "logGroupName") {
		c.groupName(v, "logGroupName")
	}
}

func (c *checker) limit(v *int32, max int64) { c.intRange(v, "limit", 1, max) }

func (c *checker) nextToken(v *string) { c.str(v, "nextToken", 1, 0, "") }

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
		c.str(&k, member+".member.key", 1, 128, patternTagKey)
		c.str(&v, member+".member.value", 0, 256, patternTagValue)
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
		c.str(&keys[i], member+"."+strconv.Itoa(i+1)+".member", 1, 128, patternTagKey)
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
