package s3

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

func TestRecoverDeletesOnlyOrphans(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("bkt")
	h.put("bkt", "single", []byte("s"), nil)
	mp := h.putPieces("bkt", "multi", []byte("p1"), []byte("p2"))
	partBlob := h.storeBlob([]byte("uploaded part"))
	if err := h.kv.Update(func(tx kv.Writer) error {
		if err := putJSON(tx, uploadKey("bkt", "up"), &uploadMeta{UploadID: "up", Key: "x"}); err != nil {
			return err
		}
		return putJSON(tx, partKey("bkt", "up", 1), &partMeta{PartNumber: 1, BlobID: partBlob, Size: 13})
	}); err != nil {
		t.Fatal(err)
	}
	orphan1 := h.storeBlob([]byte("crashed before metadata"))
	orphan2 := h.storeBlob(nil)

	keep := map[string]bool{partBlob: true, mp.Pieces[0].BlobID: true, mp.Pieces[1].BlobID: true}
	single, _ := h.svc.loadObject(httpReq(), "bkt", "single")
	keep[single.Pieces[0].BlobID] = true

	if err := h.svc.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	ids := h.blobIDs()
	if len(ids) != len(keep) {
		t.Fatalf("blobs %v, want %v", ids, keep)
	}
	for _, id := range ids {
		if !keep[id] || id == orphan1 || id == orphan2 {
			t.Fatalf("unexpected blob %s", id)
		}
	}
	if got := h.get("bkt", "multi", nil).Body.String(); got != "p1p2" {
		t.Fatalf("multi %q", got)
	}
}

func TestReset(t *testing.T) {
	h := newOTHarness(t)
	for i := 0; i < 3; i++ {
		b := "bucket-" + string(rune('a'+i))
		h.createBucket(b)
		for j := 0; j < 700; j++ { // more keys than one reset batch
			h.put(b, strings.Repeat("k", j%5+1)+string(rune('a'+j%26))+strings.Repeat("x", j/26), []byte("v"), nil)
		}
	}
	h.kv.Update(func(tx kv.Writer) error { return tx.Put([]byte("other/service"), []byte("kept")) })
	if err := h.svc.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	var left []string
	h.kv.View(func(tx kv.Reader) error {
		return tx.Iterate(nil, nil, func(k, _ []byte) (bool, error) { left = append(left, string(k)); return true, nil })
	})
	sort.Strings(left)
	if strings.Join(left, ",") != "other/service" {
		t.Fatalf("keys left %v", left)
	}
	if ids := h.blobIDs(); len(ids) != 0 {
		t.Fatalf("%d blobs left", len(ids))
	}
	h.fail(otReq{op: "HeadBucket", method: "HEAD", bucket: "bucket-a"}, "NoSuchBucket", 404)
	h.createBucket("bucket-a") // usable again
}
