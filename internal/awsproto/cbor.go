package awsproto

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// ContentTypeCBOR is the Content-Type of awsjson requests and responses the
// Java SDKs send as CBOR (Kinesis by default).
const ContentTypeCBOR = "application/x-amz-cbor-1.1"

// IsCBOR reports whether r's body is CBOR (Content-Type ContentTypeCBOR,
// parameters and case ignored). There is no negotiation: the response,
// errors included, is CBOR exactly when the request is.
func IsCBOR(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == ContentTypeCBOR {
		return true
	}
	if !strings.Contains(strings.ToLower(ct), "cbor") {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == ContentTypeCBOR
}

// The CBOR modes mirror encoding/json's view of Go types, so that a request
// or response struct means the same in both encodings: member names and
// omitempty (with encoding/json's meaning) come from json tags, which the
// cbor package falls back to; encoding.TextMarshaler types are text
// strings; encoding.BinaryMarshaler is ignored; types with their own JSON
// (un)marshalers are transcoded through JSON. Maps are written with sorted
// keys, as encoding/json does. Members must use Timestamp, not time.Time
// (which neither encoding writes as AWS does). The modes are immutable and
// safe for concurrent use.
var (
	cborEnc      = mustEncMode(cborEncOptions(jsonToCBOR{}))
	cborPlainEnc = mustEncMode(cborEncOptions(nil)) // for the transcoder's own output
	cborDec      = mustDecMode(cborDecOptions(cborToJSON{}))
	cborPlainDec = mustDecMode(cborDecOptions(nil)) // for the transcoder's own input
)

func cborEncOptions(jsonMarshalers cbor.Transcoder) cbor.EncOptions {
	return cbor.EncOptions{
		Sort:                    cbor.SortBytewiseLexical,
		OmitEmpty:               cbor.OmitEmptyGoValue, // encoding/json's: never omits a struct
		BinaryMarshaler:         cbor.BinaryMarshalerNone,
		TextMarshaler:           cbor.TextMarshalerTextString,
		JSONMarshalerTranscoder: jsonMarshalers,
	}
}

func cborDecOptions(jsonUnmarshalers cbor.Transcoder) cbor.DecOptions {
	return cbor.DecOptions{
		DupMapKey:                 cbor.DupMapKeyQuiet, // last one wins, as in encoding/json
		IndefLength:               cbor.IndefLengthAllowed,
		TagsMd:                    cbor.TagsAllowed,
		DefaultMapType:            reflect.TypeFor[map[string]any](),
		UnrecognizedTagToAny:      cbor.UnrecognizedTagContentToAny,
		BinaryUnmarshaler:         cbor.BinaryUnmarshalerNone,
		TextUnmarshaler:           cbor.TextUnmarshalerTextString,
		JSONUnmarshalerTranscoder: jsonUnmarshalers,
	}
}

func mustEncMode(opts cbor.EncOptions) cbor.EncMode {
	m, err := opts.EncMode()
	if err != nil {
		panic(err) // constant options: a programming error
	}
	return m
}

func mustDecMode(opts cbor.DecOptions) cbor.DecMode {
	m, err := opts.DecMode()
	if err != nil {
		panic(err) // constant options: a programming error
	}
	return m
}

// jsonToCBOR encodes a value with its own MarshalJSON (and no MarshalCBOR):
// its JSON becomes the equivalent CBOR (numbers as integers where they are
// integers, else floats).
type jsonToCBOR struct{}

func (jsonToCBOR) Transcode(dst io.Writer, src io.Reader) error {
	dec := json.NewDecoder(src)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	b, err := cborPlainEnc.Marshal(jsonNumbersToCBOR(v))
	if err != nil {
		return err
	}
	_, err = dst.Write(b)
	return err
}

func jsonNumbersToCBOR(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return u
		}
		f, _ := strconv.ParseFloat(string(v), 64) // valid JSON number; out of range gives ±Inf
		return f
	case map[string]any:
		for k, e := range v {
			v[k] = jsonNumbersToCBOR(e)
		}
	case []any:
		for i, e := range v {
			v[i] = jsonNumbersToCBOR(e)
		}
	}
	return v
}

// cborToJSON decodes into a value with its own UnmarshalJSON (and no
// UnmarshalCBOR): the CBOR item is rewritten as JSON, byte strings as
// base64 strings as awsjson writes blobs.
type cborToJSON struct{}

func (cborToJSON) Transcode(dst io.Writer, src io.Reader) error {
	data, err := io.ReadAll(src)
	if err != nil {
		return err
	}
	var v any
	if err := cborPlainDec.Unmarshal(data, &v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = dst.Write(b)
	return err
}

// decodeCBOR decodes a CBOR request body into v. An empty body leaves v as
// it is, like DecodeJSON.
func decodeCBOR(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	err := cborDec.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var typeErr *cbor.UnmarshalTypeError
	var extraErr *cbor.ExtraneousDataError
	var invalidErr *cbor.InvalidUnmarshalError
	switch {
	case errors.As(err, &invalidErr):
		return fmt.Errorf("decode cbor request: %w", err) // v is not a pointer: our bug, not the client's
	case errors.As(err, &typeErr):
		field := "the request"
		if i := strings.LastIndexByte(typeErr.StructFieldName, '.'); i >= 0 {
			field = typeErr.StructFieldName[i+1:]
		}
		return errSerialization(fmt.Sprintf("Unexpected %s value for %s", cborTypeName(typeErr.CBORType), field), err)
	case errors.As(err, &extraErr):
		return errSerialization("The request body holds more than one CBOR value", err)
	}
	return errSerialization("The request body is not valid CBOR", err)
}

// writeCBOR writes v as a CBOR response with the given status; a nil v
// writes an empty map. HEAD requests get headers only.
func writeCBOR(w http.ResponseWriter, r *http.Request, route Route, status int, v any) error {
	body := []byte{0xa0} // {}
	if v != nil {
		b, err := cborEnc.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s response: %w", route.Operation, err)
		}
		body = b
	}
	h := w.Header()
	h.Set("Content-Type", ContentTypeCBOR)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(body)
	return err
}

// cborErrorBody is jsonErrorBody in CBOR: {"__type": code, "message": ...}
// plus e.Extra, all text strings.
func cborErrorBody(code string, e *Error) []byte {
	b, err := cborEnc.Marshal(errorFields(code, e))
	if err != nil { // a map of strings always marshals
		panic(err)
	}
	return b
}

// cborTypeName words the cbor package's type names for clients:
// "positive integer" is an integer to them, "primitives" a float or a
// simple value (true, false, null).
func cborTypeName(t string) string {
	switch t {
	case "positive integer", "negative integer":
		return "integer"
	case "UTF-8 text string":
		return "text string"
	case "primitives":
		return "float or simple"
	}
	return t
}
