package bench

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRecordStampRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		prefix   string
		producer int
		i        int
	}{{"put-1k", 0, 0}, {"drain", 7, 499}, {"a/b", 12, 1234}} {
		data := newPayload(256).body(recordStamp(tc.prefix, tc.producer, tc.i), 256)
		prefix, producer, i, ok := parseRecordStamp(data)
		if !ok || prefix != tc.prefix || producer != tc.producer || i != tc.i {
			t.Errorf("parse(%q) = %q %d %d %v", data[:stampLen], prefix, producer, i, ok)
		}
	}
	for _, bad := range []string{"", "nostamp", "x/p1/q2", "x/pa/r1"} {
		if _, _, _, ok := parseRecordStamp([]byte(bad)); ok {
			t.Errorf("parseRecordStamp(%q) accepted", bad)
		}
	}
}

// TestRecordBatchBody: the body built once is the PutRecords request the batch describes.
func TestRecordBatchBody(t *testing.T) {
	pl := newPayload(2048)
	b, err := newRecordBatch(pl, "stream-x", "put-1k", 3, 500, 1024)
	if err != nil {
		t.Fatal(err)
	}
	var in struct {
		StreamName string
		Records    []struct {
			Data         []byte
			PartitionKey string
		}
	}
	if err := json.Unmarshal(b.body.data, &in); err != nil {
		t.Fatal(err)
	}
	if in.StreamName != "stream-x" || len(in.Records) != 500 {
		t.Fatalf("stream %q, %d records", in.StreamName, len(in.Records))
	}
	if b.body.hash != payloadHash(b.body.data) {
		t.Errorf("body hash is not the body's")
	}
	keys := map[string]bool{}
	checker := newRecordChecker("t", pl, []recordBatch{b})
	for i, r := range in.Records {
		if len(r.Data) != 1024 || len(r.PartitionKey) != partitionKeyLen {
			t.Fatalf("record %d: %d bytes, key %q", i, len(r.Data), r.PartitionKey)
		}
		if err := checker.check("shard", r.Data, r.PartitionKey); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		keys[r.PartitionKey] = true
	}
	if len(keys) < 490 {
		t.Errorf("only %d distinct partition keys in 500 records", len(keys))
	}
	again, _ := newRecordBatch(pl, "stream-x", "put-1k", 3, 500, 1024)
	other, _ := newRecordBatch(pl, "stream-x", "put-1k", 4, 500, 1024)
	if again.body.hash != b.body.hash {
		t.Errorf("the same batch built twice differs: runs would not be repeatable")
	}
	if other.keys[0] == b.keys[0] {
		t.Errorf("producers 3 and 4 share partition keys")
	}
}

func TestRecordCheckerCatchesWrongRecords(t *testing.T) {
	pl := newPayload(512)
	b, _ := newRecordBatch(pl, "s", "drain", 0, 10, 512)
	checker := newRecordChecker("t", pl, []recordBatch{b})
	good := b.data(pl, 4)
	flipped := append([]byte(nil), good...)
	flipped[300] ^= 1
	tests := []struct {
		name string
		data []byte
		key  string
		want string
	}{
		{"good", good, b.keys[4], ""},
		{"flipped byte", flipped, b.keys[4], "differs from offset 300"},
		{"truncated", good[:500], b.keys[4], "500 bytes"},
		{"wrong key", good, b.keys[5], "partition key"},
		{"never written", pl.body(recordStamp("drain", 0, 99), 512), b.keys[4], "never written"},
		{"other producer", pl.body(recordStamp("drain", 1, 0), 512), b.keys[0], "never written"},
		{"no stamp", make([]byte, 512), "k", "does not start with a stamp"},
	}
	for _, tc := range tests {
		err := checker.check("shardId-000000000000", tc.data, tc.key)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var de *DataError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a DataError about %q", tc.name, err, tc.want)
		}
	}
}

func TestCheckPutRecords(t *testing.T) {
	ok2 := `{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"},{"SequenceNumber":"2","ShardId":"shardId-000000000001"}]}`
	failed := `{"FailedRecordCount":1,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"},{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"}]}`
	tests := []struct {
		name     string
		doc      string
		sent     int
		wantData bool // a DataError (wrong answer) rather than an ordinary failure
		wantErr  bool
	}{
		{"all stored", ok2, 2, false, false},
		{"one throttled", failed, 2, false, true},
		{"too few entries", ok2, 3, true, true},
		{"no FailedRecordCount", `{"Records":[{"SequenceNumber":"1","ShardId":"s"}]}`, 1, true, true},
		{"count disagrees", `{"FailedRecordCount":1,"Records":[{"SequenceNumber":"1","ShardId":"s"}]}`, 1, true, true},
	}
	for _, tc := range tests {
		for _, full := range []bool{false, true} {
			var err error
			if full {
				_, err = checkPutRecords("t", []byte(tc.doc), tc.sent)
			} else {
				err = checkPutRecordsCounts("t", []byte(tc.doc), tc.sent)
				if tc.name == "count disagrees" {
					continue // only the full decode sees the entries
				}
			}
			var de *DataError
			if (err != nil) != tc.wantErr || errors.As(err, &de) != tc.wantData {
				t.Errorf("%s (full %v): err = %v, want error %v, data error %v", tc.name, full, err, tc.wantErr, tc.wantData)
			}
		}
	}
	shards, err := checkPutRecords("t", []byte(ok2), 2)
	if err != nil || shards[1] != "shardId-000000000001" {
		t.Errorf("shards = %v, %v", shards, err)
	}
}

func TestCompareSequenceNumbers(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"49546986683135544286507457936321625675700192471156785154", "49546986683135544286507457936321625675700192471156785155", -1},
		{"9", "10", -1},
		{"100", "99", 1},
		{"007", "7", 0},
		{"12", "12", 0},
	}
	for _, tc := range tests {
		if got := compareSequenceNumbers(tc.a, tc.b); got != tc.want {
			t.Errorf("compare(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	for s, want := range map[string]bool{"123": true, "": false, "12a": false, "-1": false} {
		if isDecimal(s) != want {
			t.Errorf("isDecimal(%q) = %v", s, !want)
		}
	}
}

func TestLatencyStamp(t *testing.T) {
	pl := newPayload(1024)
	body, data, err := latencyRecordBody(pl, "lat", "r2", 41, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if i, ok := parseLatencyStamp(data, "r2"); !ok || i != 41 {
		t.Errorf("parseLatencyStamp = %d %v", i, ok)
	}
	if _, ok := parseLatencyStamp(data, "r1"); ok {
		t.Errorf("a record of session r2 parsed as session r1's")
	}
	var in struct {
		StreamName, PartitionKey string
		Data                     []byte
	}
	if err := json.Unmarshal(body.data, &in); err != nil || in.StreamName != "lat" || len(in.Data) != 1024 || in.PartitionKey == "" {
		t.Errorf("PutRecord body: %v %+v", err, in.StreamName)
	}
}
