package comprehend

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Comprehend error codes (botocore comprehend/2017-11-27).
const (
	codeTextSizeLimitExceeded = "TextSizeLimitExceededException"
)

// maxTextBytes is the 100 KB limit of DetectPiiEntities' and
// ContainsPiiEntities' Text, counted in UTF-8 bytes as AWS counts it.
const maxTextBytes = 100000

// errTextTooLarge is AWS's answer to a Text over the limit; the message is
// AWS's wording, with the request's size in bytes.
func errTextTooLarge(size int) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, codeTextSizeLimitExceeded,
		"Input text size exceeds limit. Max length of request text allowed is %d bytes while in this request the text size is %d bytes",
		maxTextBytes, size)
}
