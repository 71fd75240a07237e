// Package tieredblob is a blob.Store that keeps small blobs in an embedded
// pebble database and hands larger ones to fsblob.
//
// A blob file costs a new inode made durable: an fsync of the file plus a
// share of a directory fsync. For small bodies that cost is everything, and
// it caps file commits at a few thousand per second no matter how many run at
// once (see internal/storage/doc.go). Pebble appends a small blob to its
// write-ahead log instead, and concurrent commits share one fdatasync (its
// commit pipeline groups them), so small commits scale with concurrency.
//
// The writer buffers up to the threshold in memory; a blob that outgrows it
// is streamed to fsblob from then on. Small blob ids are "s" + 32 hex digits,
// file blob ids are fsblob's (32 hex digits), so an id says where it lives.
package tieredblob

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/blob/fsblob"
	"github.com/tributary-dev/tributary/internal/storage/internal/pebblelog"
)

// DefaultThreshold is the largest blob kept in pebble. Bodies above it gain
// little from the log (their data write dominates) and would only add to
// pebble's compaction work.
const DefaultThreshold = 32 << 10

// Subdirectories of the store's directory.
const (
	SmallDir = "small" // pebble
	FilesDir = "files" // fsblob
)

const smallIDLen = 1 + 32

var errWriterDone = errors.New("blob: writer already committed or aborted")

// Store is the tiered blob store. Close it to close its pebble database.
type Store struct {
	db        *pebble.DB
	files     blob.Store
	threshold int
	// mu makes Close wait for operations on db: pebble panics when a closed
	// database is used.
	mu     sync.RWMutex
	closed bool
}

var errClosed = errors.New("blob: store closed")

// use runs fn with the database open, or fails if the store is closed.
func (s *Store) use(fn func() error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	return fn()
}

var _ blob.Store = (*Store)(nil)

// Open opens (creating if needed) the store in dir. Blobs of at most
// threshold bytes go to pebble.
func Open(dir string, threshold int) (*Store, error) {
	files, err := fsblob.Open(filepath.Join(dir, FilesDir))
	if err != nil {
		return nil, err
	}
	cache := pebble.NewCache(8 << 20)
	defer cache.Unref()
	db, err := pebble.Open(filepath.Join(dir, SmallDir), &pebble.Options{
		Cache:              cache,
		Logger:             pebblelog.Logger{},
		FormatMajorVersion: pebble.FormatNewest,
		MemTableSize:       32 << 20,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", dir, err)
	}
	return &Store{db: db, files: files, threshold: threshold}, nil
}

// Close closes the pebble database. Readers of small blobs stay usable.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.db.Close()
}

// isSmall reports whether id names a blob kept in pebble.
func isSmall(id string) bool {
	if len(id) != smallIDLen || id[0] != 's' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s *Store) Create() (blob.Writer, error) { return &writer{s: s}, nil }

func (s *Store) Open(id string) (blob.Reader, error) {
	if !isSmall(id) {
		return s.files.Open(id)
	}
	var data []byte
	err := s.use(func() error {
		v, closer, err := s.db.Get([]byte(id))
		if err != nil {
			return err
		}
		data = bytes.Clone(v)
		return closer.Close()
	})
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, blob.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", id, err)
	}
	return smallReader{bytes.NewReader(data)}, nil
}

// Delete removes a blob. Like fsblob's, a small blob's removal is not synced:
// one that comes back after a crash is an orphan for the sweep.
func (s *Store) Delete(id string) error {
	if !isSmall(id) {
		return s.files.Delete(id)
	}
	if err := s.use(func() error { return s.db.Delete([]byte(id), pebble.NoSync) }); err != nil {
		return fmt.Errorf("blob: delete %s: %w", id, err)
	}
	return nil
}

// Walk lists the small blobs, then the files. The small ones are collected
// first, so fn may delete blobs or take its time without holding pebble.
func (s *Store) Walk(fn func(id string) error) error {
	var ids []string
	if err := s.use(func() error {
		it, err := s.db.NewIter(nil)
		if err != nil {
			return err
		}
		for ok := it.First(); ok; ok = it.Next() {
			if id := string(it.Key()); isSmall(id) {
				ids = append(ids, id)
			}
		}
		return it.Close()
	}); err != nil {
		return fmt.Errorf("blob: walk: %w", err)
	}
	for _, id := range ids {
		if err := fn(id); err != nil {
			return err
		}
	}
	return s.files.Walk(fn)
}

type writer struct {
	s     *Store
	buf   []byte
	spill blob.Writer // the fsblob writer once the blob outgrew the threshold
	done  bool
}

func (w *writer) Write(p []byte) (int, error) {
	switch {
	case w.done:
		return 0, errWriterDone
	case w.spill != nil:
		return w.spill.Write(p)
	case len(w.buf)+len(p) <= w.s.threshold:
		w.buf = append(w.buf, p...)
		return len(p), nil
	}
	spill, err := w.s.files.Create()
	if err != nil {
		return 0, err
	}
	w.spill = spill
	if _, err := spill.Write(w.buf); err != nil {
		return 0, err
	}
	w.buf = nil
	return spill.Write(p)
}

func (w *writer) Commit() (string, int64, error) {
	if w.done {
		return "", 0, errWriterDone
	}
	w.done = true
	if w.spill != nil {
		return w.spill.Commit()
	}
	var b [16]byte
	rand.Read(b[:])
	id := "s" + hex.EncodeToString(b[:])
	if err := w.s.use(func() error { return w.s.db.Set([]byte(id), w.buf, pebble.Sync) }); err != nil {
		return "", 0, fmt.Errorf("blob: commit: %w", err)
	}
	return id, int64(len(w.buf)), nil
}

func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.buf = nil
	if w.spill != nil {
		return w.spill.Abort()
	}
	return nil
}

// smallReader reads a small blob from memory.
type smallReader struct{ *bytes.Reader }

func (smallReader) Close() error  { return nil }
func (r smallReader) Size() int64 { return r.Reader.Size() }
