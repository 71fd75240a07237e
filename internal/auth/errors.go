package auth

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// The errors below carry S3's codes, statuses and messages
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
// They are built by functions, not shared variables, so that callers may
// decorate them freely.

const isoSeconds = "2006-01-02T15:04:05Z"

func errSignatureDoesNotMatch() *awsproto.Error {
	return awsproto.NewError(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}

func errInvalidAccessKeyID(accessKey string) *awsproto.Error {
	return awsproto.NewError(http.StatusForbidden, "InvalidAccessKeyId",
		"The AWS Access Key Id you provided does not exist in our records.").With("AWSAccessKeyId", accessKey)
}

func errRequestTimeTooSkewed(requestTime string, now time.Time, maxSkew time.Duration) *awsproto.Error {
	return awsproto.NewError(http.StatusForbidden, "RequestTimeTooSkewed",
		"The difference between the request time and the current time is too large.").
		With("RequestTime", requestTime).
		With("ServerTime", now.UTC().Format(isoSeconds)).
		With("MaxAllowedSkewMilliseconds", strconv.FormatInt(maxSkew.Milliseconds(), 10))
}

func errMissingDate() *awsproto.Error {
	return awsproto.NewError(http.StatusForbidden, "AccessDenied",
		"AWS authentication requires a valid Date or x-amz-date header")
}

func errAccessDenied(msg string) *awsproto.Error {
	return awsproto.NewError(http.StatusForbidden, "AccessDenied", msg)
}

func errHeaderMalformed(detail string) *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, "AuthorizationHeaderMalformed",
		"The authorization header is malformed; "+detail)
}

func errQueryMalformed(msg string) *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, "AuthorizationQueryParametersError", msg)
}

func errInvalidArgument(msg, name, value string) *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, "InvalidArgument", msg).
		With("ArgumentName", name).With("ArgumentValue", value)
}

func errInvalidRequest(msg string) *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, "InvalidRequest", msg)
}

func errIncompleteBody() *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, "IncompleteBody",
		"You did not provide the number of bytes specified by the Content-Length HTTP header")
}

func errMalformedTrailer() *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, "MalformedTrailerError",
		"The request contained trailing data that was not well-formed or did not conform to our published schema.")
}

func errContentSHA256Mismatch(client, computed string) *awsproto.Error {
	return awsproto.NewError(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
		"The provided 'x-amz-content-sha256' header does not match what was computed.").
		With("ClientComputedContentSHA256", client).
		With("S3ComputedContentSHA256", computed)
}

func errBodyTooLarge(limit int64) *awsproto.Error {
	return awsproto.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
		"Request must be smaller than %d bytes for the operation", limit)
}

// errChunkFraming reports aws-chunked bytes that break the grammar.
func errChunkFraming(detail string) *awsproto.Error {
	return errInvalidRequest("Invalid aws-chunked encoding: " + detail)
}
