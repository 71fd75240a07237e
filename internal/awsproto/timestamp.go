package awsproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Timestamp is an awsjson timestamp member. In JSON it is a number of epoch
// seconds with a millisecond fraction (1700000000.123); it also accepts
// integers, other precisions and, leniently, ISO-8601 strings. In CBOR
// (Kinesis' Java clients) it is an integer of epoch milliseconds; it
// accepts integers and floats of milliseconds with or without tag 1 (the Java
// v1 SDK tags milliseconds with 1, contrary to RFC 8949's seconds).
//
// Output is truncated to milliseconds, the precision of every awsjson
// service. JSON and CBOR null leave the value unchanged. Use *Timestamp with
// omitempty, or Timestamp with omitzero, for optional members.
type Timestamp struct{ time.Time }

// MarshalJSON writes epoch seconds with up to three fraction digits.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return appendEpochSeconds(make([]byte, 0, 24), t.UnixMilli()), nil
}

// appendEpochSeconds appends ms as decimal epoch seconds: 1700000000.123,
// 1700000000.5, 1700000000, -0.001. Exact, unlike formatting a float.
func appendEpochSeconds(b []byte, ms int64) []byte {
	u := uint64(ms)
	if ms < 0 {
		b = append(b, '-')
		u = -u
	}
	b = strconv.AppendUint(b, u/1000, 10)
	frac := u % 1000
	if frac == 0 {
		return b
	}
	digits := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 3
	for digits[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, digits[:n]...)
}

// UnmarshalJSON accepts a number of epoch seconds (integer, fraction or
// exponent form), a string holding one, or an ISO-8601 date-time string.
func (t *Timestamp) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		parsed, err := parseTimestampString(s)
		if err != nil {
			return &json.UnmarshalTypeError{Value: "string", Type: timestampType}
		}
		t.Time = parsed
		return nil
	}
	parsed, err := parseEpochSeconds(string(data))
	if err != nil {
		return &json.UnmarshalTypeError{Value: describeJSONValue(data), Type: timestampType}
	}
	t.Time = parsed
	return nil
}

// timestampType names Timestamp in decode errors.
var timestampType = reflect.TypeFor[Timestamp]()

// describeJSONValue is the JSON kind of a non-string value, as
// encoding/json names them in UnmarshalTypeError.Value.
func describeJSONValue(data []byte) string {
	if len(data) == 0 {
		return "empty"
	}
	switch data[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number " + string(data)
}

// parseTimestampString reads the lenient string forms: epoch seconds as a
// string, RFC 3339 with or without fraction, or a date-time without a zone
// (taken as UTC).
func parseTimestampString(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := parseEpochSeconds(s); err == nil {
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an epoch-seconds number or ISO-8601 date-time", s)
}

// parseEpochSeconds parses a decimal number of epoch seconds. Plain decimals
// ("1700000000.123456") are read exactly to the nanosecond; exponent forms
// ("1.700000000123E9", as Java services write them) go through float64 and
// are rounded to the microsecond, below which a float64 of this magnitude
// carries no information.
func parseEpochSeconds(s string) (time.Time, error) {
	if t, ok := parsePlainDecimalSeconds(s); ok {
		return t, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, err
	}
	return floatSecondsToTime(f)
}

// parsePlainDecimalSeconds reads -?digits(.digits)? exactly; ok is false
// for anything else (exponents, overflow) so the caller can fall back.
func parsePlainDecimalSeconds(s string) (time.Time, bool) {
	intPart, fracPart, hasFrac := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	if neg {
		intPart = intPart[1:]
	}
	if intPart == "" || (hasFrac && fracPart == "") || !allDigits(intPart) || !allDigits(fracPart) {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || sec > maxEpochSeconds {
		return time.Time{}, false
	}
	var nanos int64
	for i := range 9 {
		nanos *= 10
		if i < len(fracPart) {
			nanos += int64(fracPart[i] - '0')
		}
	}
	if neg {
		sec, nanos = -sec, -nanos
	}
	return time.Unix(sec, nanos).UTC(), true
}

// maxEpochSeconds bounds accepted timestamps (about ±292 000 years) so that
// microseconds fit an int64 and re-encoding a decoded value is exact.
const (
	maxEpochSeconds = math.MaxInt64 / 1_000_000
	maxEpochMillis  = maxEpochSeconds * 1000
)

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func floatSecondsToTime(f float64) (time.Time, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxEpochSeconds {
		return time.Time{}, fmt.Errorf("epoch seconds %v out of range", f)
	}
	micros := math.Round(f * 1e6)
	return time.UnixMicro(int64(micros)).UTC(), nil
}

// MarshalCBOR writes epoch milliseconds as a plain CBOR integer, the form
// every Java SDK reads.
func (t Timestamp) MarshalCBOR() ([]byte, error) {
	return appendCBORInt(make([]byte, 0, 9), t.UnixMilli()), nil
}

// appendCBORInt appends n as a CBOR integer (major type 0 or 1) in its
// shortest form.
func appendCBORInt(b []byte, n int64) []byte {
	major, u := byte(0x00), uint64(n)
	if n < 0 {
		major, u = 0x20, uint64(-(n + 1))
	}
	switch {
	case u < 24:
		return append(b, major|byte(u))
	case u <= math.MaxUint8:
		return append(b, major|24, byte(u))
	case u <= math.MaxUint16:
		return append(b, major|25, byte(u>>8), byte(u))
	case u <= math.MaxUint32:
		return append(b, major|26, byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
	}
	return append(b, major|27, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32),
		byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}

// UnmarshalCBOR accepts an integer or float of epoch milliseconds, optionally
// inside tag 1, or (leniently, like JSON) a text string in the forms
// UnmarshalJSON accepts, optionally inside tag 0.
func (t *Timestamp) UnmarshalCBOR(data []byte) error {
	item := data
	if len(item) > 0 && item[0]>>5 == 6 { // major type 6: tag
		var tag cbor.RawTag
		if err := cbor.Unmarshal(item, &tag); err != nil {
			return err
		}
		if tag.Number != 0 && tag.Number != 1 {
			return &cbor.UnmarshalTypeError{CBORType: "tag " + strconv.FormatUint(tag.Number, 10), GoType: timestampType.String()}
		}
		item = tag.Content
	}
	var v any
	if err := cbor.Unmarshal(item, &v); err != nil {
		return err
	}
	var parsed time.Time
	var err error
	switch v := v.(type) {
	case nil:
		return nil
	case uint64:
		if v > maxEpochMillis {
			err = fmt.Errorf("epoch milliseconds %d out of range", v)
			break
		}
		parsed = time.UnixMilli(int64(v)).UTC()
	case int64:
		if v < -maxEpochMillis {
			err = fmt.Errorf("epoch milliseconds %d out of range", v)
			break
		}
		parsed = time.UnixMilli(v).UTC()
	case float64:
		parsed, err = floatSecondsToTime(v / 1000)
	case string:
		parsed, err = parseTimestampString(v)
	default:
		err = fmt.Errorf("unsupported %T", v)
	}
	if err != nil {
		return &cbor.UnmarshalTypeError{CBORType: cborMajorTypeNames[item[0]>>5], GoType: timestampType.String()}
	}
	t.Time = parsed
	return nil
}

// cborMajorTypeNames name CBOR major types as the cbor package's
// UnmarshalTypeError does, so cborTypeName words both alike.
var cborMajorTypeNames = [8]string{"positive integer", "negative integer", "byte string",
	"UTF-8 text string", "array", "map", "tag", "primitives"}
