package kinesis

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The fast path decodes exactly what encoding/json decodes, or declines.
func TestFastPutRecordsMatchesGeneric(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		accept bool
	}{
		{"canonical", `{"StreamName":"s","Records":[{"Data":"AAEC","PartitionKey":"k1"},{"Data":"","PartitionKey":"k2","ExplicitHashKey":"12"}]}`, true},
		{"spaces and ARN", " { \"Records\" : [ { \"PartitionKey\" : \"k\" , \"Data\" : \"eA==\" } ] , \"StreamARN\" : \"arn:aws:kinesis:us-east-1:123456789012:stream/s\" } \n", true},
		{"missing data", `{"StreamName":"s","Records":[{"PartitionKey":"k"}]}`, true},
		{"empty records", `{"StreamName":"s","Records":[]}`, true},
		{"braces in a key", `{"StreamName":"s","Records":[{"Data":"eA==","PartitionKey":"{{{"}]}`, true},
		{"escaped key", `{"StreamName":"s","Records":[{"Data":"eA==","PartitionKey":"a\"b"}]}`, false},
		{"unicode key", `{"StreamName":"s","Records":[{"Data":"eA==","PartitionKey":"ключ"}]}`, false},
		{"null data", `{"StreamName":"s","Records":[{"Data":null,"PartitionKey":"k"}]}`, false},
		{"newline in data", "{\"StreamName\":\"s\",\"Records\":[{\"Data\":\"eA\n==\",\"PartitionKey\":\"k\"}]}", false},
		{"escaped quote in data", `{"StreamName":"s","Records":[{"Data":"eA\"==","PartitionKey":"k"}]}`, false},
		{"bad base64", `{"StreamName":"s","Records":[{"Data":"!!","PartitionKey":"k"}]}`, false},
		{"lower-case member", `{"streamname":"s","Records":[]}`, false},
		{"duplicate member", `{"StreamName":"a","StreamName":"b","Records":[]}`, false},
		{"trailing data", `{"StreamName":"s","Records":[]} {}`, false},
		{"number name", `{"StreamName":5,"Records":[]}`, false},
		{"no records", `{"StreamName":"s"}`, false},
		{"truncated", `{"StreamName":"s","Records":[{"Data":"eA==","PartitionKey":"k"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fast putRecordsInput
			ok := fastPutRecords([]byte(tc.body), &fast, &byteBuffer{})
			if ok != tc.accept {
				t.Fatalf("fast path accepted=%v, want %v", ok, tc.accept)
			}
			if !ok {
				return
			}
			var generic putRecordsInput
			if err := json.Unmarshal([]byte(tc.body), &generic); err != nil {
				t.Fatalf("generic: %v", err)
			}
			if !reflect.DeepEqual(fast, generic) {
				t.Fatalf("fast %+v\ngeneric %+v", fast, generic)
			}
		})
	}
}

func FuzzFastPutRecords(f *testing.F) {
	f.Add(`{"StreamName":"s","Records":[{"Data":"AAEC","PartitionKey":"k1"}]}`)
	f.Add(`{"Records":[{"Data":"","PartitionKey":"k2","ExplicitHashKey":"12"}],"StreamARN":"x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var fast putRecordsInput
		if !fastPutRecords([]byte(body), &fast, &byteBuffer{}) {
			return
		}
		var generic putRecordsInput
		if err := json.Unmarshal([]byte(body), &generic); err != nil {
			t.Fatalf("fast path accepted what encoding/json refuses: %v", err)
		}
		if !reflect.DeepEqual(fast, generic) {
			t.Fatalf("fast %+v\ngeneric %+v", fast, generic)
		}
	})
}

func TestPutRecordsAnswerMatchesEncodingJSON(t *testing.T) {
	out := &putRecordsOutput{FailedRecordCount: 1, EncryptionType: "NONE", Records: []putRecordsResultEntry{
		{SequenceNumber: "49000000000000000000000000000000000000000000000000000001", ShardId: "shardId-000000000000"},
		{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000001 in stream \"s\"."},
	}}
	want, _ := json.Marshal(out)
	if got := appendPutRecordsJSON(nil, out); string(got) != string(want) {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
