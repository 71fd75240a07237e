package groupcommit

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// recorder is an Exec that runs each group's functions and remembers the
// group sizes; commitErr, if set, fails every group's commit.
type recorder struct {
	mu        sync.Mutex
	sizes     []int
	delay     time.Duration
	commitErr error
}

func (rec *recorder) exec(group []*Request) {
	rec.mu.Lock()
	rec.sizes = append(rec.sizes, len(group))
	rec.mu.Unlock()
	for _, r := range group {
		r.Run(nil)
	}
	time.Sleep(rec.delay) // the "fsync"
	if rec.commitErr != nil {
		for _, r := range group {
			r.Fail(rec.commitErr)
		}
	}
}

func TestConcurrentUpdatesShareCommits(t *testing.T) {
	rec := &recorder{delay: 2 * time.Millisecond}
	q := Start(rec.exec, 64)
	defer q.Close()
	const workers, each = 16, 20
	var ran atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := q.Do(func(kv.Writer) error { ran.Add(1); return nil }); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if ran.Load() != workers*each {
		t.Fatalf("ran %d functions, want %d", ran.Load(), workers*each)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.sizes) >= workers*each/4 {
		t.Fatalf("%d commits for %d concurrent updates: average group below 4", len(rec.sizes), workers*each)
	}
	for _, n := range rec.sizes {
		if n > 64 {
			t.Fatalf("group of %d exceeds the maximum 64", n)
		}
	}
}

func TestLoneUpdateDoesNotWait(t *testing.T) {
	q := Start((&recorder{}).exec, 64)
	defer q.Close()
	start := time.Now()
	for range 100 {
		if err := q.Do(func(kv.Writer) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("100 sequential no-op updates took %v", d)
	}
}

func TestErrorsAndPanicsStayWithTheirCaller(t *testing.T) {
	boom := errors.New("boom")
	q := Start((&recorder{}).exec, 64)
	defer q.Close()
	if err := q.Do(func(kv.Writer) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Do = %v, want the function's error", err)
	}
	p := func() (p any) {
		defer func() { p = recover() }()
		q.Do(func(kv.Writer) error { panic("bad update") })
		return nil
	}()
	if p != "bad update" {
		t.Fatalf("recovered %v, want the function's panic", p)
	}
	// The committer survived.
	if err := q.Do(func(kv.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestCommitErrorReachesSucceededCallersOnly(t *testing.T) {
	commitErr, own := errors.New("disk full"), errors.New("own")
	q := Start((&recorder{commitErr: commitErr}).exec, 64)
	defer q.Close()
	if err := q.Do(func(kv.Writer) error { return nil }); !errors.Is(err, commitErr) {
		t.Fatalf("Do = %v, want the commit error", err)
	}
	if err := q.Do(func(kv.Writer) error { return own }); !errors.Is(err, own) {
		t.Fatalf("Do = %v, want the function's own error", err)
	}
}

func TestClose(t *testing.T) {
	q := Start((&recorder{}).exec, 64)
	q.Close()
	q.Close()
	if err := q.Do(func(kv.Writer) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Do after Close = %v, want ErrClosed", err)
	}
}
