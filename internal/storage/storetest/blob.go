package storetest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/blob"
)

// TestBlob runs the blob.Store contract. open must return a new, empty store.
func TestBlob(t *testing.T, open func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"RoundTrip", blobRoundTrip},
		{"ReadAtAndSeek", blobReadAtAndSeek},
		{"Empty", blobEmpty},
		{"Big", blobBig},
		{"NotFound", blobNotFound},
		{"Abort", blobAbort},
		{"WriterLifecycle", blobWriterLifecycle},
		{"DeleteIdempotent", blobDeleteIdempotent},
		{"OpenReaderSurvivesDelete", blobOpenReaderSurvivesDelete},
		{"Walk", blobWalk},
		{"ConcurrentCommits", blobConcurrentCommits},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// payload returns n deterministic pseudo-random bytes.
func payload(seed uint64, n int) []byte {
	b := make([]byte, n)
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)})
	rng.Read(b)
	return b
}

// commit stores data, writing it in chunks of the given size.
func commit(t *testing.T, s blob.Store, data []byte, chunk int) string {
	t.Helper()
	w, err := s.Create()
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	for off := 0; off < len(data); off += chunk {
		n, err := w.Write(data[off:min(off+chunk, len(data))])
		if err != nil || n != min(chunk, len(data)-off) {
			t.Fatalf("write at %d: n=%d err=%v", off, n, err)
		}
	}
	id, size, err := w.Commit()
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	if id == "" || size != int64(len(data)) {
		t.Fatalf("commit returned id %q size %d, want an id and size %d", id, size, len(data))
	}
	return id
}

// readBlob opens id and returns its whole content.
func readBlob(s blob.Store, id string) ([]byte, error) {
	r, err := s.Open(id)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if r.Size() != int64(len(data)) {
		return nil, fmt.Errorf("blob %s: Size() = %d but read %d bytes", id, r.Size(), len(data))
	}
	return data, nil
}

func wantBlob(t *testing.T, s blob.Store, id string, want []byte) {
	t.Helper()
	got, err := readBlob(s, id)
	if err != nil {
		t.Fatalf("read %s: %v", id, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("blob %s: read %d bytes that differ from the %d written", id, len(got), len(want))
	}
}

func walkIDs(t *testing.T, s blob.Store) []string {
	t.Helper()
	var ids []string
	if err := s.Walk(func(id string) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatalf("walk: %v", err)
	}
	slices.Sort(ids)
	return ids
}

func blobRoundTrip(t *testing.T, s blob.Store) {
	for i, tc := range []struct{ size, chunk int }{{1, 1}, {100, 7}, {4096, 4096}, {65537, 1000}} {
		data := payload(uint64(i), tc.size)
		id := commit(t, s, data, tc.chunk)
		wantBlob(t, s, id, data)
	}
}

func blobReadAtAndSeek(t *testing.T, s blob.Store) {
	data := payload(1, 10000)
	r, err := s.Open(commit(t, s, data, 3000))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Size() != 10000 {
		t.Fatalf("Size() = %d, want 10000", r.Size())
	}
	readAt := []struct {
		off, n, wantN int
		wantEOF       bool
	}{
		{0, 100, 100, false},
		{5000, 1000, 1000, false},
		{9990, 10, 10, false},
		{9995, 10, 5, true},
		{10000, 10, 0, true},
		{20000, 10, 0, true},
	}
	for _, tc := range readAt {
		buf := make([]byte, tc.n)
		n, err := r.ReadAt(buf, int64(tc.off))
		if n != tc.wantN || (tc.wantEOF && !errors.Is(err, io.EOF)) || (!tc.wantEOF && err != nil) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d bytes, eof=%v", tc.n, tc.off, n, err, tc.wantN, tc.wantEOF)
		}
		if n > 0 && !bytes.Equal(buf[:n], data[tc.off:tc.off+n]) {
			t.Fatalf("ReadAt at %d returned wrong bytes", tc.off)
		}
	}
	seeks := []struct {
		off     int64
		whence  int
		wantPos int64
	}{
		{100, io.SeekStart, 100},
		{50, io.SeekCurrent, 150},
		{-10, io.SeekEnd, 9990},
		{0, io.SeekStart, 0},
	}
	for _, tc := range seeks {
		pos, err := r.Seek(tc.off, tc.whence)
		if err != nil || pos != tc.wantPos {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", tc.off, tc.whence, pos, err, tc.wantPos)
		}
		buf := make([]byte, 20)
		n, err := io.ReadFull(r, buf)
		if want := min(20, 10000-int(pos)); n != want || !bytes.Equal(buf[:n], data[pos:int(pos)+n]) {
			t.Fatalf("read after Seek to %d: %d bytes (%v), want %d matching", pos, n, err, want)
		}
		if _, err := r.Seek(pos, io.SeekStart); err != nil { // undo the read for SeekCurrent
			t.Fatal(err)
		}
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Fatal("Seek to a negative offset succeeded")
	}
	// ReadAt does not move the Read offset.
	r.Seek(0, io.SeekStart)
	r.ReadAt(make([]byte, 10), 5000)
	head := make([]byte, 10)
	if _, err := io.ReadFull(r, head); err != nil || !bytes.Equal(head, data[:10]) {
		t.Fatalf("Read after ReadAt did not start at offset 0 (%v)", err)
	}
}

