package awsproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// discardResponse is an http.ResponseWriter that drops the body, so the
// benchmarks time encoding, not a recorder's buffer.
type discardResponse struct{ h http.Header }

func (d *discardResponse) Header() http.Header         { return d.h }
func (d *discardResponse) WriteHeader(int)             {}
func (d *discardResponse) Write(p []byte) (int, error) { return len(p), nil }

// benchGetRecords is a full GetRecords response: 10 000 records of 1 KiB.
func benchGetRecords() testGetRecordsOutput {
	out := testGetRecordsOutput{Records: make([]testOutputRecord, 10_000)}
	data := bytes.Repeat([]byte{0xa5}, 1024)
	for i := range out.Records {
		out.Records[i] = testOutputRecord{
			SequenceNumber:              fmt.Sprintf("4954698668313554428650745793632162567570019247115%07d", i),
			ApproximateArrivalTimestamp: Timestamp{time.UnixMilli(1700000000000 + int64(i))},
			Data:                        data, PartitionKey: "pk-" + strconv.Itoa(i%97),
		}
	}
	return out
}

func BenchmarkWriteResponse(b *testing.B) {
	v := benchGetRecords()
	route := Route{Service: "kinesis", Operation: "GetRecords", Protocol: ProtocolJSON11}
	for _, tt := range []struct{ name, ct string }{{"json", "application/x-amz-json-1.1"}, {"cbor", ContentTypeCBOR}} {
		b.Run(tt.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Header.Set("Content-Type", tt.ct)
			w := &discardResponse{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				if err := WriteResponse(w, r, route, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The json.Marshal-then-Write path WriteJSON used before, for comparison.
	b.Run("baseline-json.Marshal", func(b *testing.B) {
		w := &discardResponse{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			body, err := json.Marshal(v)
			if err != nil {
				b.Fatal(err)
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		}
	})
}

// benchPutRecords is a PutRecords request of 500 records of 1 KiB (~700 KB
// of JSON) in both encodings.
func benchPutRecords(b *testing.B) (jsonBody, cborBody []byte) {
	in := testInput{StreamName: "stream", Records: make([]testRecord, 500)}
	data := bytes.Repeat([]byte{0x5a}, 1024)
	for i := range in.Records {
		in.Records[i] = testRecord{Data: data, PartitionKey: "pk-" + strconv.Itoa(i)}
	}
	jsonBody, err := json.Marshal(in)
	if err != nil {
		b.Fatal(err)
	}
	cborBody, err = cborEnc.Marshal(in)
	if err != nil {
		b.Fatal(err)
	}
	return jsonBody, cborBody
}

func BenchmarkDecodeRequest(b *testing.B) {
	jsonBody, cborBody := benchPutRecords(b)
	for _, tt := range []struct {
		name, ct string
		body     []byte
	}{{"json", "application/x-amz-json-1.1", jsonBody}, {"cbor", ContentTypeCBOR, cborBody}} {
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(tt.body)))
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(tt.body))
				r.Header.Set("Content-Type", tt.ct)
				var in testInput
				if err := DecodeRequest(r, &in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The io.ReadAll-then-json.Decoder path DecodeJSON used before.
	b.Run("baseline-json.Decoder", func(b *testing.B) {
		b.SetBytes(int64(len(jsonBody)))
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(jsonBody))
			body, err := io.ReadAll(r.Body)
			if err != nil {
				b.Fatal(err)
			}
			var in testInput
			if err := json.NewDecoder(bytes.NewReader(body)).Decode(&in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
