package lambda

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Error codes the Lambda API answers with.
const (
	codeNotFound         = "ResourceNotFoundException"
	codeConflict         = "ResourceConflictException"
	codeInvalidParameter = "InvalidParameterValueException"
	codeTooLarge         = "RequestEntityTooLargeException"
	codePrecondition     = "PreconditionFailedException"
	codeInvalidContent   = "InvalidRequestContentException"
	codeTooManyRequests  = "TooManyRequestsException"
	codeInvalidRuntime   = "InvalidRuntimeException"
	codeValidation       = "ValidationException"
)

// apiError is a Lambda error in AWS's REST-JSON shape: x-amzn-ErrorType
// plus {"Type":"User"|"Service","message":…,"Message":…}. AWS spells the
// message member both ways depending on the exception (spec §1.1), so both
// are sent; botocore reads the code from the header.
func apiError(status int, code, msg string) *awsproto.Error {
	typ := "User"
	if status >= 500 {
		typ = "Service"
	}
	return awsproto.NewError(status, code, msg).With("Type", typ).With("Message", msg)
}

func apiErrorf(status int, code, format string, args ...any) *awsproto.Error {
	return apiError(status, code, fmt.Sprintf(format, args...))
}

func errInvalidParam(format string, args ...any) *awsproto.Error {
	return apiErrorf(http.StatusBadRequest, codeInvalidParameter, format, args...)
}

// errFunctionNotFound: "Function not found: <arn>[:qualifier]".
func errFunctionNotFound(arn string) *awsproto.Error {
	return apiError(http.StatusNotFound, codeNotFound, "Function not found: "+arn)
}

func errConflict(format string, args ...any) *awsproto.Error {
	return apiErrorf(http.StatusConflict, codeConflict, format, args...)
}

// errRevision is UpdateFunction*/AddPermission with a stale RevisionId.
func errRevision() *awsproto.Error {
	return apiError(http.StatusPreconditionFailed, codePrecondition,
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
}

// errThrottled is Invoke's 429 with the reason and a Retry-After header.
func errThrottled(reason string, retryAfter int) *awsproto.Error {
	e := apiError(http.StatusTooManyRequests, codeTooManyRequests, "Rate Exceeded.").With("Reason", reason)
	e.Header = http.Header{"Retry-After": []string{strconv.Itoa(retryAfter)}}
	return e
}

// errValidation renders model-constraint violations as ValidationException
// in Lambda's shape.
func errValidation(v *awsproto.Validation) error {
	if v.Len() == 0 {
		return nil
	}
	return apiError(http.StatusBadRequest, codeValidation, v.Message())
}
