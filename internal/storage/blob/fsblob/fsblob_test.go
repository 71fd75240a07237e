package fsblob

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/storetest"
)

// modes are the two ways a blob is written: an anonymous O_TMPFILE linked
// into place (Linux) and a named temp file renamed into place (elsewhere, and
// on filesystems without O_TMPFILE).
var modes = []struct {
	name      string
	anonymous bool
}{{"anonymous", true}, {"named", false}}

func openMode(t *testing.T, dir string, anonymous bool) *Store {
	t.Helper()
	s, err := open(dir, anonymous)
	if err != nil {
		t.Fatal(err)
	}
	if anonymous && runtime.GOOS == "linux" && !s.temp.anonymous {
		t.Log("O_TMPFILE not supported in", dir, "- testing named temp files twice")
	}
	return s
}

func TestContract(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			storetest.TestBlob(t, func(t *testing.T) blob.Store {
				s := openMode(t, t.TempDir(), m.anonymous)
				t.Cleanup(func() { wantNoTempFiles(t, s) })
				return s
			})
		})
	}
}

func TestPersistence(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			storetest.TestBlobPersistence(t, func(t *testing.T, dir string) blob.Store {
				return openMode(t, dir, m.anonymous)
			})
		})
	}
}

// wantNoTempFiles fails if a commit or abort left a temp file behind.
func wantNoTempFiles(t *testing.T, s *Store) {
	t.Helper()
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("temp file left behind: %s", e.Name())
	}
}

func TestOpenRemovesLeftoverTempFiles(t *testing.T) {
	dir := t.TempDir()
	s := openMode(t, dir, false)
	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("half-written body, as a crash leaves it"))
	if entries, _ := os.ReadDir(s.tmp); len(entries) != 1 {
		t.Fatalf("a named writer should have one temp file, have %d", len(entries))
	}
	os.MkdirAll(filepath.Join(s.tmp, "junk-dir"), 0o700)
	s2 := openMode(t, dir, true)
	wantNoTempFiles(t, s2)
	var ids []string
	s2.Walk(func(id string) error { ids = append(ids, id); return nil })
	if len(ids) != 0 {
		t.Fatalf("Walk lists %q after a crash mid-write", ids)
	}
}

func TestWalkIgnoresForeignFiles(t *testing.T) {
	dir := t.TempDir()
	s := openMode(t, dir, true)
	w, _ := s.Create()
	w.Write([]byte("x"))
	id, _, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	shardDir := filepath.Join(dir, id[:2])
	for _, name := range []string{"README", "0123456789abcdef0123456789ABCDEF", "ff" + id[2:]} {
		if name[:2] == id[:2] {
			continue // "ff"+... would be a valid id of this shard only if id[:2] == "ff"
		}
		os.WriteFile(filepath.Join(shardDir, name), []byte("x"), 0o600)
	}
	os.WriteFile(filepath.Join(dir, "stray-file"), []byte("x"), 0o600)
	var ids []string
	if err := s.Walk(func(id string) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != id {
		t.Fatalf("Walk lists %q, want only %q", ids, id)
	}
}

func TestIDsAndLayout(t *testing.T) {
	dir := t.TempDir()
	s := openMode(t, dir, true)
	w, _ := s.Create()
	id, _, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if !validID(id) {
		t.Fatalf("Commit returned malformed id %q", id)
	}
	if _, err := os.Stat(filepath.Join(dir, id[:2], id)); err != nil {
		t.Fatalf("blob %s not at {dir}/{id[:2]}/{id}: %v", id, err)
	}
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{id, true},
		{"0123456789abcdef0123456789abcdef", true},
		{"0123456789abcdef0123456789abcdeF", false},
		{"0123456789abcdef0123456789abcde", false},
		{"0123456789abcdef0123456789abcdef0", false},
		{"../3456789abcdef0123456789abcdef", false},
		{"", false},
	} {
		if got := validID(tc.id); got != tc.want {
			t.Errorf("validID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
