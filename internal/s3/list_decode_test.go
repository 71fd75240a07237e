package s3

import (
	"encoding/json"
	"testing"
	"time"
)

// TestDecodeListedObject checks the fast record scanner against
// encoding/json on records shaped to trip it: escapes, braces and quotes
// inside skipped strings, nulls, nesting, odd member order.
func TestDecodeListedObject(t *testing.T) {
	records := []string{
		`{"key":"a","size":12,"etag":"0123abcd","mtime":"2025-01-02T03:04:05.678Z","sc":"STANDARD","ck":{"alg":"CRC32","val":"AAAAAA==","type":"FULL_OBJECT"},"pieces":[{"id":"x","size":12}]}`,
		`{"pieces":null,"meta":{"k}":"v\"{[","x":"\\"},"tags":[{"k":"]","v":"}"}],"size":-1,"etag":"e","mtime":"2025-01-02T03:04:05Z"}`,
		`{"key":"with \"quote\"","size":0,"etag":"d41d8cd98f00b204e9800998ecf8427e-3","mtime":"2025-06-30T23:59:59.1Z","parts":3}`,
		`{"etag":"esc\u0041ped","size":5,"mtime":"2025-01-02T03:04:05.6Z","sc":"GLACIER"}`,
		` { "size" : 7 , "etag" : "sp" , "mtime" : "2025-01-02T03:04:05.678Z" , "ck" : { "type" : "COMPOSITE" , "alg" : "SHA1" } } `,
		`{"size":1,"etag":"x","mtime":"2025-01-02T03:04:05.678Z","ck":{}}`,
		`{"size":1,"etag":null,"mtime":"2025-01-02T03:04:05.678Z"}`,
		`{"size":1.5e3,"etag":"x","mtime":"2025-01-02T03:04:05.678Z"}`,
		`{"size":10,"etag":"x","mtime":"2025-01-02T03:04:05.678Z","extra":[1,2,{"a":[true,false,null]}],"z":true}`,
		`{"siZe":0,"etAg":"000","00000":"","":{"":""}}`, // encoding/json folds case
		`{"size":3,"etag":"x","ck":{"ALG":"CRC32"},"MTime":"2025-01-02T03:04:05.678Z"}`,
		`{"ſize":3,"etag":"x","mtime":"2025-01-02T03:04:05.678Z"}`, // folds to "size"
		// Times: the text conversion against time.Parse and Format.
		`{"size":1,"etag":"x","mtime":"2024-02-29T23:59:59.999999999Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-02-29T00:00:00Z"}`,
		`{"size":1,"etag":"x","mtime":"2000-02-29T00:00:00.1Z"}`,
		`{"size":1,"etag":"x","mtime":"1900-02-29T00:00:00.1Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-04-31T00:00:00Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-12-31T24:00:00Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-12-31T23:60:00Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-12-31T23:59:60Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-13-01T00:00:00Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-01-02T03:04:05.12345678901Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-01-02T03:04:05.Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-01-02T03:04:05.1x3Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-01-02T03:04:05+01:00"}`,
		`{"size":1,"etag":"x","mtime":"2025-01-02T00:30:05.5-01:00"}`,
		`{"size":1,"etag":"x","mtime":"0000-01-01T00:00:00Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-01-02 03:04:05Z"}`,
		`{"size":1,"etag":"x","mtime":"2025-1-02T03:04:05Z"}`,
		// Sizes: what the integer reader leaves to encoding/json.
		`{"size":01,"etag":"x","mtime":"2025-01-02T03:04:05Z"}`,
		`{"size":-0,"etag":"x","mtime":"2025-01-02T03:04:05Z"}`,
		`{"size":-,"etag":"x","mtime":"2025-01-02T03:04:05Z"}`,
		`{"size":9223372036854775807,"etag":"x","mtime":"2025-01-02T03:04:05Z"}`,
		`{"size":9223372036854775808,"etag":"x","mtime":"2025-01-02T03:04:05Z"}`,
		`{"size":-9223372036854775808,"etag":"x","mtime":"2025-01-02T03:04:05Z"}`,
		`{"size":123456789012345678,"etag":"x"}`,
		// Escapes inside skipped strings: runs of backslashes before quotes.
		`{"key":"a\\","size":2,"etag":"x","mtime":"2025-01-02T03:04:05Z"}`,
		`{"key":"a\\\"b","size":2,"etag":"x","mtime":"2025-01-02T03:04:05Z"}`,
		`{"key":"\\\\\"","size":2,"etag":"x","mtime":"2025-01-02T03:04:05Z"}`,
		`{"key":"unterminated\"}`,
		// Strings encoding/json changes or refuses: invalid UTF-8, control characters.
		"{\"size\":1,\"etag\":\"\x9e0\"}",
		"{\"size\":1,\"etag\":\"é\",\"sc\":\"\xff\"}",
		"{\"size\":1,\"etag\":\"a\tb\"}",
		"{\"size\":1,\"etag\":\"x\",\"ck\":{\"alg\":\"\x00\"}}",
	}
	for _, rec := range records {
		var fast, slow listedObject
		err := decodeListedObject([]byte(rec), &fast)
		errSlow := listDecodeSlow([]byte(rec), &slow)
		if (err == nil) != (errSlow == nil) {
			t.Fatalf("%s: fast err %v, slow err %v", rec, err, errSlow)
		}
		if err != nil {
			continue
		}
		if fast.Size != slow.Size || string(fast.ETag) != string(slow.ETag) || string(fast.LastModified) != string(slow.LastModified) ||
			string(fast.StorageClass) != string(slow.StorageClass) || string(fast.Checksum.Algorithm) != string(slow.Checksum.Algorithm) ||
			string(fast.Checksum.Type) != string(slow.Checksum.Type) {
			t.Fatalf("%s:\nfast %+v\nslow %+v", rec, fast, slow)
		}
	}
	// The fast path really handles what encoding/json writes for objectMeta.
	m := objectMeta{Key: "k", Size: 99, ETag: "abc", LastModified: time.Date(2025, 3, 4, 5, 6, 7, 8e6, time.UTC),
		UserMetadata: map[string]string{"a": `"}{`}, Tags: []tag{{Key: "x", Value: "]"}}, Checksum: checksumInfo{Algorithm: "CRC32C", Value: "v", Type: "COMPOSITE"},
		Pieces: []blobRef{{BlobID: "b", Size: 99, PartNumber: 1, ETag: "e", Checksum: "c"}}, PartsCount: 1}
	raw, _ := json.Marshal(m)
	var o listedObject
	if !listScanObject(raw, &o) || o.Size != 99 || string(o.ETag) != "abc" || string(o.LastModified) != "2025-03-04T05:06:07.008Z" ||
		string(o.Checksum.Algorithm) != "CRC32C" || string(o.Checksum.Type) != "COMPOSITE" {
		t.Fatalf("fast path failed on %s: %+v", raw, o)
	}
}