func blobEmpty(t *testing.T, s blob.Store) {
	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	id, size, err := w.Commit()
	if err != nil || id == "" || size != 0 {
		t.Fatalf("commit of an empty blob: %q, %d, %v", id, size, err)
	}
	r, err := s.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Size() != 0 {
		t.Fatalf("Size() = %d", r.Size())
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("Read of an empty blob = %d, %v; want 0, io.EOF", n, err)
	}
}

func blobBig(t *testing.T, s blob.Store) {
	const size = 16<<20 + 123
	data := payload(7, size)
	id := commit(t, s, data, 1_000_003)
	r, err := s.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := sha256.New()
	if n, err := io.Copy(h, r); err != nil || n != size {
		t.Fatalf("copied %d bytes (%v), want %d", n, err, size)
	}
	if want := sha256.Sum256(data); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("16 MiB blob content differs")
	}
}

func blobNotFound(t *testing.T, s blob.Store) {
	id := commit(t, s, []byte("x"), 1)
	for _, bad := range []string{"", "missing", "0123456789abcdef0123456789abcdef", "../" + id, id + "/x", "/etc/passwd", "."} {
		if r, err := s.Open(bad); !errors.Is(err, blob.ErrNotFound) {
			if err == nil {
				r.Close()
			}
			t.Fatalf("Open(%q) = %v, want blob.ErrNotFound", bad, err)
		}
	}
}

func blobAbort(t *testing.T, s blob.Store) {
	keep := commit(t, s, []byte("keep"), 4)
	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write(payload(3, 5000))
	if err := w.Abort(); err != nil {
		t.Fatalf("abort: %v", err)
	}
	w.Abort() // a second Abort must not panic
	if ids := walkIDs(t, s); !slices.Equal(ids, []string{keep}) {
		t.Fatalf("after abort Walk lists %q, want only %q", ids, keep)
	}
	// Abort after Commit is a no-op.
	w, _ = s.Create()
	w.Write([]byte("committed"))
	id, _, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("abort after commit: %v", err)
	}
	wantBlob(t, s, id, []byte("committed"))
}

func blobWriterLifecycle(t *testing.T, s blob.Store) {
	w, _ := s.Create()
	w.Write([]byte("abc"))
	id, _, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("more")); err == nil {
		t.Fatal("Write after Commit succeeded")
	}
	if _, _, err := w.Commit(); err == nil {
		t.Fatal("second Commit succeeded")
	}
	wantBlob(t, s, id, []byte("abc"))
	w, _ = s.Create()
	w.Abort()
	if _, err := w.Write([]byte("x")); err == nil {
		t.Fatal("Write after Abort succeeded")
	}
	if _, _, err := w.Commit(); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
}

func blobDeleteIdempotent(t *testing.T, s blob.Store) {
	id := commit(t, s, []byte("doomed"), 6)
	other := commit(t, s, []byte("other"), 5)
	for range 2 {
		if err := s.Delete(id); err != nil {
			t.Fatalf("delete: %v", err)
		}
	}
	if _, err := s.Open(id); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open after Delete = %v, want blob.ErrNotFound", err)
	}
	if err := s.Delete("never-existed"); err != nil {
		t.Fatalf("delete of an unknown id: %v", err)
	}
	wantBlob(t, s, other, []byte("other"))
}

func blobOpenReaderSurvivesDelete(t *testing.T, s blob.Store) {
	data := payload(5, 70000)
	id := commit(t, s, data, 70000)
	r, err := s.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := s.Delete(id); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("reader opened before Delete read %d bytes (%v), want the whole blob", len(got), err)
	}
}

func blobWalk(t *testing.T, s blob.Store) {
	if ids := walkIDs(t, s); len(ids) != 0 {
		t.Fatalf("new store lists %q", ids)
	}
	var want []string
	for i := range 20 {
		id := commit(t, s, payload(uint64(i), i*10), 64)
		if i%4 == 0 {
			if err := s.Delete(id); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want = append(want, id)
	}
	slices.Sort(want)
	if got := walkIDs(t, s); !slices.Equal(got, want) {
		t.Fatalf("Walk lists %d ids %q, want %d %q", len(got), got, len(want), want)
	}
	n := 0
	err := s.Walk(func(string) error {
		n++
		return errBoom
	})
	if !errors.Is(err, errBoom) || n != 1 {
		t.Fatalf("Walk with a failing callback: %v after %d calls, want errBoom after 1", err, n)
	}
}

func blobConcurrentCommits(t *testing.T, s blob.Store) {
	const workers, each = 16, 12
	type stored struct {
		id   string
		data []byte
	}
	results := make(chan stored, workers*each)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				data := payload(uint64(g*1000+i), 1000+g*100+i)
				w, err := s.Create()
				if err != nil {
					errs <- err
					return
				}
				w.Write(data)
				id, _, err := w.Commit()
				if err != nil {
					errs <- err
					return
				}
				results <- stored{id, data}
			}
		}()
	}
	wg.Wait()
	close(results)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for r := range results {
		if seen[r.id] {
			t.Fatalf("id %s handed out twice", r.id)
		}
		seen[r.id] = true
		wantBlob(t, s, r.id, r.data)
	}
	if got := walkIDs(t, s); len(got) != workers*each {
		t.Fatalf("Walk lists %d ids, want %d", len(got), workers*each)
	}
}
