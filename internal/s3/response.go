package s3

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// s3XMLNS is the namespace every S3 response document carries.
const s3XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"

// s3TimeLayout is how S3 writes timestamps inside XML documents.
const s3TimeLayout = "2006-01-02T15:04:05.000Z"

// xmlTime formats t the way S3 XML documents do (UTC, milliseconds).
func xmlTime(t time.Time) string { return t.UTC().Format(s3TimeLayout) }

// httpTime formats t as an HTTP date (RFC 1123, GMT), as in Last-Modified.
func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// quoteETag returns the ETag as S3 sends it: in double quotes.
func quoteETag(etag string) string { return `"` + etag + `"` }

// unquoteETag strips a weak prefix, surrounding spaces and double quotes
// (clients send ETags quoted, unquoted, or XML-escaped quotes already decoded).
func unquoteETag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	return strings.Trim(s, `"`)
}

// writeXMLResponse encodes v as an S3 XML document and writes it with the
// given status. Encoding happens before anything is written, so a failure
// still lets the caller return an error.
func writeXMLResponse(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return awsproto.Internal(err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client going away is not an operation error
	return nil
}
