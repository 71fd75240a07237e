package s3

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Small single-PUT bodies live inline in the object record: no blob, the
// same bytes back, and blobs still freed as objects move between the two forms.
func TestInlineBodies(t *testing.T) {
	h := newInlineHarness(t)
	h.createBucket("bkt")
	small := []byte("hello inline world")
	large := bytes.Repeat([]byte("L"), defaultInlineLimit+1)
	steps := []struct {
		name      string
		body      []byte
		wantBlobs int
	}{
		{"small stays inline", small, 0},
		{"empty stays inline", nil, 0},
		{"at the limit stays inline", bytes.Repeat([]byte("x"), defaultInlineLimit), 0},
		{"over the limit is a blob", large, 1},
		{"small again frees the blob", small, 0},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			h.put("bkt", "k", st.body, map[string]string{"X-Amz-Checksum-Crc32": b64(crc32Of(st.body))})
			if n := len(h.blobIDs()); n != st.wantBlobs {
				t.Fatalf("%d blobs, want %d", n, st.wantBlobs)
			}
			got := h.get("bkt", "k", map[string]string{"X-Amz-Checksum-Mode": "ENABLED"})
			if !bytes.Equal(got.Body.Bytes(), st.body) {
				t.Fatalf("body differs: %d bytes, want %d", got.Body.Len(), len(st.body))
			}
			if got.Header().Get("X-Amz-Checksum-Crc32") != b64(crc32Of(st.body)) {
				t.Fatalf("checksum %q", got.Header().Get("X-Amz-Checksum-Crc32"))
			}
		})
	}

	t.Run("range of an inline body", func(t *testing.T) {
		h.put("bkt", "r", []byte("0123456789"), nil)
		got := h.get("bkt", "r", map[string]string{"Range": "bytes=2-5"})
		if got.Code != 206 || got.Body.String() != "2345" {
			t.Fatalf("got %d %q", got.Code, got.Body.String())
		}
	})

	t.Run("copy of an inline body", func(t *testing.T) {
		h.ok(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: "copy", header: map[string]string{"X-Amz-Copy-Source": "/bkt/r"}})
		if got := h.get("bkt", "copy", nil).Body.String(); got != "0123456789" {
			t.Fatalf("copy body %q", got)
		}
	})

	t.Run("recover keeps what objects reference", func(t *testing.T) {
		h.put("bkt", "big", large, nil)
		before := len(h.blobIDs())
		if err := h.svc.Recover(context.Background()); err != nil {
			t.Fatal(err)
		}
		if after := len(h.blobIDs()); after != before {
			t.Fatalf("recover removed referenced blobs: %d → %d", before, after)
		}
		for _, k := range []string{"k", "r", "copy", "big"} {
			if h.get("bkt", k, nil).Code != 200 {
				t.Fatalf("%s unreadable after recover", k)
			}
		}
	})

	t.Run("tagging keeps an inline body", func(t *testing.T) {
		h.ok(otReq{op: "PutObjectTagging", method: "PUT", bucket: "bkt", key: "r",
			header: map[string]string{"Content-MD5": md5B64(taggingDoc)}, body: []byte(taggingDoc)})
		if got := h.get("bkt", "r", nil); got.Body.String() != "0123456789" || got.Header().Get("X-Amz-Tagging-Count") != "1" {
			t.Fatalf("after tagging: %q %v", got.Body.String(), got.Header())
		}
	})

	t.Run("stored record keeps the body out of its JSON", func(t *testing.T) {
		raw, err := getRaw(h, objectKey("bkt", "r"))
		if err != nil {
			t.Fatal(err)
		}
		doc, tail := splitRecord(raw)
		if string(tail) != "0123456789" || bytes.Contains(doc, []byte("0123456789")) {
			t.Fatalf("record %q", raw)
		}
	})

	t.Run("listing shows an inline object", func(t *testing.T) {
		list := h.ok(otReq{op: "ListObjectsV2", method: "GET", bucket: "bkt", query: "list-type=2&prefix=r"}).Body.String()
		if !strings.Contains(list, "<Key>r</Key>") || !strings.Contains(list, "<Size>10</Size>") {
			t.Fatalf("listing %s", list)
		}
	})

	t.Run("delete of an inline object", func(t *testing.T) {
		h.ok(otReq{op: "DeleteObject", method: "DELETE", bucket: "bkt", key: "r"})
		h.fail(otReq{op: "GetObject", method: "GET", bucket: "bkt", key: "r"}, "NoSuchKey", 404)
	})
}

const taggingDoc = `<Tagging><TagSet><Tag><Key>pii</Key><Value>yes</Value></Tag></TagSet></Tagging>`

func getRaw(h *otHarness, key []byte) ([]byte, error) {
	var out []byte
	err := h.kv.View(func(tx kv.Reader) error {
		v, err := tx.Get(key)
		out = bytes.Clone(v)
		return err
	})
	return out, err
}
