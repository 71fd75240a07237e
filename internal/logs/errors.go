package logs

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// CloudWatch Logs error codes (botocore model, spec §3.1).
const (
	codeInvalidParameter    = "InvalidParameterException"
	codeResourceNotFound    = "ResourceNotFoundException"
	codeResourceExists      = "ResourceAlreadyExistsException"
	codeLimitExceeded       = "LimitExceededException"
	codeValidation          = "ValidationException"
	codeTooManyTags         = "TooManyTagsException"
	codeServiceUnavailable  = "ServiceUnavailableException"
	msgGroupNotFound        = "The specified log group does not exist."
	msgStreamNotFound       = "The specified log stream does not exist."
	msgDestinationNotFound  = "The specified destination does not exist."
	msgFilterNotFound       = "The specified filter does not exist."
	msgResourceLimit        = "Resource limit exceeded."
	msgInvalidNextToken     = "The specified nextToken is invalid."
	msgGroupExists          = "The specified log group already exists"
	msgStreamExists         = "The specified log stream already exists"
	msgInvalidFilterPattern = "Invalid filter pattern"
)

func errInvalidParameter(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, codeInvalidParameter, format, args...)
}

func errNotFound(msg string) *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, codeResourceNotFound, msg)
}

func errExists(msg string) *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, codeResourceExists, msg)
}

func errLimitExceeded() *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, codeLimitExceeded, msgResourceLimit)
}

func errInvalidToken() *awsproto.Error { return errInvalidParameter(msgInvalidNextToken) }

func isNotFound(err error) bool {
	e := awsproto.As(err)
	return e != nil && e.Code == codeResourceNotFound
}
