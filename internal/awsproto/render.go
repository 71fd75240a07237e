package awsproto

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// Response header names carrying the request id.
const (
	HeaderS3RequestID = "X-Amz-Request-Id" // S3 and S3 Control
	HeaderS3HostID    = "X-Amz-Id-2"       // S3 and S3 Control
	HeaderRequestID   = "X-Amzn-Requestid" // JSON, REST-JSON and Query services
	HeaderErrorType   = "X-Amzn-Errortype" // JSON and REST-JSON error code
)

// xmlDeclaration starts every S3 XML document.
const xmlDeclaration = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// S3Headers reports whether the protocol's responses carry S3's request id
// headers (x-amz-request-id, x-amz-id-2) rather than x-amzn-RequestId. The
// zero Protocol counts as S3, the classifier's fallback.
func (p Protocol) S3Headers() bool {
	return p == ProtocolRESTXML || p == ProtocolS3Control || p == ""
}

// ContentType is the Content-Type of the protocol's JSON bodies, or "" for
// non-JSON protocols.
func (p Protocol) ContentType() string {
	switch p {
	case ProtocolJSON10:
		return "application/x-amz-json-1.0"
	case ProtocolJSON11:
		return "application/x-amz-json-1.1"
	case ProtocolRESTJSON:
		return "application/json"
	case ProtocolQuery:
		return "text/xml"
	default:
		return "application/xml"
	}
}

