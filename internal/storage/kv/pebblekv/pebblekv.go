// Package pebblekv implements kv.Store on github.com/cockroachdb/pebble/v2, an
// LSM tree with a write-ahead log: a commit is one append and one fdatasync.
//
// Pebble has no transactions, so Update goes through a group committer: one
// goroutine runs the queued functions one after another over a single indexed
// batch (each function reads the database plus every earlier function's
// writes), then commits the batch with one synced write. That order is a
// serial order, so Updates are serializable. A function that fails is taken
// back with an undo log (pebble batches have no savepoints), so it does not
// cost the rest of the group its commit.
package pebblekv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/tributary-dev/tributary/internal/storage/internal/pebblelog"
	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/kv/internal/groupcommit"
)

// maxGroup bounds how many Updates share one commit.
const maxGroup = 256

// cacheSize is pebble's block cache.
const cacheSize = 64 << 20

type store struct {
	db    *pebble.DB
	queue *groupcommit.Queue
	// mu makes Close wait for running Views: pebble panics when a closed
	// database is read.
	mu     sync.RWMutex
	closed bool
}

// Open opens (creating if needed) a pebble database in dir.
func Open(dir string) (kv.Store, error) {
	cache := pebble.NewCache(cacheSize)
	defer cache.Unref() // the DB holds its own reference
	db, err := pebble.Open(dir, &pebble.Options{
		Cache:              cache,
		Logger:             pebblelog.Logger{},
		FormatMajorVersion: pebble.FormatNewest,
		MemTableSize:       32 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("kv: open pebble %s: %w", dir, err)
	}
	s := &store{db: db}
	s.queue = groupcommit.Start(s.exec, maxGroup)
	return s, nil
}

func (s *store) View(fn func(kv.Reader) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return groupcommit.ErrClosed
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()
	return fn(&reader{src: snap})
}

func (s *store) Update(fn func(kv.Writer) error) error { return s.queue.Do(fn) }

func (s *store) Close() error {
	s.queue.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.db.Close()
}

// exec runs one group over one indexed batch and commits it with one sync.
func (s *store) exec(group []*groupcommit.Request) {
	b := s.db.NewIndexedBatch()
	defer b.Close()
	wrote := false
	for _, r := range group {
		w := &writer{reader: reader{src: b}, b: b}
		if r.Run(w) {
			wrote = wrote || w.writes > 0
			continue
		}
		if err := w.undo(); err != nil {
			for _, r := range group {
				r.Fail(fmt.Errorf("kv: undo failed update: %w", err))
			}
			return
		}
	}
	if !wrote {
		return // read-only group: nothing to make durable
	}
	if err := b.Commit(pebble.Sync); err != nil {
		for _, r := range group {
			r.Fail(fmt.Errorf("kv: commit: %w", err))
		}
	}
}

// source is what a transaction reads: a snapshot (View) or the group's
// indexed batch layered over the database (Update).
type source interface {
	Get(key []byte) ([]byte, io.Closer, error)
	NewIter(o *pebble.IterOptions) (*pebble.Iterator, error)
}

type reader struct {
	src   source
	arena arena
}

func (r *reader) Get(key []byte) ([]byte, error) {
	v, closer, err := r.src.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, kv.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("kv: get: %w", err)
	}
	// pebble's slice dies with closer; kv promises it lives as long as the
	// transaction.
	out := r.arena.copy(v)
	closer.Close()
	return out, nil
}

func (r *reader) Iterate(start, end []byte, fn func(key, value []byte) (bool, error)) error {
	if end != nil && bytes.Compare(start, end) >= 0 {
		return nil
	}
	opts := &pebble.IterOptions{UpperBound: bytes.Clone(end)}
	if len(start) > 0 {
		// An empty lower bound means none; pebble's race-build invariant
		// checks index a non-nil bound's first byte.
		opts.LowerBound = bytes.Clone(start)
	}
	it, err := r.src.NewIter(opts)
	if err != nil {
		return fmt.Errorf("kv: iterate: %w", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			it.Close()
			return fmt.Errorf("kv: iterate: %w", err)
		}
		// Straight from the iterator: kv's slices from Iterate live only
		// until fn returns, and the iterator keeps them until Next.
		cont, err := fn(it.Key(), v)
		if err != nil || !cont {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("kv: iterate: %w", err)
	}
	return nil
}

// writer writes into the group's batch and keeps an undo log so a failed
// function can be taken back without losing the group.
type writer struct {
	reader
	b       *pebble.Batch
	undoLog []undoEntry
	writes  int
}

type undoEntry struct {
	key     []byte
	value   []byte
	existed bool
}

func (w *writer) remember(key []byte) error {
	v, closer, err := w.b.Get(key)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		w.undoLog = append(w.undoLog, undoEntry{key: bytes.Clone(key)})
		return nil
	case err != nil:
		return err
	}
	w.undoLog = append(w.undoLog, undoEntry{key: bytes.Clone(key), value: bytes.Clone(v), existed: true})
	return closer.Close()
}

func (w *writer) Put(key, value []byte) error {
	if err := w.remember(key); err != nil {
		return fmt.Errorf("kv: put: %w", err)
	}
	if err := w.b.Set(key, value, nil); err != nil { // Set copies key and value
		return fmt.Errorf("kv: put: %w", err)
	}
	w.writes++
	return nil
}

func (w *writer) Delete(key []byte) error {
	if err := w.remember(key); err != nil {
		return fmt.Errorf("kv: delete: %w", err)
	}
	if err := w.b.Delete(key, nil); err != nil {
		return fmt.Errorf("kv: delete: %w", err)
	}
	w.writes++
	return nil
}

// undo restores every key the failed function touched, newest write first.
func (w *writer) undo() error {
	var errs []error
	for i := len(w.undoLog) - 1; i >= 0; i-- {
		e := w.undoLog[i]
		if e.existed {
			errs = append(errs, w.b.Set(e.key, e.value, nil))
		} else {
			errs = append(errs, w.b.Delete(e.key, nil))
		}
	}
	return errors.Join(errs...)
}

// arena hands out copies of Get results (which kv promises live as long as
// the transaction) carved from shared chunks, so a transaction that reads a
// thousand records costs a few allocations, not a thousand. Chunks start
// small (a View that reads one key allocates about one value) and double up
// to arenaMaxChunk.
type arena struct {
	buf  []byte
	next int // size of the next chunk
}

const (
	arenaMinChunk = 1 << 10
	arenaMaxChunk = 64 << 10
)

func (a *arena) copy(b []byte) []byte {
	if len(b) > arenaMaxChunk/4 {
		return bytes.Clone(b)
	}
	if cap(a.buf)-len(a.buf) < len(b) {
		a.next = min(max(a.next*2, arenaMinChunk), arenaMaxChunk)
		a.buf = make([]byte, 0, max(a.next, len(b)))
	}
	n := len(a.buf)
	a.buf = append(a.buf, b...)
	return a.buf[n:len(a.buf):len(a.buf)]
}