func FuzzDecodeListedObject(f *testing.F) {
	f.Add([]byte(`{"size":12,"etag":"0123","mtime":"2025-01-02T03:04:05.678Z","ck":{"alg":"CRC32"}}`))
	f.Add([]byte(`{"meta":{"a":"\"}"},"size":1}`))
	f.Add([]byte(`{"key":"a\\\"","size":-12,"mtime":"2024-02-29T23:59:59.999999999Z"}`))
	f.Fuzz(func(t *testing.T, rec []byte) {
		var fast, slow listedObject
		err := decodeListedObject(rec, &fast)
		if listDecodeSlow(rec, &slow) != nil {
			return // invalid JSON: the fast path may accept garbage it is never given
		}
		if err != nil {
			t.Fatalf("slow path accepts %q, fast path fails: %v", rec, err)
		}
		if fast.Size != slow.Size || string(fast.ETag) != string(slow.ETag) || string(fast.LastModified) != string(slow.LastModified) ||
			string(fast.StorageClass) != string(slow.StorageClass) || string(fast.Checksum.Algorithm) != string(slow.Checksum.Algorithm) ||
			string(fast.Checksum.Type) != string(slow.Checksum.Type) {
			t.Fatalf("%q:\nfast %+v\nslow %+v", rec, fast, slow)
		}
	})
}
