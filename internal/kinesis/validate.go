package kinesis

import (
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

func compilePatterns() awsproto.Patterns {
	return awsproto.CompilePatterns(patternName, patternStreamARN, patternResourceARN, patternConsumerARN,
		patternHashKey, patternSequence, patternStreamID)
}

// checker adds Kinesis's member groups to the model-constraint checker.
type checker struct{ awsproto.Checker }

func (s *Service) check() *checker { return &checker{awsproto.NewChecker(s.patterns)} }

// ref checks the StreamName / StreamARN / StreamId members.
func (c *checker) ref(r *streamRef) {
	c.Str(r.StreamName, "streamName", 1, 128, patternName)
	c.Str(r.StreamARN, "streamARN", 1, 2048, patternStreamARN)
	c.Str(r.StreamId, "streamId", 1, 24, patternStreamID)
}

func (c *checker) shardID(v *string, member string) {
	c.Str(v, member, 1, 128, patternName)
}
