package fsblob

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDirSyncerCoversEveryCaller checks the one property Commit relies on:
// sync returns only after an fsync that started after sync was called, while
// concurrent callers share fsyncs.
func TestDirSyncerCoversEveryCaller(t *testing.T) {
	var clock atomic.Int64 // logical time: every event takes a tick
	var fsyncs, inFlight atomic.Int64
	var lastStart atomic.Int64 // start tick of the latest finished fsync
	d := &dirSyncer{syncFn: func(string) error {
		if inFlight.Add(1) != 1 {
			t.Error("two fsyncs of one directory ran at once")
		}
		startTick := clock.Add(1)
		time.Sleep(2 * time.Millisecond)
		fsyncs.Add(1)
		inFlight.Add(-1)
		lastStart.Store(startTick)
		return nil
	}}
	const callers, each = 16, 20
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				called := clock.Add(1)
				if err := d.sync(); err != nil {
					t.Error(err)
					return
				}
				// The fsync that covered us started after we were called.
				if covered := lastStart.Load(); covered < called {
					t.Errorf("sync called at tick %d returned after an fsync that started at tick %d", called, covered)
				}
			}
		}()
	}
	wg.Wait()
	if n := fsyncs.Load(); n >= callers*each/2 {
		t.Errorf("%d fsyncs for %d concurrent sync calls: not coalesced", n, callers*each)
	}
}

func TestDirSyncerErrorIsSticky(t *testing.T) {
	fail := errors.New("disk gone")
	calls := 0
	d := &dirSyncer{syncFn: func(string) error {
		calls++
		if calls == 1 {
			return fail
		}
		return nil
	}}
	for i := range 3 {
		if err := d.sync(); !errors.Is(err, fail) {
			t.Fatalf("sync %d after a failed fsync = %v, want the failure", i, err)
		}
	}
}
