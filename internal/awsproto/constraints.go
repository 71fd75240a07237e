package awsproto

import (
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Patterns holds a service's compiled model patterns (botocore "pattern"
// traits), keyed by their source. Each matches the whole string, as AWS's
// servers apply them. Build it once per service; it is read-only after.
type Patterns map[string]*regexp.Regexp

// CompilePatterns compiles model patterns; it panics on a bad one, since
// they are constants of the service's code.
func CompilePatterns(sources ...string) Patterns {
	p := make(Patterns, len(sources))
	for _, src := range sources {
		p[src] = regexp.MustCompile(`^(?:` + src + `)$`)
	}
	return p
}

// Checker checks request members against model constraints (required,
// length, pattern, range, enum) and collects the violations in AWS's
// wording. Services embed it and add checks for their own member groups.
type Checker struct {
	Validation
	patterns Patterns
}

// NewChecker returns an empty Checker that uses p for Str's patterns.
func NewChecker(p Patterns) Checker { return Checker{patterns: p} }

// Str checks an optional string member: length bounds in characters
// (maxLen 0: unbounded) and a pattern ("" for none; otherwise it must be one
// of the Checker's Patterns).
func (c *Checker) Str(v *string, member string, minLen, maxLen int, pattern string) {
	if v == nil {
		return
	}
	n := utf8.RuneCountInString(*v)
	if n < minLen {
		c.Add(*v, member, ConstraintMinLength(minLen))
	}
	if maxLen > 0 && n > maxLen {
		c.Add(*v, member, ConstraintMaxLength(maxLen))
	}
	if pattern != "" && !c.patterns[pattern].MatchString(*v) {
		c.Add(*v, member, ConstraintPattern(pattern))
	}
}

// Required records a missing required member; it returns whether it is present.
func (c *Checker) Required(present bool, member string) bool {
	if !present {
		c.AddNull(member)
	}
	return present
}

// Int checks an optional integer member against [min, max] (max 0: unbounded).
func (c *Checker) Int(v *int64, member string, min, max int64) {
	if v == nil {
		return
	}
	if *v < min {
		c.Add(strconv.FormatInt(*v, 10), member, ConstraintMinValue(min))
	}
	if max > 0 && *v > max {
		c.Add(strconv.FormatInt(*v, 10), member, ConstraintMaxValue(max))
	}
}

// Int32 is Int for 32-bit members.
func (c *Checker) Int32(v *int32, member string, min, max int64) {
	if v == nil {
		return
	}
	w := int64(*v)
	c.Int(&w, member, min, max)
}

// Enum checks an optional member against the model's enum values.
func (c *Checker) Enum(v *string, member string, values ...string) {
	if v == nil {
		return
	}
	for _, e := range values {
		if *v == e {
			return
		}
	}
	c.Add(*v, member, ConstraintEnum(values...))
}
