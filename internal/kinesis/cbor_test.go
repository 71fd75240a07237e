package kinesis

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/fxamacker/cbor/v2"
)

// cborCall sends a Kinesis request the way the Java SDK v1/v2 (and KCL)
// do by default: a CBOR body with indefinite-length maps, blobs as byte
// strings, timestamps as tag 1 + epoch milliseconds, SigV4-signed. It
// returns the status and the decoded CBOR answer.
func (e *env) cborCall(op string, members [][2]any) (int, map[string]any) {
	e.t.Helper()
	// Jackson's CBOR generator writes objects as indefinite-length maps
	// (0xbf ... 0xff); encode each member pair and frame them by hand.
	em, err := cbor.EncOptions{Time: cbor.TimeUnix}.EncMode()
	if err != nil {
		e.t.Fatal(err)
	}
	body := []byte{0xbf}
	for _, kv := range members {
		for _, v := range kv {
			b, err := em.Marshal(v)
			if err != nil {
				e.t.Fatal(err)
			}
			body = append(body, b...)
		}
	}
	body = append(body, 0xff)
	req := signedRequest(e.t, e.url, op, "application/x-amz-cbor-1.1", body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-cbor-1.1" {
		e.t.Fatalf("%s answered Content-Type %q: %q", op, ct, raw)
	}
	var out map[string]any
	if err := cbor.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("%s answer is not CBOR: %v (%x)", op, err, raw)
	}
	return resp.StatusCode, out
}

// signedRequest builds a SigV4-signed Kinesis request with the given body.
func signedRequest(t testing.TB, url, op, contentType string, body []byte) *http.Request {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req,
		hex.EncodeToString(sum[:]), "kinesis", testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// tag1Millis is a timestamp as the Java SDK v1 writes it: tag 1 around
// epoch milliseconds.
func tag1Millis(t time.Time) cbor.Tag { return cbor.Tag{Number: 1, Content: t.UnixMilli()} }

func TestCBORClient(t *testing.T) {
	e := newEnv(t)
	e.createStream("java", 1)
	before := e.clock.Now().Add(-time.Second)

	status, put := e.cborCall("PutRecord", [][2]any{{"StreamName", "java"}, {"PartitionKey", "pk"}, {"Data", []byte{0, 1, 2, 0xff}}})
	if status != 200 || put["ShardId"] != "shardId-000000000000" {
		t.Fatalf("PutRecord: %d %v", status, put)
	}
	seq, _ := put["SequenceNumber"].(string)
	if len(seq) != 56 {
		t.Fatalf("sequence number %v", put["SequenceNumber"])
	}

	status, it := e.cborCall("GetShardIterator", [][2]any{{"StreamName", "java"}, {"ShardId", "shardId-000000000000"},
		{"ShardIteratorType", "AT_TIMESTAMP"}, {"Timestamp", tag1Millis(before)}})
	if status != 200 || it["ShardIterator"] == nil {
		t.Fatalf("GetShardIterator: %d %v", status, it)
	}

	status, recs := e.cborCall("GetRecords", [][2]any{{"ShardIterator", it["ShardIterator"]}, {"Limit", 10}})
	if status != 200 {
		t.Fatalf("GetRecords: %d %v", status, recs)
	}
	list, _ := recs["Records"].([]any)
	if len(list) != 1 {
		t.Fatalf("GetRecords records %v", recs["Records"])
	}
	r := list[0].(map[any]any)
	if !bytes.Equal(r["Data"].([]byte), []byte{0, 1, 2, 0xff}) || r["PartitionKey"] != "pk" || r["SequenceNumber"] != seq {
		t.Fatalf("record %v", r)
	}
	arrival, ok := r["ApproximateArrivalTimestamp"].(uint64)
	if !ok || time.UnixMilli(int64(arrival)).Before(before) {
		t.Fatalf("ApproximateArrivalTimestamp %T %v: want integer epoch milliseconds", r["ApproximateArrivalTimestamp"], r["ApproximateArrivalTimestamp"])
	}
	if _, ok := recs["NextShardIterator"].(string); !ok {
		t.Fatalf("NextShardIterator %v", recs["NextShardIterator"])
	}

	status, sum := e.cborCall("DescribeStreamSummary", [][2]any{{"StreamName", "java"}})
	if status != 200 {
		t.Fatalf("DescribeStreamSummary: %d %v", status, sum)
	}
	d := sum["StreamDescriptionSummary"].(map[any]any)
	if d["StreamStatus"] != "ACTIVE" || d["OpenShardCount"] != uint64(1) {
		t.Fatalf("summary %v", d)
	}
	if _, ok := d["StreamCreationTimestamp"].(uint64); !ok {
		t.Fatalf("StreamCreationTimestamp %T: want integer epoch milliseconds", d["StreamCreationTimestamp"])
	}

	// PutRecords as Jackson writes it: indefinite-length array and maps.
	entry := func(pk string, data []byte) cbor.RawMessage {
		b := []byte{0xbf}
		for _, v := range []any{"Data", data, "PartitionKey", pk} {
			enc, _ := cbor.Marshal(v)
			b = append(b, enc...)
		}
		return append(b, 0xff)
	}
	records := append([]byte{0x9f}, entry("a", []byte("one"))...)
	records = append(append(records, entry("b", []byte("two"))...), 0xff)
	status, batch := e.cborCall("PutRecords", [][2]any{{"StreamName", "java"}, {"Records", cbor.RawMessage(records)}})
	if status != 200 || batch["FailedRecordCount"] != uint64(0) || len(batch["Records"].([]any)) != 2 {
		t.Fatalf("PutRecords: %d %v", status, batch)
	}

	status, bad := e.cborCall("GetRecords", [][2]any{{"ShardIterator", "garbage"}})
	if status != 400 || bad["__type"] != "InvalidArgumentException" || bad["message"] != "Invalid ShardIterator." {
		t.Fatalf("error: %d %v", status, bad)
	}
	status, missing := e.cborCall("PutRecord", [][2]any{{"StreamName", "nope"}, {"PartitionKey", "pk"}, {"Data", []byte("x")}})
	if status != 400 || missing["__type"] != "ResourceNotFoundException" {
		t.Fatalf("error: %d %v", status, missing)
	}
}
