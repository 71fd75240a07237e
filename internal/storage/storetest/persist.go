package storetest

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// TestKVPersistence checks that what Update acknowledged survives Close and a
// reopen, and that a closed store refuses work instead of panicking. open
// opens the store kept in dir; it is called several times with the same dir.
func TestKVPersistence(t *testing.T, open func(t *testing.T, dir string) kv.Store) {
	dir := t.TempDir()
	s := open(t, dir)
	want := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				k, v := fmt.Sprintf("key/%d/%02d", g, i), fmt.Sprintf("%0400d", g*100+i)
				if err := s.Update(func(w kv.Writer) error { return w.Put([]byte(k), []byte(v)) }); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				want[k] = v
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := s.Update(func(w kv.Writer) error {
		for i := range 25 {
			k := fmt.Sprintf("key/0/%02d", i)
			delete(want, k)
			if err := w.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := s.Update(func(w kv.Writer) error { return w.Put([]byte("late"), nil) }); err == nil {
		t.Fatal("Update after Close succeeded")
	}
	if err := s.View(func(kv.Reader) error { return nil }); err == nil {
		t.Fatal("View after Close succeeded")
	}
	s.Close() // a second Close must not panic

	for round := range 2 {
		s = open(t, dir)
		got := map[string]string{}
		if err := s.View(func(r kv.Reader) error {
			return r.Iterate(nil, nil, func(k, v []byte) (bool, error) {
				got[string(k)] = string(v)
				return true, nil
			})
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("reopen %d: %d keys, want %d", round, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("reopen %d: %s = %q, want %q", round, k, got[k], v)
			}
		}
		k := fmt.Sprintf("round/%d", round)
		if err := s.Update(func(w kv.Writer) error { return w.Put([]byte(k), []byte("x")) }); err != nil {
			t.Fatal(err)
		}
		want[k] = "x"
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBlobPersistence checks that committed blobs survive opening a new store
// on the same directory, and that deleted and aborted ones stay gone. A store
// that is an io.Closer is closed before the directory is opened again.
func TestBlobPersistence(t *testing.T, open func(t *testing.T, dir string) blob.Store) {
	dir := t.TempDir()
	s := open(t, dir)
	want := map[string][]byte{}
	for i := range 30 {
		data := payload(uint64(i), i*300)
		id := commit(t, s, data, 1024)
		if i%5 == 0 {
			if err := s.Delete(id); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want[id] = data
	}
	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("never committed")) // left open, as a crash would leave it
	for round := range 2 {
		// Stores that hold resources (a database) are closed before the
		// directory is opened again.
		if c, ok := s.(io.Closer); ok {
			if err := c.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
		}
		s = open(t, dir)
		var ids, wantIDs []string
		for id := range want {
			wantIDs = append(wantIDs, id)
		}
		slices.Sort(wantIDs)
		if ids = walkIDs(t, s); !slices.Equal(ids, wantIDs) {
			t.Fatalf("reopen %d: Walk lists %d ids, want %d", round, len(ids), len(wantIDs))
		}
		for id, data := range want {
			wantBlob(t, s, id, data)
		}
		data := payload(uint64(100+round), 5000)
		want[commit(t, s, data, 4096)] = data
	}
	w.Abort()
}
