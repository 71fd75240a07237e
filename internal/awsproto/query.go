package awsproto

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
)

// MaxQueryBody caps a Query protocol form body (IAM policy documents are the
// largest values it carries; AWS's own limit is far below this).
const MaxQueryBody = 8 << 20

// QueryNamespace is the XML namespace of a Query protocol service's documents.
func QueryNamespace(service string) string {
	switch service {
	case "sts":
		return "https://sts.amazonaws.com/doc/2011-06-15/"
	case "iam":
		return "https://iam.amazonaws.com/doc/2010-05-08/"
	}
	return ""
}

// QueryVersion is the API version a Query protocol service expects in Version=.
func QueryVersion(service string) string {
	switch service {
	case "sts":
		return "2011-06-15"
	case "iam":
		return "2010-05-08"
	}
	return ""
}

// IsFormBody reports whether r carries an application/x-www-form-urlencoded body.
func IsFormBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// ReadFormBody reads r's form body (at most MaxQueryBody bytes) and puts the
// bytes back as r.Body, so signature verification and handlers can read it
// again. ok is false, and r.Body is left readable from its start, when the
// body is larger than the limit.
func ReadFormBody(r *http.Request) (body []byte, ok bool, err error) {
	orig := r.Body
	body, err = io.ReadAll(io.LimitReader(orig, MaxQueryBody+1))
	if err != nil {
		return nil, false, fmt.Errorf("read form body: %w", err)
	}
	if len(body) > MaxQueryBody {
		r.Body = readCloser{io.MultiReader(bytes.NewReader(body), orig), orig}
		return nil, false, nil
	}
	r.Body = readCloser{bytes.NewReader(body), orig}
	return body, true, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// errMalformedQuery is the Query protocol's answer to an undecodable form.
func errMalformedQuery(cause error) *Error {
	return NewError(http.StatusBadRequest, "MalformedQueryString", "The query string or form body could not be parsed").WithCause(cause)
}

// ParseQuery returns a Query protocol request's parameters: the URL query,
// plus the form body when there is one (body values after URL values). The
// body is put back as r.Body.
func ParseQuery(r *http.Request) (url.Values, error) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errMalformedQuery(err)
	}
	if !IsFormBody(r) {
		return vals, nil
	}
	body, ok, err := ReadFormBody(r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, NewError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body is too large")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errMalformedQuery(err)
	}
	for k, vs := range form {
		vals[k] = append(vals[k], vs...)
	}
	return vals, nil
}

// WriteQueryResponse writes a Query protocol success document for
// route.Operation in the service's namespace:
//
//	<XxxResponse xmlns="..."><XxxResult>result's fields</XxxResult>
//	<ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></XxxResponse>
//
// A nil result omits the XxxResult element (operations with no output).
// result is marshalled by encoding/xml with XxxResult as its element name.
func WriteQueryResponse(w http.ResponseWriter, route Route, result any, requestID string) error {
	action := route.Operation
	if action == "" {
		return errors.New("write query response: route has no operation")
	}
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	root := xml.StartElement{Name: xml.Name{Local: action + "Response"}}
	if ns := QueryNamespace(route.Service); ns != "" {
		root.Attr = []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}
	}
	if err := enc.EncodeToken(root); err != nil {
		return fmt.Errorf("encode %s response: %w", action, err)
	}
	if result != nil {
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			return fmt.Errorf("encode %s result: %w", action, err)
		}
	}
	meta := struct {
		RequestID string `xml:"RequestId"`
	}{requestID}
	if err := enc.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return fmt.Errorf("encode %s metadata: %w", action, err)
	}
	if err := enc.EncodeToken(root.End()); err != nil {
		return fmt.Errorf("encode %s response: %w", action, err)
	}
	if err := enc.Flush(); err != nil {
		return fmt.Errorf("encode %s response: %w", action, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}
