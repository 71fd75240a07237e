package tieredblob

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/storetest"
)

func open(t *testing.T, dir string, threshold int) *Store {
	t.Helper()
	s, err := Open(dir, threshold)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The contract runs with the default threshold (the suite's blobs fall on
// both sides of it) and with every blob small and every blob a file.
func TestContract(t *testing.T) {
	for _, tc := range []struct {
		name      string
		threshold int
	}{{"default", DefaultThreshold}, {"all-small", 32 << 20}, {"all-files", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.TestBlob(t, func(t *testing.T) blob.Store { return open(t, t.TempDir(), tc.threshold) })
		})
	}
}

func TestPersistence(t *testing.T) {
	storetest.TestBlobPersistence(t, func(t *testing.T, dir string) blob.Store {
		return open(t, dir, 4<<10) // the suite writes 0..9 KiB: both tiers
	})
}

func TestTierByThreshold(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, 100)
	tests := []struct {
		size      int
		chunks    int
		wantSmall bool
	}{
		{0, 1, true},
		{100, 1, true},
		{100, 10, true},
		{101, 1, false},
		{150, 3, false}, // outgrows the threshold midway
	}
	for _, tc := range tests {
		data := bytes.Repeat([]byte{'z'}, tc.size)
		w, _ := s.Create()
		for i := range tc.chunks {
			w.Write(data[i*tc.size/tc.chunks : (i+1)*tc.size/tc.chunks])
		}
		id, size, err := w.Commit()
		if err != nil || size != int64(tc.size) {
			t.Fatalf("size %d: commit = %q, %d, %v", tc.size, id, size, err)
		}
		if isSmall(id) != tc.wantSmall {
			t.Fatalf("size %d in %d chunks: id %q small=%v, want %v", tc.size, tc.chunks, id, isSmall(id), tc.wantSmall)
		}
		_, statErr := os.Stat(filepath.Join(dir, FilesDir, id[:2], id))
		if (statErr == nil) == tc.wantSmall {
			t.Fatalf("size %d: file present=%v, want %v", tc.size, statErr == nil, !tc.wantSmall)
		}
		r, err := s.Open(id)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, tc.size+1)
		n, _ := r.ReadAt(got, 0)
		r.Close()
		if n != tc.size || !bytes.Equal(got[:n], data) {
			t.Fatalf("size %d: read back %d bytes", tc.size, n)
		}
	}
}

func TestSmallIDs(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"s0123456789abcdef0123456789abcdef", true},
		{"0123456789abcdef0123456789abcdef", false}, // a file id
		{"s0123456789abcdef0123456789abcdeF", false},
		{"s0123456789abcdef0123456789abcde", false},
		{"x0123456789abcdef0123456789abcdef", false},
		{"", false},
	} {
		if got := isSmall(tc.id); got != tc.want {
			t.Errorf("isSmall(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
