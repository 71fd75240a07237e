package logs

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestFastPutLogEvents: the fast parser either declines or agrees with
// encoding/json.
func TestFastPutLogEvents(t *testing.T) {
	cases := []struct {
		name string
		body string
		fast bool
	}{
		{"canonical", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"a"},{"timestamp":2,"message":"b c"}]}`, true},
		{"whitespace and order", " {\n \"logEvents\" : [ { \"message\" : \"x\" , \"timestamp\" : -5 } ] , \"logStreamName\":\"s\", \"logGroupName\" : \"g\" } ", true},
		{"escapes", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"{\"a\":\"\\u00e9\\n\\ud83d\\ude00\"}"}]}`, true},
		{"sequence token and null", `{"logGroupName":"g","logStreamName":"s","sequenceToken":null,"logEvents":[]}`, true},
		{"empty object", `{}`, true},
		{"non-ASCII", `{"logEvents":[{"timestamp":1,"message":"héllo 😀"}]}`, true},
		{"invalid UTF-8", "{\"logEvents\":[{\"timestamp\":1,\"message\":\"a\xff\xfeb\"}]}", true},
		{"float timestamp", `{"logEvents":[{"timestamp":1.5,"message":"a"}]}`, false},
		{"entity", `{"logGroupName":"g","entity":{"keyAttributes":{}},"logEvents":[]}`, false},
		{"unknown member", `{"logGroupName":"g","other":1}`, false},
		{"duplicate message", `{"logEvents":[{"message":"a","message":"b"}]}`, false},
		{"trailing data", `{"logGroupName":"g"} x`, false},
		{"truncated", `{"logGroupName":"g","logEvents":[{"timestamp":1,"message":"a"`, false},
		{"control character", "{\"logGroupName\":\"a\x01\"}", false},
		{"bad escape", `{"logGroupName":"\q"}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var fast putLogEventsInput
			ok := fastPutLogEvents([]byte(tc.body), &fast)
			if ok != tc.fast {
				t.Fatalf("fast path took it: %v, want %v", ok, tc.fast)
			}
			if !ok {
				return
			}
			var slow putLogEventsInput
			if err := json.Unmarshal([]byte(tc.body), &slow); err != nil {
				t.Fatalf("encoding/json refuses what the fast path took: %v", err)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("fast %+v\nslow %+v", fast, slow)
			}
		})
	}
}

func FuzzFastPutLogEvents(f *testing.F) {
	f.Add(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"a\"b"}]}`)
	f.Add(`{"logEvents":[{"timestamp":-1,"message":"\u00e9"},{}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var fast putLogEventsInput
		if !fastPutLogEvents([]byte(body), &fast) {
			return
		}
		var slow putLogEventsInput
		if err := json.Unmarshal([]byte(body), &slow); err != nil {
			t.Fatalf("encoding/json refuses %q: %v", body, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast %+v slow %+v", body, fast, slow)
		}
	})
}
