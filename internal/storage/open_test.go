package storage

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
