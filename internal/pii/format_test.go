package pii

import (
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": FormatAuto, "auto": FormatAuto, "TEXT": FormatText, "json": FormatJSON,
		"ndjson": FormatNDJSON, "jsonl": FormatNDJSON, "csv": FormatCSV, "tsv": FormatTSV} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
		if want != FormatAuto {
			if back, _ := ParseFormat(want.String()); back != want {
				t.Errorf("%v does not round-trip", want)
			}
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Errorf("xml: %v", err)
	}
}

func TestSniffFormat(t *testing.T) {
	cases := []struct {
		ct, name, head string
		want           Format
	}{
		{"application/json", "", `{"a":1}`, FormatJSON},
		{"application/json; charset=utf-8", "", "{\"a\":1}\n{\"a\":2}\n", FormatNDJSON},
		{"application/x-ndjson", "", `{"a":1}`, FormatNDJSON},
		{"text/csv", "", "a b c", FormatCSV},
		{"text/tab-separated-values", "", "", FormatTSV},
		{"binary/octet-stream", "orders.jsonl", "", FormatNDJSON},
		{"", "data/2024/orders.json", "[\n{\"a\":1}\n]", FormatJSON},
		{"", "x.CSV", "", FormatCSV},
		{"", "x.tsv", "", FormatTSV},
		{"", "app.log", "{\"a\":1}\n", FormatText},
		{"application/octet-stream", "blob", "{\"a\":1}\n{\"b\":2}\n", FormatNDJSON},
		{"", "", "\xef\xbb\xbf  {\n  \"a\": 1\n}\n", FormatJSON},
		{"", "", "[1,2,3]", FormatJSON},
		{"", "", "{\"a\":\"}{\"}\n{\"b\":2}", FormatNDJSON},
		{"", "", "name,email\nJane,j@x.co\nJohn,\"a,b\"\n", FormatCSV},
		{"", "", "name\temail\nJane\tj@x.co\n", FormatTSV},
		{"", "", "2024-01-01 INFO started, pid 7\n2024-01-01 INFO ready\n", FormatText},
		{"", "", "hello world", FormatText},
		{"", "", "", FormatText},
	}
	for _, tc := range cases {
		if got := SniffFormat(tc.ct, tc.name, []byte(tc.head)); got != tc.want {
			t.Errorf("SniffFormat(%q, %q, %q) = %v, want %v", tc.ct, tc.name, tc.head, got, tc.want)
		}
	}
}

func TestIsBinary(t *testing.T) {
	for in, want := range map[string]bool{
		"plain text\n": false, "tab\tand\x1b[31mcolour\x1b[0m\r\n": false, "caf\xe9 au lait, cr\xe8me br\xfbl\xe9e": false,
		"a\x00b": true, "\x89PNG\r\n\x1a\n\x01\x02\x03\x04\x05\x06": true, "\x1f\x8b\x08\x00\x01\x02\x03\x04": true,
		"한국어 텍스트": false, "": false,
	} {
		if got := isBinary([]byte(in)); got != want {
			t.Errorf("isBinary(%q) = %v", in, got)
		}
	}
}
