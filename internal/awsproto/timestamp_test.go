package awsproto

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

func TestTimestampMarshalJSON(t *testing.T) {
	tests := []struct {
		time time.Time
		want string
	}{
		{time.UnixMilli(1700000000123), "1700000000.123"},
		{time.UnixMilli(1700000000120), "1700000000.12"},
		{time.UnixMilli(1700000000100), "1700000000.1"},
		{time.UnixMilli(1700000000001), "1700000000.001"},
		{time.UnixMilli(1700000000000), "1700000000"},
		{time.Unix(1700000000, 999_999_999), "1700000000.999"}, // truncated to milliseconds
		{time.Unix(0, 0), "0"},
		{time.UnixMilli(-1), "-0.001"},
		{time.UnixMilli(-1500), "-1.5"},
		{time.Date(2023, 11, 14, 22, 13, 20, 123e6, time.FixedZone("x", 3600)), "1699996400.123"},
	}
	for _, tt := range tests {
		got, err := json.Marshal(Timestamp{tt.time})
		if err != nil || string(got) != tt.want {
			t.Errorf("%v: got %s (%v), want %s", tt.time, got, err, tt.want)
		}
	}
	// As a member, and through a pointer.
	v := struct {
		At  Timestamp  `json:"At"`
		Opt *Timestamp `json:"Opt,omitempty"`
		Nil *Timestamp `json:"Nil,omitempty"`
		Z   Timestamp  `json:"Z,omitzero"`
	}{At: Timestamp{time.UnixMilli(1)}, Opt: &Timestamp{time.UnixMilli(2)}}
	got, err := json.Marshal(v)
	if err != nil || string(got) != `{"At":0.001,"Opt":0.002}` {
		t.Errorf("struct: %s %v", got, err)
	}
}

func TestTimestampUnmarshalJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"1700000000.123", time.UnixMilli(1700000000123), false},
		{"1700000000", time.Unix(1700000000, 0), false},
		{"1700000000.123456789", time.Unix(1700000000, 123456789), false}, // exact to the nanosecond
		{"1.700000000123E9", time.UnixMilli(1700000000123), false},        // Java's Double.toString
		{"1.7e9", time.Unix(1700000000, 0), false},
		{"-0.001", time.UnixMilli(-1), false},
		{"-1.5", time.UnixMilli(-1500), false},
		{"0", time.Unix(0, 0), false},
		{`"1700000000.123"`, time.UnixMilli(1700000000123), false},
		{`"2023-11-14T22:13:20.123Z"`, time.UnixMilli(1700000000123), false},
		{`"2023-11-14T22:13:20Z"`, time.Unix(1700000000, 0), false},
		{`"2023-11-14T23:13:20+01:00"`, time.Unix(1700000000, 0), false},
		{`"2023-11-14T22:13:20"`, time.Unix(1700000000, 0), false}, // no zone: UTC
		{`"2023-11-14T22:13:20.5+0000"`, time.UnixMilli(1700000000500), false},
		{`"yesterday"`, time.Time{}, true},
		{`""`, time.Time{}, true},
		{"true", time.Time{}, true},
		{"[1]", time.Time{}, true},
		{"{}", time.Time{}, true},
		{"1e300", time.Time{}, true}, // beyond any representable instant
		{"99999999999999999999", time.Time{}, true},
	}
	for _, tt := range tests {
		var got Timestamp
		err := json.Unmarshal([]byte(tt.in), &got)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s: got %v, want an error", tt.in, got.Time)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%s: got %v (%v), want %v", tt.in, got.Time, err, tt.want)
		}
	}

	kept := Timestamp{time.UnixMilli(5)}
	if err := json.Unmarshal([]byte("null"), &kept); err != nil || kept.UnixMilli() != 5 {
		t.Errorf("null changed the value: %v %v", kept.Time, err)
	}
}

