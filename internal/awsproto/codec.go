package awsproto

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// errSerialization is the JSON protocols' answer to a body that is not the
// operation's JSON.
func errSerialization(message string, cause error) *Error {
	return NewError(http.StatusBadRequest, "SerializationException", message).WithCause(cause)
}

// DecodeJSON decodes r's JSON body into v. An empty body leaves v as it is
// (clients may omit "{}" for operations without required members); anything
// that is not a single JSON value of v's shape is a 400 SerializationException.
func DecodeJSON(r *http.Request, v any) error {
	if r.Body == nil {
		return nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			field := typeErr.Field
			if field == "" {
				field = "the request"
			}
			return errSerialization(fmt.Sprintf("Unexpected %s value for %s", typeErr.Value, field), err)
		}
		return errSerialization("The request body is not valid JSON", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errSerialization("The request body holds more than one JSON value", err)
	}
	return nil
}

// WriteJSON writes v as route.Protocol's JSON response with the given
// status; a nil v writes {}. HEAD requests get headers only.
func WriteJSON(w http.ResponseWriter, r *http.Request, route Route, status int, v any) error {
	body := []byte("{}")
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s response: %w", route.Operation, err)
		}
		body = b
	}
	ct := route.Protocol.ContentType()
	if route.Protocol != ProtocolJSON10 && route.Protocol != ProtocolJSON11 && route.Protocol != ProtocolRESTJSON {
		ct = "application/json"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(body)
	return err
}

// WriteXML writes v as an S3-style XML document (XML declaration, then v
// marshalled by encoding/xml; v's XMLName carries the namespace) with
// Content-Type application/xml.
func WriteXML(w http.ResponseWriter, status int, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode xml response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xmlDeclaration)+len(b)))
	w.WriteHeader(status)
	if _, err := io.WriteString(w, xmlDeclaration); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
