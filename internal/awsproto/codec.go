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
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// DecodeRequest decodes an awsjson request body into v: CBOR when the
// request is CBOR (IsCBOR), else JSON by DecodeJSON's rules. CBOR is a map
// keyed by the JSON member names (v's json tags), with blobs as byte strings
// and definite or indefinite lengths. An empty body leaves v as it is; a bad
// one is a 400 SerializationException.
func DecodeRequest(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if IsCBOR(r) {
		return decodeCBOR(body, v)
	}
	return decodeJSON(body, v)
}

// maxPreallocatedBody caps the buffer sized from Content-Length up front;
// a larger body still reads, growing as it comes.
const maxPreallocatedBody = 64 << 20

// readBody reads r's whole body into one buffer sized from Content-Length.
// Bodies the auth layer already holds in memory (a bytes.Reader, which is
// an io.WriterTo) are copied once, without intermediate buffers.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= maxPreallocatedBody {
		buf.Grow(int(n) + bytes.MinRead) // MinRead spare: the EOF read must not regrow
	}
	if _, err := io.Copy(&buf, r.Body); err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeJSON is DecodeJSON on a body already read. json.Unmarshal works on
// the bytes in place, where a json.Decoder would buffer a second copy.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "the request"
		}
		return errSerialization(fmt.Sprintf("Unexpected %s value for %s", typeErr.Value, field), err)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) && startsWithJSONValue(body) {
		return errSerialization("The request body holds more than one JSON value", err)
	}
	return errSerialization("The request body is not valid JSON", err)
}

// startsWithJSONValue reports whether body begins with a complete JSON
// value, telling trailing data apart from a broken value (error path only).
func startsWithJSONValue(body []byte) bool {
	var first json.RawMessage
	return json.NewDecoder(bytes.NewReader(body)).Decode(&first) == nil
}

// WriteResponse writes v as the 200 response of an awsjson operation in the
// request's encoding: CBOR for CBOR requests (IsCBOR), else JSON as
// WriteJSON does. A nil v writes an empty object.
func WriteResponse(w http.ResponseWriter, r *http.Request, route Route, v any) error {
	if IsCBOR(r) {
		return writeCBOR(w, r, route, http.StatusOK, v)
	}
	return WriteJSON(w, r, route, http.StatusOK, v)
}

// WriteJSON writes v as route.Protocol's JSON response with the given
// status; a nil v writes {}. HEAD requests get headers only.
func WriteJSON(w http.ResponseWriter, r *http.Request, route Route, status int, v any) error {
	ct := route.Protocol.ContentType()
	if route.Protocol != ProtocolJSON10 && route.Protocol != ProtocolJSON11 && route.Protocol != ProtocolRESTJSON {
		ct = "application/json"
	}
	body := &jsonBody{w: w, status: status, contentType: ct, head: r.Method == http.MethodHead}
	if v == nil {
		_, err := body.Write([]byte("{}\n"))
		return err
	}
	// json.Encoder hands its (pooled) buffer to one Write; sending it from
	// there saves json.Marshal's copy of the whole document, which matters
	// for GetRecords' 10 MB responses.
	if err := json.NewEncoder(body).Encode(v); err != nil {
		if !body.sent {
			return fmt.Errorf("encode %s response: %w", route.Operation, err)
		}
		return err
	}
	return body.finish()
}

// jsonBody receives json.Encoder's output and sends it as the response body
// with an exact Content-Length. The encoder ends its output with a newline,
// which a JSON document (not indented) holds nowhere else: a Write ending in
// one is the last. Earlier Writes, should an encoder split its output, are
// kept until then.
type jsonBody struct {
	w           http.ResponseWriter
	status      int
	contentType string
	head        bool
	pending     []byte
	sent        bool
}

func (b *jsonBody) Write(p []byte) (int, error) {
	n := len(p)
	if n == 0 || p[n-1] != '\n' {
		b.pending = append(b.pending, p...)
		return n, nil
	}
	doc := p[:n-1]
	if b.pending != nil {
		doc = append(b.pending, doc...)
		b.pending = nil
	}
	if err := b.send(doc); err != nil {
		return 0, err
	}
	return n, nil
}

// finish sends output that never saw its newline (no current encoder does that).
func (b *jsonBody) finish() error {
	if b.sent {
		return nil
	}
	return b.send(b.pending)
}

func (b *jsonBody) send(doc []byte) error {
	b.sent = true
	h := b.w.Header()
	h.Set("Content-Type", b.contentType)
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	b.w.WriteHeader(b.status)
	if b.head {
		return nil
	}
	_, err := b.w.Write(doc)
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

// MarshalEventPayload encodes v as an event-stream payload in the request's
// encoding (SubscribeToShard events, exceptions' {"message": ...}): CBOR
// for CBOR requests, else JSON, with the :content-type header value to send.
func MarshalEventPayload(r *http.Request, v any) (payload []byte, contentType string, err error) {
	if IsCBOR(r) {
		payload, err = cborEnc.Marshal(v)
		return payload, ContentTypeCBOR, err
	}
	payload, err = json.Marshal(v)
	return payload, "application/json", err
}
