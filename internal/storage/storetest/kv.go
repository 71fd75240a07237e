// Package storetest holds the contract suites every storage backend must
// pass: TestKV for kv.Store, TestBlob for blob.Store, and the reopen checks
// TestKVPersistence and TestBlobPersistence for the durable ones.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// TestKV runs the kv.Store contract. open must return a new, empty store and
// arrange (t.Cleanup) for it to be closed.
func TestKV(t *testing.T, open func(t *testing.T) kv.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s kv.Store)
	}{
		{"PutGetDelete", kvPutGetDelete},
		{"NotFound", kvNotFound},
		{"EmptyValue", kvEmptyValue},
		{"ByteOrder", kvByteOrder},
		{"IterateBounds", kvIterateBounds},
		{"IterateStopAndError", kvIterateStopAndError},
		{"UpdateErrorIsAtomic", kvUpdateErrorIsAtomic},
		{"UpdatePanicIsAtomic", kvUpdatePanicIsAtomic},
		{"ReadYourWrites", kvReadYourWrites},
		{"WriteWhileIterating", kvWriteWhileIterating},
		{"CallerBuffersReusable", kvCallerBuffersReusable},
		{"SliceLifetimes", kvSliceLifetimes},
		{"LargeValueAndManyKeys", kvLargeValueAndManyKeys},
		{"ConcurrentIncrements", kvConcurrentIncrements},
		{"ConcurrentFailuresIsolated", kvConcurrentFailuresIsolated},
		{"ViewSnapshot", kvViewSnapshot},
		{"ViewSeesConsistentSum", kvViewSeesConsistentSum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var errBoom = errors.New("storetest: boom")

func put(t *testing.T, s kv.Store, kvs ...string) {
	t.Helper()
	if err := s.Update(func(w kv.Writer) error {
		for i := 0; i+1 < len(kvs); i += 2 {
			if err := w.Put([]byte(kvs[i]), []byte(kvs[i+1])); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("put: %v", err)
	}
}

// lookup returns the value of key and whether it exists. Update functions use
// it (and collect) rather than t.Fatal: they may run on another goroutine.
func lookup(r kv.Reader, key string) (string, bool, error) {
	v, err := r.Get([]byte(key))
	if errors.Is(err, kv.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("get %q: %w", key, err)
	}
	return string(v), true, nil
}

// get is lookup for View functions, which run on the test's goroutine.
func get(t *testing.T, r kv.Reader, key string) (string, bool) {
	t.Helper()
	v, ok, err := lookup(r, key)
	if err != nil {
		t.Fatal(err)
	}
	return v, ok
}

func viewGet(t *testing.T, s kv.Store, key string) (v string, ok bool) {
	t.Helper()
	if err := s.View(func(r kv.Reader) error { v, ok = get(t, r, key); return nil }); err != nil {
		t.Fatalf("view: %v", err)
	}
	return v, ok
}

// collect returns "k=v" for every pair in [start, end).
func collect(r kv.Reader, start, end []byte) ([]string, error) {
	var out []string
	err := r.Iterate(start, end, func(k, v []byte) (bool, error) {
		out = append(out, string(k)+"="+string(v))
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("iterate: %w", err)
	}
	return out, nil
}

// scan is collect for View functions.
func scan(t *testing.T, r kv.Reader, start, end []byte) []string {
	t.Helper()
	out, err := collect(r, start, end)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameScan reports a difference between two scans as an error.
func sameScan(what string, got []string, want ...string) error {
	if (len(got) != 0 || len(want) != 0) && !slices.Equal(got, want) {
		return fmt.Errorf("%s: got %q, want %q", what, got, want)
	}
	return nil
}

func viewScan(t *testing.T, s kv.Store, start, end []byte) (out []string) {
	t.Helper()
	if err := s.View(func(r kv.Reader) error { out = scan(t, r, start, end); return nil }); err != nil {
		t.Fatalf("view: %v", err)
	}
	return out
}

func wantScan(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}

func kvPutGetDelete(t *testing.T, s kv.Store) {
	put(t, s, "a", "1")
	if v, ok := viewGet(t, s, "a"); !ok || v != "1" {
		t.Fatalf("after put: got %q %v, want 1", v, ok)
	}
	put(t, s, "a", "2")
	if v, _ := viewGet(t, s, "a"); v != "2" {
		t.Fatalf("after overwrite: got %q, want 2", v)
	}
	if err := s.Update(func(w kv.Writer) error { return w.Delete([]byte("a")) }); err != nil {
		t.Fatal(err)
	}
	if _, ok := viewGet(t, s, "a"); ok {
		t.Fatal("deleted key still readable")
	}
	if err := s.Update(func(w kv.Writer) error { return w.Delete([]byte("never-existed")) }); err != nil {
		t.Fatalf("deleting a missing key: %v", err)
	}
}

func kvNotFound(t *testing.T, s kv.Store) {
	put(t, s, "present", "x")
	check := func(r kv.Reader) error {
		for _, k := range []string{"missing", "presen", "present\x00", "\xff"} {
			if v, err := r.Get([]byte(k)); !errors.Is(err, kv.ErrNotFound) {
				return fmt.Errorf("get %q: got %q, %v; want kv.ErrNotFound", k, v, err)
			}
		}
		return nil
	}
	if err := s.View(check); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(w kv.Writer) error { return check(w) }); err != nil {
		t.Fatal(err)
	}
}

func kvEmptyValue(t *testing.T, s kv.Store) {
	if err := s.Update(func(w kv.Writer) error {
		if err := w.Put([]byte("nil"), nil); err != nil {
			return err
		}
		return w.Put([]byte("empty"), []byte{})
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"nil", "empty"} {
		if v, ok := viewGet(t, s, k); !ok || v != "" {
			t.Fatalf("%s: got %q exists=%v, want empty existing value", k, v, ok)
		}
	}
	wantScan(t, "scan", viewScan(t, s, nil, nil), "empty=", "nil=")
}

func kvByteOrder(t *testing.T, s kv.Store) {
	keys := []string{"b", "a\xff", "a", "a\x00", "a\x01", "\x00", "ab", "aa\xff", "\xff\xff"}
	for _, k := range keys {
		put(t, s, k, "v")
	}
	var want []string
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, func(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) })
	for _, k := range sorted {
		want = append(want, k+"=v")
	}
	wantScan(t, "byte order", viewScan(t, s, nil, nil), want...)
}

func kvIterateBounds(t *testing.T, s kv.Store) {
	// Insert in shuffled order; iteration must come out sorted.
	var keys []string
	for i := range 20 {
		keys = append(keys, fmt.Sprintf("k%02d", i))
	}
	perm := rand.Perm(len(keys))
	for _, i := range perm {
		put(t, s, keys[i], strconv.Itoa(i))
	}
	all := make([]string, len(keys))
	for i, k := range keys {
		all[i] = k + "=" + strconv.Itoa(i)
	}
	b := func(s string) []byte { return []byte(s) }
	tests := []struct {
		name       string
		start, end []byte
		want       []string
	}{
		{"everything", nil, nil, all},
		{"start inclusive", b("k05"), nil, all[5:]},
		{"end exclusive", b("k05"), b("k08"), all[5:8]},
		{"start between keys", b("k05a"), b("k08"), all[6:8]},
		{"end between keys", b("k05"), b("k07a"), all[5:8]},
		{"nil start", nil, b("k03"), all[:3]},
		{"empty start", b(""), b("k03"), all[:3]},
		{"start past last", b("l"), nil, nil},
		{"end before first", nil, b("a"), nil},
		{"start equals end", b("k05"), b("k05"), nil},
		{"start after end", b("k08"), b("k05"), nil},
		{"prefix range", b("k1"), b("k2"), all[10:20]},
	}
	for _, tc := range tests {
		wantScan(t, tc.name+" (view)", viewScan(t, s, tc.start, tc.end), tc.want...)
		var got []string
		if err := s.Update(func(w kv.Writer) (err error) { got, err = collect(w, tc.start, tc.end); return err }); err != nil {
			t.Fatal(err)
		}
		wantScan(t, tc.name+" (update)", got, tc.want...)
	}
}

func kvIterateStopAndError(t *testing.T, s kv.Store) {
	for i := range 10 {
		put(t, s, fmt.Sprintf("k%d", i), "v")
	}
	if err := s.View(func(r kv.Reader) error {
		n := 0
		if err := r.Iterate(nil, nil, func(k, v []byte) (bool, error) {
			n++
			return n < 3, nil
		}); err != nil {
			return err
		}
		if n != 3 {
			return fmt.Errorf("callback ran %d times after returning false on the 3rd, want 3", n)
		}
		n = 0
		err := r.Iterate(nil, nil, func(k, v []byte) (bool, error) {
			n++
			if n == 4 {
				return true, errBoom
			}
			return true, nil
		})
		if !errors.Is(err, errBoom) || n != 4 {
			return fmt.Errorf("callback error: got %v after %d calls, want errBoom after 4", err, n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func kvUpdateErrorIsAtomic(t *testing.T, s kv.Store) {
	put(t, s, "keep", "orig", "del", "here")
	err := s.Update(func(w kv.Writer) error {
		for _, op := range []error{
			w.Put([]byte("new"), []byte("x")),
			w.Put([]byte("keep"), []byte("changed")),
			w.Delete([]byte("del")),
			w.Put([]byte("new2"), []byte("y")),
		} {
			if op != nil {
				return op
			}
		}
		return fmt.Errorf("wrapped: %w", errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update returned %v, want the function's error", err)
	}
	wantScan(t, "after failed update", viewScan(t, s, nil, nil), "del=here", "keep=orig")
	// The store still works and the next Update sees the original state.
	if err := s.Update(func(w kv.Writer) error {
		if v, _, err := lookup(w, "keep"); err != nil || v != "orig" {
			return fmt.Errorf("next update sees keep=%q (%v), want orig", v, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func kvUpdatePanicIsAtomic(t *testing.T, s kv.Store) {
	put(t, s, "keep", "orig")
	got := func() (p any) {
		defer func() { p = recover() }()
		s.Update(func(w kv.Writer) error {
			w.Put([]byte("keep"), []byte("changed"))
			w.Put([]byte("new"), []byte("x"))
			panic("storetest panic")
		})
		return nil
	}()
	if got != "storetest panic" {
		t.Fatalf("Update with a panicking function: recovered %v, want the panic value", got)
	}
	wantScan(t, "after panic", viewScan(t, s, nil, nil), "keep=orig")
	put(t, s, "after", "ok")
	wantScan(t, "store still works", viewScan(t, s, nil, nil), "after=ok", "keep=orig")
}

func kvReadYourWrites(t *testing.T, s kv.Store) {
	put(t, s, "a", "1", "b", "2", "c", "3", "d", "4")
	if err := s.Update(func(w kv.Writer) error {
		w.Put([]byte("b"), []byte("22"))
		w.Delete([]byte("c"))
		w.Put([]byte("bb"), []byte("new"))
		w.Put([]byte("e"), []byte("5"))
		w.Delete([]byte("e"))
		w.Delete([]byte("a"))
		w.Put([]byte("a"), []byte("again"))
		for key, want := range map[string]string{"a": "again", "b": "22", "bb": "new", "d": "4"} {
			if v, ok, err := lookup(w, key); err != nil || !ok || v != want {
				return fmt.Errorf("get %s inside update: %q exists=%v err=%v, want %q", key, v, ok, err, want)
			}
		}
		for _, key := range []string{"c", "e"} {
			if _, ok, err := lookup(w, key); err != nil || ok {
				return fmt.Errorf("deleted key %s readable inside update (err=%v)", key, err)
			}
		}
		got, err := collect(w, nil, nil)
		if err != nil {
			return err
		}
		if err := sameScan("scan inside update", got, "a=again", "b=22", "bb=new", "d=4"); err != nil {
			return err
		}
		if got, err = collect(w, []byte("b"), []byte("c")); err != nil {
			return err
		}
		return sameScan("bounded scan inside update", got, "b=22", "bb=new")
	}); err != nil {
		t.Fatal(err)
	}
	wantScan(t, "after commit", viewScan(t, s, nil, nil), "a=again", "b=22", "bb=new", "d=4")
}

func kvWriteWhileIterating(t *testing.T, s kv.Store) {
	for i := range 50 {
		put(t, s, fmt.Sprintf("old/%02d", i), "v")
	}
	// Moving keys from one prefix to another from inside the callback, the
	// way a service deletes a range, must neither skip nor repeat keys.
	var visited []string
	if err := s.Update(func(w kv.Writer) error {
		return w.Iterate([]byte("old/"), []byte("old0"), func(k, v []byte) (bool, error) {
			visited = append(visited, string(k))
			if err := w.Delete(k); err != nil {
				return false, err
			}
			return true, w.Put([]byte("new/"+string(k[4:])), v)
		})
	}); err != nil {
		t.Fatal(err)
	}
	if len(visited) != 50 || visited[0] != "old/00" || visited[49] != "old/49" {
		t.Fatalf("visited %d keys %q, want old/00..old/49 once each", len(visited), visited)
	}
	if got := viewScan(t, s, []byte("old/"), []byte("old0")); len(got) != 0 {
		t.Fatalf("old keys left: %q", got)
	}
	if got := viewScan(t, s, []byte("new/"), []byte("new0")); len(got) != 50 {
		t.Fatalf("moved %d keys, want 50", len(got))
	}
}

func kvCallerBuffersReusable(t *testing.T, s kv.Store) {
	key, val := []byte("key1"), []byte("value1")
	if err := s.Update(func(w kv.Writer) error {
		if err := w.Put(key, val); err != nil {
			return err
		}
		copy(key, "XXXX")
		copy(val, "XXXXXX")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantScan(t, "after reusing buffers", viewScan(t, s, nil, nil), "key1=value1")
}

// kvSliceLifetimes: a Get result lives until the transaction ends, through
// later Gets and scans; an Iterate pair is whole while its callback runs,
// also when the callback reads other keys (its slices may die when the
// callback returns, so nothing here keeps them).
func kvSliceLifetimes(t *testing.T, s kv.Store) {
	want := map[string]string{}
	var pairs []string
	for i := range 300 {
		k, v := fmt.Sprintf("k%03d", i), fmt.Sprintf("%0400d", i)
		want[k] = v
		pairs = append(pairs, k, v)
	}
	put(t, s, pairs...)
	check := func(r kv.Reader) error {
		g1, _ := r.Get([]byte("k001"))
		g2, _ := r.Get([]byte("k002"))
		r.Get([]byte("k003"))
		n := 0
		if err := r.Iterate(nil, nil, func(k, v []byte) (bool, error) {
			if want[string(k)] != string(v) {
				return false, fmt.Errorf("pair %d in its callback: %q=%.20q…", n, k, v)
			}
			if n%50 == 0 {
				other := fmt.Sprintf("k%03d", 299-n)
				if g, err := r.Get([]byte(other)); err != nil || string(g) != want[other] {
					return false, fmt.Errorf("get %s inside a scan: %v", other, err)
				}
				if want[string(k)] != string(v) {
					return false, fmt.Errorf("pair %d changed when its callback read another key: %q", n, k)
				}
			}
			n++
			return true, nil
		}); err != nil {
			return err
		}
		if n != len(want) {
			return fmt.Errorf("iterated %d keys, want %d", n, len(want))
		}
		if string(g1) != want["k001"] || string(g2) != want["k002"] {
			return errors.New("a Get result changed after later Gets and a scan")
		}
		return nil
	}
	if err := s.View(check); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(w kv.Writer) error { return check(w) }); err != nil {
		t.Fatal(err)
	}
}

func kvLargeValueAndManyKeys(t *testing.T, s kv.Store) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	if err := s.Update(func(w kv.Writer) error {
		if err := w.Put([]byte("big"), big); err != nil {
			return err
		}
		for i := range 5000 {
			if err := w.Put(fmt.Appendf(nil, "many/%05d", i), []byte("v")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if v, _ := viewGet(t, s, "big"); v != string(big) {
		t.Fatalf("1 MiB value came back as %d bytes", len(v))
	}
	if got := viewScan(t, s, []byte("many/"), []byte("many0")); len(got) != 5000 || got[4999] != "many/04999=v" {
		t.Fatalf("scanned %d keys, want 5000", len(got))
	}
}

// kvConcurrentIncrements: read-modify-write Updates from many goroutines
// lose nothing, which only holds if Updates are serializable.
func kvConcurrentIncrements(t *testing.T, s kv.Store) {
	const workers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := s.Update(func(w kv.Writer) error {
					for _, key := range []string{"counter", "counter/" + strconv.Itoa(g)} {
						if err := increment(w, key); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if v, _ := viewGet(t, s, "counter"); v != strconv.Itoa(workers*each) {
		t.Fatalf("counter = %s after %d increments", v, workers*each)
	}
	for g := range workers {
		if v, _ := viewGet(t, s, "counter/"+strconv.Itoa(g)); v != strconv.Itoa(each) {
			t.Fatalf("counter/%d = %s, want %d", g, v, each)
		}
	}
}

func increment(w kv.Writer, key string) error {
	n := 0
	v, err := w.Get([]byte(key))
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(v)); err != nil {
			return err
		}
	case !errors.Is(err, kv.ErrNotFound):
		return err
	}
	return w.Put([]byte(key), []byte(strconv.Itoa(n+1)))
}

// kvConcurrentFailuresIsolated: when Updates that fail run alongside ones that
// succeed (and may share a group commit with them), the failed ones leave no
// trace and the others are all applied.
func kvConcurrentFailuresIsolated(t *testing.T, s kv.Store) {
	const workers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				fail := (g+i)%2 == 1
				err := s.Update(func(w kv.Writer) error {
					if err := increment(w, "succeeded"); err != nil {
						return err
					}
					if err := w.Put(fmt.Appendf(nil, "item/%02d/%02d", g, i), []byte("x")); err != nil {
						return err
					}
					if fail {
						return errBoom
					}
					return nil
				})
				if fail != errors.Is(err, errBoom) || (!fail && err != nil) {
					errs <- fmt.Errorf("update %d/%d (fail=%v) returned %v", g, i, fail, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if v, _ := viewGet(t, s, "succeeded"); v != strconv.Itoa(workers*each/2) {
		t.Fatalf("succeeded = %s, want %d", v, workers*each/2)
	}
	items := viewScan(t, s, []byte("item/"), []byte("item0"))
	if len(items) != workers*each/2 {
		t.Fatalf("%d items stored, want %d", len(items), workers*each/2)
	}
	for _, it := range items {
		var g, i int
		fmt.Sscanf(it, "item/%d/%d=x", &g, &i)
		if (g+i)%2 == 1 {
			t.Fatalf("item from a failed update is visible: %s", it)
		}
	}
}

// kvViewSnapshot: a View keeps seeing the state it started with while an
// Update commits. Stores that make Update wait for running Views pass too.
func kvViewSnapshot(t *testing.T, s kv.Store) {
	put(t, s, "a", "before", "b", "before")
	updated := make(chan error, 1)
	if err := s.View(func(r kv.Reader) error {
		if v, _ := get(t, r, "a"); v != "before" {
			return fmt.Errorf("a = %q at start", v)
		}
		go func() {
			updated <- s.Update(func(w kv.Writer) error {
				w.Put([]byte("a"), []byte("after"))
				w.Delete([]byte("b"))
				return w.Put([]byte("c"), []byte("after"))
			})
		}()
		select {
		case err := <-updated:
			updated <- err
		case <-time.After(100 * time.Millisecond):
		}
		if v, _ := get(t, r, "a"); v != "before" {
			return fmt.Errorf("view saw a = %q committed after it began", v)
		}
		got := scan(t, r, nil, nil)
		if !slices.Equal(got, []string{"a=before", "b=before"}) {
			return fmt.Errorf("view scan saw %q, want its starting snapshot", got)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := <-updated; err != nil {
		t.Fatal(err)
	}
	wantScan(t, "after the view", viewScan(t, s, nil, nil), "a=after", "c=after")
}

// kvViewSeesConsistentSum: transfers between accounts keep the total; every
// View, read key by key or by scan, must see the same total.
func kvViewSeesConsistentSum(t *testing.T, s kv.Store) {
	const accounts, total = 8, 800
	var pairs []string
	for i := range accounts {
		pairs = append(pairs, "acct/"+strconv.Itoa(i), strconv.Itoa(total/accounts))
	}
	put(t, s, pairs...)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				from, to := rng.IntN(accounts), rng.IntN(accounts)
				if err := s.Update(func(w kv.Writer) error {
					a, _ := w.Get([]byte("acct/" + strconv.Itoa(from)))
					na, _ := strconv.Atoi(string(a))
					if err := w.Put([]byte("acct/"+strconv.Itoa(from)), []byte(strconv.Itoa(na-1))); err != nil {
						return err
					}
					b, _ := w.Get([]byte("acct/" + strconv.Itoa(to)))
					nb, _ := strconv.Atoi(string(b))
					return w.Put([]byte("acct/"+strconv.Itoa(to)), []byte(strconv.Itoa(nb+1)))
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	views := 0
	for time.Now().Before(deadline) || views < 20 {
		views++
		if err := s.View(func(r kv.Reader) error {
			sumGet := 0
			for i := range accounts {
				v, _ := get(t, r, "acct/"+strconv.Itoa(i))
				n, _ := strconv.Atoi(v)
				sumGet += n
				if i == accounts/2 {
					time.Sleep(time.Millisecond) // let transfers commit mid-view
				}
			}
			sumScan := 0
			for _, kv := range scan(t, r, []byte("acct/"), []byte("acct0")) {
				n, _ := strconv.Atoi(kv[len("acct/0="):])
				sumScan += n
			}
			if sumGet != total || sumScan != total {
				return fmt.Errorf("view saw totals %d (get) and %d (scan), want %d", sumGet, sumScan, total)
			}
			return nil
		}); err != nil {
			close(stop)
			wg.Wait()
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
