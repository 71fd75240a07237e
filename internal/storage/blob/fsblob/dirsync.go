package fsblob

import (
	"fmt"
	"os"
	"sync"
)

// dirSyncer coalesces fsyncs of one directory. A caller that has just renamed
// a file into the directory needs an fsync that starts after its rename; one
// such fsync serves every caller that renamed before it started. So while an
// fsync runs, callers queue; when it ends, one of them starts the next fsync
// on behalf of all of them.
type dirSyncer struct {
	path string
	// syncFn fsyncs path; nil means syncDir (tests substitute a recorder).
	syncFn  func(path string) error
	mu      sync.Mutex
	cond    *sync.Cond // signalled when an fsync ends
	started uint64     // fsyncs started
	done    uint64     // fsyncs finished (they finish in order: one at a time)
	running bool
	// err is sticky: after a failed directory fsync nothing said about the
	// directory's durability can be trusted again (fsync errors are not
	// reliably reported twice).
	err error
}

// sync returns once an fsync of the directory that started after the call
// has finished.
func (d *dirSyncer) sync() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cond == nil {
		d.cond = sync.NewCond(&d.mu)
	}
	ticket := d.started + 1 // the first fsync that will start after now
	for d.done < ticket && d.err == nil {
		if d.running {
			d.cond.Wait()
			continue
		}
		d.running = true
		d.started++
		n := d.started
		d.mu.Unlock()
		fsync := d.syncFn
		if fsync == nil {
			fsync = syncDir
		}
		err := fsync(d.path)
		d.mu.Lock()
		d.running = false
		d.done = n
		if err != nil {
			d.err = err
		}
		d.cond.Broadcast()
	}
	return d.err
}

// syncDir fsyncs a directory, making the names created in it durable.
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	return d.Close()
}
