package kinesis

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Kinesis error codes (botocore model, spec §1.2). Messages follow AWS's
// (as recorded by kinesalite) so clients that match on them keep working.
const (
	codeResourceNotFound  = "ResourceNotFoundException"
	codeResourceInUse     = "ResourceInUseException"
	codeInvalidArgument   = "InvalidArgumentException"
	codeLimitExceeded     = "LimitExceededException"
	codeThroughput        = "ProvisionedThroughputExceededException"
	codeExpiredIterator   = "ExpiredIteratorException"
	codeExpiredNextToken  = "ExpiredNextTokenException"
	codeValidation        = "ValidationException"
	codeInternalFailure   = "InternalFailureException"
	codeInternalFailureEn = "InternalFailure" // PutRecords per-entry code
)

func errInvalidArgument(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, codeInvalidArgument, format, args...)
}

func errNotFound(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, codeResourceNotFound, format, args...)
}

func errInUse(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, codeResourceInUse, format, args...)
}

func errLimitExceeded(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, codeLimitExceeded, format, args...)
}

func errValidation(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, codeValidation, format, args...)
}

func errThroughput(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, codeThroughput, format, args...)
}

// errInvalidIterator answers an iterator that is not one of ours, was
// tampered with, or is unreadable.
func errInvalidIterator() *awsproto.Error {
	return errInvalidArgument("Invalid ShardIterator.")
}

func (s *Service) errStreamNotFound(name string) *awsproto.Error {
	return errNotFound("Stream %s under account %s not found.", name, s.cfg.AccountID)
}

func (s *Service) errShardNotFound(shardID, stream string) *awsproto.Error {
	return errNotFound("Shard %s in stream %s under account %s does not exist", shardID, stream, s.cfg.AccountID)
}

func (s *Service) errCouldNotFindShard(shardID, stream string) *awsproto.Error {
	return errNotFound("Could not find shard %s in stream %s under account %s.", shardID, stream, s.cfg.AccountID)
}

func (s *Service) errNotActive(name, status string) *awsproto.Error {
	return errInUse("Stream %s under account %s not ACTIVE, instead in state %s", name, s.cfg.AccountID, status)
}

func awsprotoAs(err error) *awsproto.Error { return awsproto.As(err) }