// WriteError renders err as route.Protocol's error response. An *Error (or
// an error wrapping one) is rendered as is; anything else becomes a 500
// InternalFailure (S3: InternalError), whose cause the caller logs. JSON
// protocol errors of CBOR requests (IsCBOR) are CBOR maps. The
// request id comes from r's context, S3's HostId from the response's
// x-amz-id-2 header. HEAD requests and 304 responses get headers only.
func WriteError(w http.ResponseWriter, r *http.Request, route Route, err error) {
	e := As(err)
	if e == nil {
		e = Internal(err)
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	code := e.Code
	if route.Protocol.S3Headers() && code == "InternalFailure" {
		code = "InternalError"
	}
	h := w.Header()
	for name, values := range e.Header {
		h[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	requestID := RequestID(r.Context())

	var body []byte
	contentType := route.Protocol.ContentType()
	switch route.Protocol {
	case ProtocolJSON10, ProtocolJSON11, ProtocolRESTJSON:
		h.Set(HeaderErrorType, code)
		if IsCBOR(r) {
			body, contentType = cborErrorBody(code, e), ContentTypeCBOR
		} else {
			body = jsonErrorBody(code, e)
		}
	case ProtocolQuery:
		body = queryErrorBody(route.Service, code, status, e.Message, requestID)
	case ProtocolS3Control:
		body = s3ControlErrorBody(code, e.Message, requestID, h.Get(HeaderS3HostID))
	default:
		body = s3ErrorBody(code, e, requestID, h.Get(HeaderS3HostID))
	}
	noBody := r.Method == http.MethodHead || status == http.StatusNotModified
	if status != http.StatusNotModified {
		h.Set("Content-Type", contentType)
	}
	if noBody {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body) // a failed write means the client went away; nothing left to tell it
}

// errorFields are the members of an awsjson error body: __type, message,
// and e.Extra as strings.
func errorFields(code string, e *Error) map[string]string {
	fields := make(map[string]string, 2+len(e.Extra))
	for k, v := range e.Extra {
		fields[k] = v
	}
	fields["__type"] = code
	fields["message"] = e.Message
	return fields
}

// jsonErrorBody is {"__type": code, "message": ...} plus e.Extra as strings.
func jsonErrorBody(code string, e *Error) []byte {
	b, err := json.Marshal(errorFields(code, e))
	if err != nil { // a map of strings always marshals
		panic(err)
	}
	return b
}

// s3ErrorBody is S3's <Error> document.
func s3ErrorBody(code string, e *Error, requestID, hostID string) []byte {
	var b strings.Builder
	b.WriteString(xmlDeclaration)
	b.WriteString("<Error>")
	xmlElement(&b, "Code", code)
	xmlElement(&b, "Message", e.Message)
	for _, name := range e.ExtraOrder {
		if v, ok := e.Extra[name]; ok {
			xmlElement(&b, name, v)
		}
	}
	if e.Resource != "" {
		xmlElement(&b, "Resource", e.Resource)
	}
	xmlElement(&b, "RequestId", requestID)
	xmlElement(&b, "HostId", hostID)
	b.WriteString("</Error>")
	return []byte(b.String())
}

// s3ControlErrorBody is S3 Control's wrapped <ErrorResponse> document (the Go
// SDK's s3control deserializer reads Error/Code under the root element).
func s3ControlErrorBody(code, message, requestID, hostID string) []byte {
	var b strings.Builder
	b.WriteString(xmlDeclaration)
	b.WriteString("<ErrorResponse><Error>")
	xmlElement(&b, "Code", code)
	xmlElement(&b, "Message", message)
	b.WriteString("</Error>")
	xmlElement(&b, "RequestId", requestID)
	xmlElement(&b, "HostId", hostID)
	b.WriteString("</ErrorResponse>")
	return []byte(b.String())
}

// queryErrorBody is the Query protocol's <ErrorResponse>; Type is Sender for
// client errors and Receiver for server errors.
func queryErrorBody(service, code string, status int, message, requestID string) []byte {
	errType := "Sender"
	if status >= 500 {
		errType = "Receiver"
	}
	var b strings.Builder
	b.WriteString("<ErrorResponse")
	if ns := QueryNamespace(service); ns != "" {
		b.WriteString(` xmlns="`)
		xml.EscapeText(&b, []byte(ns))
		b.WriteString(`"`)
	}
	b.WriteString("><Error>")
	xmlElement(&b, "Type", errType)
	xmlElement(&b, "Code", code)
	xmlElement(&b, "Message", message)
	b.WriteString("</Error>")
	xmlElement(&b, "RequestId", requestID)
	b.WriteString("</ErrorResponse>")
	return []byte(b.String())
}

func xmlElement(b *strings.Builder, name, value string) {
	b.WriteString("<" + name + ">")
	xml.EscapeText(b, []byte(value))
	b.WriteString("</" + name + ">")
}

// UnknownOperation is the protocol's answer to an operation the service's
// model does not have: JSON 400 UnknownOperationException, REST-JSON 404
// UnknownOperationException, S3 and S3 Control 405 MethodNotAllowed, Query
// 400 InvalidAction.
func UnknownOperation(route Route, operation string) *Error {
	switch route.Protocol {
	case ProtocolJSON10, ProtocolJSON11:
		if operation == "" {
			return NewError(http.StatusBadRequest, "UnknownOperationException", "The request does not name an operation")
		}
		return Errorf(http.StatusBadRequest, "UnknownOperationException", "Operation %s is not recognized", operation)
	case ProtocolRESTJSON:
		return NewError(http.StatusNotFound, "UnknownOperationException", "The request does not match any operation of the service")
	case ProtocolQuery:
		if operation == "" {
			return NewError(http.StatusBadRequest, "MissingAction", "Missing Action")
		}
		return Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s",
			operation, QueryVersion(route.Service))
	default:
		return NewError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
}

// UnsupportedOperation is the protocol's answer to a modelled operation
// Tributary has not built: JSON 400 UnknownOperationException, REST-JSON 404
// UnknownOperationException, S3 and S3 Control 501 NotImplemented, Query 400
// InvalidAction. The message says it is Tributary's gap, not the caller's
// mistake.
func UnsupportedOperation(route Route) *Error {
	op := route.Operation
	if op == "" {
		op = "This operation"
	}
	switch route.Protocol {
	case ProtocolJSON10, ProtocolJSON11:
		return Errorf(http.StatusBadRequest, "UnknownOperationException", "%s is not supported by Tributary yet", op)
	case ProtocolRESTJSON:
		return Errorf(http.StatusNotFound, "UnknownOperationException", "%s is not supported by Tributary yet", op)
	case ProtocolQuery:
		return Errorf(http.StatusBadRequest, "InvalidAction", "%s is not supported by Tributary yet", op)
	default:
		return Errorf(http.StatusNotImplemented, "NotImplemented", "%s is not implemented by Tributary yet", op)
	}
}
