package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/fxamacker/cbor/v2"
)

const cborContentType = "application/x-amz-cbor-1.1"

// kinesisCBOR sends one Kinesis request the way the Java SDKs (and so KCL)
// do by default: a CBOR body, Content-Type application/x-amz-cbor-1.1,
// SigV4 for service kinesis. It returns the status, content type and the
// decoded CBOR answer.
func (s *server) kinesisCBOR(t *testing.T, op string, body []byte) (int, string, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", cborContentType)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "kinesis", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := localhostHTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading the answer: %v", op, err)
	}
	var out map[string]any
	if len(raw) > 0 {
		dec, err := cbor.DecOptions{DefaultMapType: reflect.TypeOf(map[string]any(nil))}.DecMode()
		if err != nil {
			t.Fatal(err)
		}
		if err := dec.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: answer (status %d, %s) is not CBOR: %v: %q", op, resp.StatusCode, resp.Header.Get("Content-Type"), err, truncate(string(raw), 200))
		}
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

func mustCBOR(t *testing.T, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// indefiniteCBORMap encodes m as Jackson does: an indefinite-length map.
func indefiniteCBORMap(t *testing.T, keys []string, m map[string]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := cbor.NewEncoder(&buf)
	if err := enc.StartIndefiniteMap(); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if err := enc.Encode(k); err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(m[k]); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.EndIndefinite(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestKinesisCBOR: a CBOR client (as the Java SDK) creates a stream, puts
// binary records (one request an indefinite-length map), reads them with an
// AT_TIMESTAMP iterator whose Timestamp is tag 1 + epoch milliseconds (the v1
// SDK's form) and gets CBOR answers: byte-string Data, integer-millisecond
// timestamps, and CBOR errors.
func TestKinesisCBOR(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	name := uniqueStream("cbor")
	status, ctype, out := s.kinesisCBOR(t, "CreateStream", mustCBOR(t, map[string]any{"StreamName": name, "ShardCount": 1}))
	if status != 200 || ctype != cborContentType {
		t.Fatalf("CreateStream: %d %s %v", status, ctype, out)
	}
	waitStreamActiveGo(t, s.kinesisGoClient(t, true), name)

	before := time.Now().Add(-time.Minute)
	payload := []byte{0x00, 0xff, 0x10, 'c', 'b', 'o', 'r', 0x80}
	status, ctype, out = s.kinesisCBOR(t, "PutRecord", indefiniteCBORMap(t, []string{"StreamName", "Data", "PartitionKey"},
		map[string]any{"StreamName": name, "Data": payload, "PartitionKey": "k"}))
	if status != 200 || ctype != cborContentType {
		t.Fatalf("PutRecord (indefinite-length map): %d %s %v", status, ctype, out)
	}
	seq, _ := out["SequenceNumber"].(string)
	if len(seq) != 56 || out["ShardId"] != "shardId-000000000000" {
		t.Errorf("PutRecord answer: %v", out)
	}
	second := bytes.Repeat([]byte{0xab}, 3000)
	status, _, out = s.kinesisCBOR(t, "PutRecords", mustCBOR(t, map[string]any{"StreamName": name,
		"Records": []any{map[string]any{"Data": second, "PartitionKey": "k2"}}}))
	if status != 200 || out["FailedRecordCount"] != uint64(0) {
		t.Errorf("PutRecords: %d %v", status, out)
	}

	stamp := cbor.Tag{Number: 1, Content: before.UnixMilli()}
	status, _, out = s.kinesisCBOR(t, "GetShardIterator", mustCBOR(t, map[string]any{"StreamName": name,
		"ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": stamp}))
	it, _ := out["ShardIterator"].(string)
	if status != 200 || it == "" {
		t.Fatalf("GetShardIterator AT_TIMESTAMP (tag 1, millis): %d %v", status, out)
	}
	status, ctype, out = s.kinesisCBOR(t, "GetRecords", mustCBOR(t, map[string]any{"ShardIterator": it}))
	if status != 200 || ctype != cborContentType {
		t.Fatalf("GetRecords: %d %s %v", status, ctype, out)
	}
	records, _ := out["Records"].([]any)
	if len(records) != 2 {
		t.Fatalf("GetRecords: %d records, want 2: %v", len(records), out)
	}
	for i, want := range [][]byte{payload, second} {
		r, _ := records[i].(map[string]any)
		data, isBytes := r["Data"].([]byte)
		if !isBytes || !bytes.Equal(data, want) {
			t.Errorf("record %d Data is %T %x, want the byte string %x", i, r["Data"], truncate(string(data), 20), want[:min(len(want), 10)])
		}
		var millis int64
		switch v := r["ApproximateArrivalTimestamp"].(type) {
		case uint64:
			millis = int64(v)
		case int64:
			millis = v
		case cbor.Tag:
			t.Errorf("record %d: ApproximateArrivalTimestamp is tagged (%d); Tributary emits plain integer milliseconds", i, v.Number)
		default:
			t.Errorf("record %d: ApproximateArrivalTimestamp is %T %v, want integer epoch milliseconds", i, v, v)
		}
		if millis != 0 && (millis < before.UnixMilli() || millis > time.Now().Add(time.Minute).UnixMilli()) {
			t.Errorf("record %d: ApproximateArrivalTimestamp %d is not epoch milliseconds of now", i, millis)
		}
	}
	if _, ok := out["NextShardIterator"].(string); !ok {
		t.Errorf("GetRecords without NextShardIterator: %v", out)
	}

	status, ctype, out = s.kinesisCBOR(t, "DescribeStreamSummary", mustCBOR(t, map[string]any{"StreamName": uniqueStream("cbor-missing")}))
	if status != 400 || ctype != cborContentType || out["__type"] != "ResourceNotFoundException" || out["message"] == nil {
		t.Errorf("CBOR error: %d %s %v, want 400 with a CBOR {__type: ResourceNotFoundException, message}", status, ctype, out)
	}
	status, ctype, out = s.kinesisCBOR(t, "PutRecord", []byte{0xa1, 0x61}) // truncated map
	if status != 400 || ctype != cborContentType || out["__type"] != "SerializationException" {
		t.Errorf("malformed CBOR body: %d %s %v, want 400 SerializationException in CBOR", status, ctype, out)
	}
}
