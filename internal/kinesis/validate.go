package kinesis

import (
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Model patterns (botocore), matched as whole strings as Coral does.
const (
	patternName        = `[a-zA-Z0-9_.-]+`
	patternStreamARN   = `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`
	patternResourceARN = `arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`
	patternConsumerARN = `^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`
	patternHashKey     = `0|([1-9]\d{0,38})`
	patternSequence    = `0|([1-9]\d{0,128})`
	patternStreamID    = `[a-z0-9]{20}-[a-z0-9]{3}`
)

// patterns holds the compiled model patterns; built once per Service.
type patterns map[string]*regexp.Regexp

func compilePatterns() patterns {
	p := patterns{}
	for _, src := range []string{patternName, patternStreamARN, patternResourceARN, patternConsumerARN,
		patternHashKey, patternSequence, patternStreamID} {
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

func (c *checker) intRange(v *int64, member string, min, max int64) {
	if v == nil {
		return
	}
	if *v < min {
		c.Add(strconv.FormatInt(*v, 10), member, awsproto.ConstraintMinValue(min))
	}
	if max > 0 && *v > max {
		c.Add(strconv.FormatInt(*v, 10), member, awsproto.ConstraintMaxValue(max))
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

// ref checks the StreamName / StreamARN / StreamId members.
func (c *checker) ref(r *streamRef) {
	c.str(r.StreamName, "streamName", 1, 128, patternName)
	c.str(r.StreamARN, "streamARN", 1, 2048, patternStreamARN)
	c.str(r.StreamId, "streamId", 1, 24, patternStreamID)
}

func (c *checker) shardID(v *string, member string) {
	c.str(v, member, 1, 128, patternName)
}
