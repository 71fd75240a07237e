package s3

import (
	"net/http"
	"testing"
	"time"
)

// TestReadPreconditionsMatrix walks GET/HEAD conditional headers through
// RFC 7232's precedence as S3 applies it.
func TestReadPreconditionsMatrix(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.now = time.Date(2025, 6, 1, 12, 0, 0, 500_000_000, time.UTC) // fractional second: HTTP dates compare whole seconds
	h.put("bkt", "k", []byte("body"), nil)
	etag := `"` + otMD5Hex([]byte("body")) + `"`
	at := "Sun, 01 Jun 2025 12:00:00 GMT"
	before := "Sun, 01 Jun 2025 11:59:59 GMT"
	after := "Sun, 01 Jun 2025 12:00:01 GMT"

	tests := []struct {
		name      string
		header    map[string]string
		status    int    // 200, 304 or 412
		condition string // for 412
	}{
		{"none", nil, 200, ""},
		{"if-match hit", map[string]string{"If-Match": etag}, 200, ""},
		{"if-match unquoted", map[string]string{"If-Match": otMD5Hex([]byte("body"))}, 200, ""},
		{"if-match list", map[string]string{"If-Match": `"x", ` + etag}, 200, ""},
		{"if-match star", map[string]string{"If-Match": "*"}, 200, ""},
		{"if-match miss", map[string]string{"If-Match": `"x"`}, 412, "If-Match"},
		{"if-none-match hit", map[string]string{"If-None-Match": etag}, 304, ""},
		{"if-none-match star", map[string]string{"If-None-Match": "*"}, 304, ""},
		{"if-none-match miss", map[string]string{"If-None-Match": `"x"`}, 200, ""},
		{"if-modified-since before", map[string]string{"If-Modified-Since": before}, 200, ""},
		{"if-modified-since at", map[string]string{"If-Modified-Since": at}, 304, ""},
		{"if-modified-since after", map[string]string{"If-Modified-Since": after}, 304, ""},
		{"if-modified-since invalid", map[string]string{"If-Modified-Since": "yesterday"}, 200, ""},
		{"if-unmodified-since before", map[string]string{"If-Unmodified-Since": before}, 412, "If-Unmodified-Since"},
		{"if-unmodified-since at", map[string]string{"If-Unmodified-Since": at}, 200, ""},
		{"if-unmodified-since invalid", map[string]string{"If-Unmodified-Since": "soon"}, 200, ""},
		// If-Match true + If-Unmodified-Since false → 200 (If-Match wins).
		{"if-match true, unmodified false", map[string]string{"If-Match": etag, "If-Unmodified-Since": before}, 200, ""},
		{"if-match false, unmodified true", map[string]string{"If-Match": `"x"`, "If-Unmodified-Since": after}, 412, "If-Match"},
		// If-None-Match false + If-Modified-Since true → 304 (If-None-Match wins).
		{"if-none-match false, modified true", map[string]string{"If-None-Match": etag, "If-Modified-Since": before}, 304, ""},
		{"if-none-match true, modified false", map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": after}, 200, ""},
		// 412 is decided before 304.
		{"if-match miss and if-none-match hit", map[string]string{"If-Match": `"x"`, "If-None-Match": etag}, 412, "If-Match"},
		{"if-match hit and if-none-match hit", map[string]string{"If-Match": etag, "If-None-Match": etag}, 304, ""},
		// The CLI's ranged download: If-Match with Range.
		{"if-match with range", map[string]string{"If-Match": etag, "Range": "bytes=0-1"}, 206, ""},
		{"if-match miss with range", map[string]string{"If-Match": `"x"`, "Range": "bytes=0-1"}, 412, "If-Match"},
	}
	for _, tt := range tests {
		for _, op := range []string{"GetObject", "HeadObject"} {
			method := map[string]string{"GetObject": "GET", "HeadObject": "HEAD"}[op]
			rec, e := h.call(otReq{op: op, method: method, bucket: "bkt", key: "k", header: tt.header})
			switch tt.status {
			case 200, 206:
				if e != nil || rec.Code != tt.status {
					t.Errorf("%s %s: want %d, got %d %v", op, tt.name, tt.status, rec.Code, e)
				}
			case 304:
				if e == nil || e.Status != http.StatusNotModified || e.Code != "NotModified" {
					t.Errorf("%s %s: want 304, got %d %v", op, tt.name, rec.Code, e)
					continue
				}
				if e.Header.Get("ETag") != etag || e.Header.Get("Last-Modified") != at {
					t.Errorf("%s %s: 304 headers %v", op, tt.name, e.Header)
				}
			case 412:
				if e == nil || e.Status != 412 || e.Code != "PreconditionFailed" || e.Extra["Condition"] != tt.condition {
					t.Errorf("%s %s: want 412 %s, got %d %+v", op, tt.name, tt.condition, rec.Code, e)
				}
			}
		}
	}
}

// TestCopySourcePreconditionsMatrix: every failed copy-source condition is
// 412, including the ones GET answers with 304.
func TestCopySourcePreconditionsMatrix(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "src", []byte("source"), nil)
	etag := `"` + otMD5Hex([]byte("source")) + `"`
	before := "Tue, 04 Mar 2025 05:06:06 GMT"
	after := "Tue, 04 Mar 2025 05:06:08 GMT"
	tests := []struct {
		name   string
		header map[string]string
		ok     bool
	}{
		{"if-match hit", map[string]string{"X-Amz-Copy-Source-If-Match": etag}, true},
		{"if-match miss", map[string]string{"X-Amz-Copy-Source-If-Match": `"x"`}, false},
		{"if-none-match hit", map[string]string{"X-Amz-Copy-Source-If-None-Match": etag}, false},
		{"if-none-match miss", map[string]string{"X-Amz-Copy-Source-If-None-Match": `"x"`}, true},
		{"if-modified-since before", map[string]string{"X-Amz-Copy-Source-If-Modified-Since": before}, true},
		{"if-modified-since after", map[string]string{"X-Amz-Copy-Source-If-Modified-Since": after}, false},
		{"if-unmodified-since before", map[string]string{"X-Amz-Copy-Source-If-Unmodified-Since": before}, false},
		{"if-unmodified-since after", map[string]string{"X-Amz-Copy-Source-If-Unmodified-Since": after}, true},
		{"match true + unmodified false", map[string]string{"X-Amz-Copy-Source-If-Match": etag, "X-Amz-Copy-Source-If-Unmodified-Since": before}, true},
		{"none-match false + modified true", map[string]string{"X-Amz-Copy-Source-If-None-Match": etag, "X-Amz-Copy-Source-If-Modified-Since": before}, false},
	}
	for _, tt := range tests {
		hdr := map[string]string{"X-Amz-Copy-Source": "/bkt/src"}
		for k, v := range tt.header {
			hdr[k] = v
		}
		q := otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "dst", header: hdr}
		_, e := h.call(q)
		if tt.ok != (e == nil) {
			t.Errorf("%s: ok=%v, got %v", tt.name, tt.ok, e)
		}
		if e != nil && (e.Status != 412 || e.Code != "PreconditionFailed") {
			t.Errorf("%s: %d %s", tt.name, e.Status, e.Code)
		}
	}
}

func TestEtagListMatches(t *testing.T) {
	tests := []struct {
		list, etag string
		want       bool
	}{
		{`"abc"`, "abc", true},
		{`abc`, "abc", true},
		{`W/"abc"`, "abc", true},
		{` "x" , "abc" `, "abc", true},
		{`*`, "abc", true},
		{`"abd"`, "abc", false},
		{`""`, "abc", false},
		{`"abc-2"`, "abc-2", true},
	}
	for _, tt := range tests {
		if got := etagListMatches(tt.list, tt.etag); got != tt.want {
			t.Errorf("etagListMatches(%q, %q) = %v", tt.list, tt.etag, got)
		}
	}
}