// A bad timestamp in a request is the client's SerializationException,
// naming the member.
func TestTimestampDecodeErrorInRequest(t *testing.T) {
	var in testInput
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"Timestamp":"soon"}`))
	e := As(DecodeRequest(r, &in))
	if e == nil || e.Code != "SerializationException" || e.Message != "Unexpected string value for Timestamp" {
		t.Errorf("got %+v", e)
	}
}

func TestTimestampMarshalCBOR(t *testing.T) {
	tests := []struct {
		time time.Time
		hex  string
	}{
		{time.UnixMilli(1700000000123), "1b0000018bcfe5687b"},
		{time.Unix(1700000000, 999_999_999), "1b0000018bcfe56be7"}, // truncated to milliseconds
		{time.UnixMilli(0), "00"},
		{time.UnixMilli(23), "17"},
		{time.UnixMilli(24), "1818"},
		{time.UnixMilli(255), "18ff"},
		{time.UnixMilli(256), "190100"},
		{time.UnixMilli(65536), "1a00010000"},
		{time.UnixMilli(1 << 32), "1b0000000100000000"},
		{time.UnixMilli(-1), "20"},
		{time.UnixMilli(-25), "3818"},
		{time.UnixMilli(-1700000000123), "3b0000018bcfe5687a"},
	}
	for _, tt := range tests {
		got, err := cborEnc.Marshal(Timestamp{tt.time})
		if err != nil || hex.EncodeToString(got) != tt.hex {
			t.Errorf("%v: got %x (%v), want %s", tt.time, got, err, tt.hex)
		}
		var back Timestamp
		if err := cborDec.Unmarshal(got, &back); err != nil || back.UnixMilli() != tt.time.UnixMilli() {
			t.Errorf("%v: decoded back as %v (%v)", tt.time, back.Time, err)
		}
	}
}

func TestTimestampUnmarshalCBOR(t *testing.T) {
	tests := []struct {
		name    string
		hex     string
		want    time.Time
		wantErr bool
	}{
		{"int millis", "1b0000018bcfe5687b", time.UnixMilli(1700000000123), false},
		{"tag 1 int millis (Java v1)", "c11b0000018bcfe5687b", time.UnixMilli(1700000000123), false},
		{"tag 1 in two-byte form", "d8011b0000018bcfe5687b", time.UnixMilli(1700000000123), false},
		{"float64 millis", "fb4278bcfe5687b000", time.UnixMilli(1700000000123), false},
		{"tag 1 float64 millis", "c1fb4278bcfe5687b000", time.UnixMilli(1700000000123), false},
		{"float64 sub-millisecond", "fb4278bcfe5687b800", time.UnixMicro(1700000000123500), false},
		{"float16 millis", "f93c00", time.UnixMilli(1), false},
		{"small int", "0a", time.UnixMilli(10), false},
		{"negative int", "3818", time.UnixMilli(-25), false},
		{"text ISO-8601", `74323032332d31312d31345432323a31333a32305a`, time.Unix(1700000000, 0), false},
		{"tag 0 text", `c074323032332d31312d31345432323a31333a32305a`, time.Unix(1700000000, 0), false},
		{"text epoch seconds", `6e313730303030303030302e313233`, time.UnixMilli(1700000000123), false},
		{"huge int", "1bffffffffffffffff", time.Time{}, true},
		{"huge negative", "3bfffffffffffffffe", time.Time{}, true},
		{"bignum tag", "c24101", time.Time{}, true},
		{"tag 1 around tag 1", "c1c100", time.Time{}, true},
		{"byte string", "4101", time.Time{}, true},
		{"array", "8100", time.Time{}, true},
		{"map", "a0", time.Time{}, true},
		{"true", "f5", time.Time{}, true},
		{"infinity", "f97c00", time.Time{}, true},
		{"bad text", "6362616420", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			var got Timestamp
			err = got.UnmarshalCBOR(data)
			if tt.wantErr {
				if err == nil {
					t.Errorf("got %v, want an error", got.Time)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("got %v (%v), want %v", got.Time, err, tt.want)
			}
		})
	}

	kept := Timestamp{time.UnixMilli(5)}
	for _, null := range []string{"f6", "f7"} {
		data, _ := hex.DecodeString(null)
		if err := kept.UnmarshalCBOR(data); err != nil || kept.UnixMilli() != 5 {
			t.Errorf("%s changed the value: %v %v", null, kept.Time, err)
		}
	}
}

// Through the request decoder, a tagged member value reaches
// Timestamp.UnmarshalCBOR whole: the cbor package must not read tag 1 as
// RFC 8949 seconds first.
func TestTimestampTagThroughDecodeRequest(t *testing.T) {
	body, err := cbor.Marshal(map[string]any{"Timestamp": cbor.Tag{Number: 1, Content: uint64(1700000000123)}})
	if err != nil {
		t.Fatal(err)
	}
	var in testInput
	if err := DecodeRequest(cborRequest(body), &in); err != nil {
		t.Fatal(err)
	}
	if in.Timestamp == nil || in.Timestamp.UnixMilli() != 1700000000123 {
		t.Errorf("got %v", in.Timestamp)
	}
}
