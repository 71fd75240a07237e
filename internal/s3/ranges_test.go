package s3

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/blob"
)

func TestParseRange(t *testing.T) {
	const size = 100
	tests := []struct {
		header        string
		ok            bool
		unsatisfiable bool
		start, length int64
	}{
		{"", false, false, 0, 0},
		{"bytes=0-9", true, false, 0, 10},
		{"bytes=10-", true, false, 10, 90},
		{"bytes=-10", true, false, 90, 10},
		{"bytes=-1000", true, false, 0, 100},
		{"bytes=90-1000", true, false, 90, 10},
		{"bytes=99-99", true, false, 99, 1},
		{"bytes= 5-6", true, false, 5, 2},
		{"bytes=100-", false, true, 0, 0},
		{"bytes=100-200", false, true, 0, 0},
		{"bytes=-0", false, true, 0, 0},
		{"bytes=9-5", false, false, 0, 0},     // invalid: ignored, whole object
		{"bytes=0-1,5-6", false, false, 0, 0}, // several ranges: S3 serves the whole object
		{"items=0-1", false, false, 0, 0},     // other unit
		{"bytes=a-b", false, false, 0, 0},     // garbage
		{"bytes=-", false, false, 0, 0},       // garbage
		{"bytes=1", false, false, 0, 0},       // no dash
		{"bytes=+1-2", false, false, 0, 0},    // sign
		{"bytes=99999999999999999999-", false, false, 0, 0},
	}
	for _, tt := range tests {
		br, ok, err := parseRange(tt.header, size, "/b/k")
		if tt.unsatisfiable {
			e := asAWS(err)
			if e == nil || e.Code != "InvalidRange" || e.Status != 416 || e.Extra["ActualObjectSize"] != "100" || e.Extra["RangeRequested"] != tt.header {
				t.Errorf("%q: want InvalidRange, got %v", tt.header, err)
			}
			continue
		}
		if err != nil || ok != tt.ok || (ok && (br.start != tt.start || br.length != tt.length)) {
			t.Errorf("%q: got %+v ok=%v err=%v", tt.header, br, ok, err)
		}
	}
	// Any range of an empty object is unsatisfiable.
	if _, _, err := parseRange("bytes=0-", 0, "/b/k"); asAWS(err) == nil {
		t.Error("range on empty object accepted")
	}
}

func TestSpansFor(t *testing.T) {
	pieces := []blobRef{{BlobID: "a", Size: 5}, {BlobID: "b", Size: 0}, {BlobID: "c", Size: 3}, {BlobID: "d", Size: 4}}
	tests := []struct {
		start, length int64
		want          string
	}{
		{0, 12, "a:0+5 c:0+3 d:0+4"},
		{0, 5, "a:0+5"},
		{4, 2, "a:4+1 c:0+1"},
		{5, 3, "c:0+3"},
		{6, 6, "c:1+2 d:0+4"},
		{11, 1, "d:3+1"},
		{3, 7, "a:3+2 c:0+3 d:0+2"},
	}
	for _, tt := range tests {
		var got []byte
		for _, sp := range spansFor(pieces, tt.start, tt.length) {
			if len(got) > 0 {
				got = append(got, ' ')
			}
			got = append(got, sp.piece.BlobID+":"+strconv.FormatInt(sp.offset, 10)+"+"+strconv.FormatInt(sp.length, 10)...)
		}
		if string(got) != tt.want {
			t.Errorf("spansFor(%d, %d) = %q, want %q", tt.start, tt.length, got, tt.want)
		}
	}
}

// TestGetRangeAcrossPieces checks every range of a multi-piece object against
// the same range of the concatenated bytes.
func TestGetRangeAcrossPieces(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	parts := [][]byte{[]byte("AAAAAAA"), []byte("BBBB"), []byte("C"), []byte("DDDDDDDDD")}
	h.putPieces("bkt", "mp", parts...)
	whole := bytes.Join(parts, nil)
	size := int64(len(whole))
	for a := int64(0); a < size; a++ {
		for b := a; b < size+2; b++ {
			hdr := "bytes=" + strconv.FormatInt(a, 10) + "-" + strconv.FormatInt(b, 10)
			rec := h.get("bkt", "mp", map[string]string{"Range": hdr, "X-Amz-Checksum-Mode": "ENABLED"})
			end := min(b, size-1)
			if rec.Code != 206 || rec.Body.String() != string(whole[a:end+1]) {
				t.Fatalf("%s: %d %q", hdr, rec.Code, rec.Body.String())
			}
			wantCR := "bytes " + strconv.FormatInt(a, 10) + "-" + strconv.FormatInt(end, 10) + "/" + strconv.FormatInt(size, 10)
			if rec.Header().Get("Content-Range") != wantCR || rec.Header().Get("Content-Length") != strconv.FormatInt(end-a+1, 10) {
				t.Fatalf("%s: headers %v", hdr, rec.Header())
			}
			if rec.Header().Get("X-Amz-Checksum-Crc32") != "" || rec.Header().Get("Accept-Ranges") != "bytes" {
				t.Fatalf("%s: headers %v", hdr, rec.Header())
			}
		}
	}
	// Suffix range, whole object, and unsatisfiable.
	if rec := h.get("bkt", "mp", map[string]string{"Range": "bytes=-10"}); rec.Body.String() != string(whole[size-10:]) {
		t.Fatalf("suffix: %q", rec.Body.String())
	}
	full := h.get("bkt", "mp", map[string]string{"X-Amz-Checksum-Mode": "ENABLED"})
	if full.Code != 200 || full.Body.String() != string(whole) || full.Header().Get("X-Amz-Checksum-Crc32") != "AAAAAA==-4" ||
		full.Header().Get("X-Amz-Checksum-Type") != "COMPOSITE" || full.Header().Get("X-Amz-Mp-Parts-Count") != "" {
		t.Fatalf("whole: %d %v", full.Code, full.Header())
	}
	e := h.fail(otReq{op: "GetObject", method: "GET", bucket: "bkt", key: "mp", header: map[string]string{"Range": "bytes=21-"}}, "InvalidRange", 416)
	if e.Extra["ActualObjectSize"] != "21" || e.Extra["RangeRequested"] != "bytes=21-" {
		t.Fatalf("extra %v", e.Extra)
	}
	// HEAD with a range answers the range's length without a body.
	head := h.ok(otReq{op: "HeadObject", method: "HEAD", bucket: "bkt", key: "mp", header: map[string]string{"Range": "bytes=3-9"}})
	if head.Code != 206 || head.Header().Get("Content-Length") != "7" || head.Body.Len() != 0 {
		t.Fatalf("head range %d %v", head.Code, head.Header())
	}
}

