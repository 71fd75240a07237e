package storage

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

func TestOpenKV(t *testing.T) {
	tests := []struct {
		name     string
		backend  string
		wantPath string // what the backend creates inside dir
	}{
		{"bolt", KVBackendBolt, boltFile},
		{"pebble", KVBackendPebble, pebbleDir},
		{"default", "", map[string]string{KVBackendBolt: boltFile, KVBackendPebble: pebbleDir}[DefaultKVBackend]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "not", "yet", "there")
			s, err := OpenKV(dir, tc.backend)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := os.Stat(filepath.Join(dir, tc.wantPath)); err != nil {
				t.Fatalf("backend %q did not create %s: %v", tc.backend, tc.wantPath, err)
			}
			if err := s.Update(func(w kv.Writer) error { return w.Put([]byte("k"), []byte("v")) }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpenKVRefusesUnknownOrForeignBackend(t *testing.T) {
	if _, err := OpenKV(t.TempDir(), "leveldb"); err == nil || !strings.Contains(err.Error(), "unknown kv backend") {
		t.Fatalf("unknown backend: %v", err)
	}
	for _, first := range KVBackends() {
		dir := t.TempDir()
		s, err := OpenKV(dir, first)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		for _, other := range KVBackends() {
			if other == first {
				continue
			}
			if s, err := OpenKV(dir, other); err == nil {
				s.Close()
				t.Fatalf("opened %s data with backend %s", first, other)
			}
		}
	}
	if !slices.Contains(KVBackends(), DefaultKVBackend) {
		t.Fatalf("DefaultKVBackend %q is not a known backend", DefaultKVBackend)
	}
}

func TestOpenBlob(t *testing.T) {
	if _, err := OpenBlob(t.TempDir(), "s3"); err == nil || !strings.Contains(err.Error(), "unknown blob backend") {
		t.Fatalf("unknown backend: %v", err)
	}
	if !slices.Contains(BlobBackends(), DefaultBlobBackend) {
		t.Fatalf("DefaultBlobBackend %q is not a known backend", DefaultBlobBackend)
	}
	// A files store reopens as tiered with its blobs; tiered data is not
	// reopened as files (its small blobs would vanish).
	dir := t.TempDir()
	files, err := OpenBlob(dir, BlobBackendFiles)
	if err != nil {
		t.Fatal(err)
	}
	id := commitTestBlob(t, files, "file blob")
	files.Close()
	tiered, err := OpenBlob(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := readTestBlob(t, tiered, id); got != "file blob" {
		t.Fatalf("tiered store reads %q from a files-era blob", got)
	}
	small := commitTestBlob(t, tiered, "small blob")
	if got := readTestBlob(t, tiered, small); got != "small blob" {
		t.Fatalf("read %q", got)
	}
	tiered.Close()
	if s, err := OpenBlob(dir, BlobBackendFiles); err == nil {
		s.Close()
		t.Fatal("opened a tiered store as files")
	}
}

func commitTestBlob(t *testing.T, s blob.Store, body string) string {
	t.Helper()
	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(body))
	id, _, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func readTestBlob(t *testing.T, s blob.Store, id string) string {
	t.Helper()
	r, err := s.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
