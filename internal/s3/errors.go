package s3

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// S3 error codes with their status and AWS's message. Handlers return these
// (often .WithResource(...) or .With(...)); the server renders them as S3
// <Error> XML. Source: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
var (
	errNoSuchBucket            = awsproto.NewError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
	errNoSuchKey               = awsproto.NewError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	errNoSuchUpload            = awsproto.NewError(http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	errNoSuchTagSet            = awsproto.NewError(http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist")
	errBucketAlreadyOwnedByYou = awsproto.NewError(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
	errBucketAlreadyExists     = awsproto.NewError(http.StatusConflict, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
	errBucketNotEmpty          = awsproto.NewError(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty")
	errConditionalConflict     = awsproto.NewError(http.StatusConflict, "ConditionalRequestConflict", "A conflicting conditional action is currently in progress against this resource. Try again.")
	errInvalidBucketName       = awsproto.NewError(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.")
	errInvalidRange            = awsproto.NewError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
	errPreconditionFailed      = awsproto.NewError(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	errNotModified             = awsproto.NewError(http.StatusNotModified, "NotModified", "Not Modified")
	errMalformedXML            = awsproto.NewError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	errInvalidArgument         = awsproto.NewError(http.StatusBadRequest, "InvalidArgument", "Invalid Argument")
	errInvalidRequest          = awsproto.NewError(http.StatusBadRequest, "InvalidRequest", "Invalid Request")
	errInvalidPart             = awsproto.NewError(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	errInvalidPartOrder        = awsproto.NewError(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
	errEntityTooSmall          = awsproto.NewError(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
	errEntityTooLarge          = awsproto.NewError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
	errBadDigest               = awsproto.NewError(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
	errInvalidDigest           = awsproto.NewError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
	errKeyTooLong              = awsproto.NewError(http.StatusBadRequest, "KeyTooLongError", "Your key is too long")
	errIncompleteBody          = awsproto.NewError(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header")
	errMissingContentLength    = awsproto.NewError(http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
	errInvalidTag              = awsproto.NewError(http.StatusBadRequest, "InvalidTag", "The TagSet is invalid")
	errMethodNotAllowed        = awsproto.NewError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	errNotImplemented          = awsproto.NewError(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
	errInvalidLocation         = awsproto.NewError(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
	errIllegalLocation         = awsproto.NewError(http.StatusBadRequest, "IllegalLocationConstraintException", "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
)

// errUnsupportedOperation answers an S3 operation Tributary does not implement yet.
func errUnsupportedOperation(op string) *awsproto.Error {
	return awsproto.Errorf(http.StatusNotImplemented, "NotImplemented", "%s is not implemented by Tributary yet", op)
}

// Errors for bucket and object operations (bucket.go, object.go, copy.go, tagging.go).
var (
	errInvalidObjectState  = awsproto.NewError(http.StatusForbidden, "InvalidObjectState", "The operation is not valid for the object's storage class")
	errInvalidPartNumber   = awsproto.NewError(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber", "The requested partnumber is not satisfiable")
	errMetadataTooLarge    = awsproto.NewError(http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.")
	errInvalidStorageClass = awsproto.NewError(http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid")
	errBadRequest          = awsproto.NewError(http.StatusBadRequest, "BadRequest", "Bad Request")
	errMissingContentMD5   = awsproto.NewError(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: Content-MD5")
	errCopyOntoItself      = awsproto.NewError(http.StatusBadRequest, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	errCopySourceTooLarge  = awsproto.NewError(http.StatusBadRequest, "InvalidRequest", "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")
)

// noSuchBucket is NoSuchBucket for bucket, with the elements S3 adds.
func noSuchBucket(bucket string) *awsproto.Error {
	return errNoSuchBucket.WithResource(bucketResource(bucket)).With("BucketName", bucket)
}

// noSuchKey is NoSuchKey for bucket/key, with the elements S3 adds.
func noSuchKey(bucket, key string) *awsproto.Error {
	return errNoSuchKey.WithResource(objectResource(bucket, key)).With("Key", key)
}

// invalidArgument is InvalidArgument naming the offending argument and value.
func invalidArgument(msg, name, value string) *awsproto.Error {
	return errInvalidArgument.WithMessage(msg).With("ArgumentName", name).With("ArgumentValue", value)
}

var errAccessDenied = awsproto.NewError(http.StatusForbidden, "AccessDenied", "Access Denied")