func TestGetPartNumber(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	parts := [][]byte{[]byte("first-part"), []byte("second"), []byte("3rd")}
	meta := h.putPieces("bkt", "mp", parts...)
	var offset int64
	for i, p := range parts {
		for _, op := range []string{"GetObject", "HeadObject"} {
			rec := h.ok(otReq{op: op, method: "GET", bucket: "bkt", key: "mp", query: "partNumber=" + strconv.Itoa(i+1),
				header: map[string]string{"X-Amz-Checksum-Mode": "ENABLED"}})
			wantCR := "bytes " + strconv.FormatInt(offset, 10) + "-" + strconv.FormatInt(offset+int64(len(p))-1, 10) + "/19"
			if rec.Code != 206 || rec.Header().Get("Content-Range") != wantCR || rec.Header().Get("X-Amz-Mp-Parts-Count") != "3" ||
				rec.Header().Get("Content-Length") != strconv.Itoa(len(p)) || rec.Header().Get("ETag") != `"`+meta.ETag+`"` {
				t.Fatalf("%s part %d: %d %v", op, i+1, rec.Code, rec.Header())
			}
			// The part's own checksum, which SDKs can validate against the body.
			if rec.Header().Get("X-Amz-Checksum-Crc32") != checksumOf(algCRC32, p) {
				t.Fatalf("%s part %d checksum %q", op, i+1, rec.Header().Get("X-Amz-Checksum-Crc32"))
			}
			if op == "GetObject" && rec.Body.String() != string(p) {
				t.Fatalf("part %d body %q", i+1, rec.Body.String())
			}
		}
		offset += int64(len(p))
	}
	e := h.fail(otReq{op: "GetObject", method: "GET", bucket: "bkt", key: "mp", query: "partNumber=4"}, "InvalidPartNumber", 416)
	if e.Extra["ActualPartCount"] != "3" {
		t.Fatalf("extra %v", e.Extra)
	}
	// A single-PUT object is its own part 1.
	h.put("bkt", "single", []byte("just one"), map[string]string{"X-Amz-Checksum-Crc32": checksumOf(algCRC32, []byte("just one"))})
	rec := h.ok(otReq{op: "GetObject", method: "GET", bucket: "bkt", key: "single", query: "partNumber=1",
		header: map[string]string{"X-Amz-Checksum-Mode": "ENABLED"}})
	if rec.Code != 206 || rec.Body.String() != "just one" || rec.Header().Get("Content-Range") != "bytes 0-7/8" ||
		rec.Header().Get("X-Amz-Checksum-Crc32") != checksumOf(algCRC32, []byte("just one")) {
		t.Fatalf("single part: %d %v", rec.Code, rec.Header())
	}
}

// openHookStore runs hook (once) before the first Open, to let a test
// change the world between a GET's metadata read and its blob open.
type openHookStore struct {
	blob.Store
	hook func()
}

func (o *openHookStore) Open(id string) (blob.Reader, error) {
	if hook := o.hook; hook != nil {
		o.hook = nil
		hook()
	}
	return o.Store.Open(id)
}

// TestGetSurvivesConcurrentOverwrite: when the pieces a GET planned to read
// were deleted by an overwrite, the GET re-reads the record and serves the
// new object rather than failing.
func TestGetSurvivesConcurrentOverwrite(t *testing.T) {
	h := newOTHarness(t)
	hooked := &openHookStore{Store: h.blobs}
	h.svc = New(h.kv, hooked, h.svc.cfg)
	h.createBucket("bkt")
	h.put("bkt", "k", []byte("old"), nil)
	hooked.hook = func() { h.put("bkt", "k", []byte("new!"), nil) }
	rec := h.get("bkt", "k", nil)
	if got := rec.Body.String(); got != "new!" || rec.Header().Get("ETag") != `"`+otMD5Hex([]byte("new!"))+`"` || rec.Header().Get("Content-Length") != "4" {
		t.Fatalf("got %q %v", got, rec.Header())
	}
	if hooked.hook != nil {
		t.Fatal("hook did not run")
	}
}

func TestPartIndex(t *testing.T) {
	sparse := []blobRef{{PartNumber: 1}, {PartNumber: 3}, {PartNumber: 7}}
	unnumbered := []blobRef{{}, {}}
	tests := []struct {
		pieces []blobRef
		n      int
		want   int
	}{
		{sparse, 1, 0}, {sparse, 3, 1}, {sparse, 7, 2}, {sparse, 2, -1}, {sparse, 8, -1},
		{unnumbered, 1, 0}, {unnumbered, 2, 1}, {unnumbered, 3, -1},
	}
	for _, tt := range tests {
		if got := partIndex(tt.pieces, tt.n); got != tt.want {
			t.Errorf("partIndex(%v, %d) = %d, want %d", tt.pieces, tt.n, got, tt.want)
		}
	}
}
