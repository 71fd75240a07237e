// Package boltkv implements kv.Store on go.etcd.io/bbolt: one B+tree file,
// memory-mapped reads, copy-on-write commits (two fdatasyncs per commit).
//
// Update goes through a group committer: concurrent Updates run one after
// another inside one bolt write transaction that commits once. A function that
// fails is rolled back alone with an undo log, so it does not cost the group
// its commit (bolt has no savepoints).
package boltkv

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/kv/internal/groupcommit"
)

// bucketName holds every key; kv has one flat, ordered key space.
var bucketName = []byte("kv")

// maxGroup bounds how many Updates share one commit, so one group cannot
// hold the writer for long.
const maxGroup = 256

type store struct {
	db    *bolt.DB
	queue *groupcommit.Queue
}

// Open opens (creating if needed) the bolt file at path.
func Open(path string) (kv.Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		// Another process holding the file lock is an error, not a hang.
		Timeout: 5 * time.Second,
		// The freelist is rebuilt on open instead of written on every commit.
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
		// A large initial map means writers rarely remap, and a remap waits
		// for every open read transaction.
		InitialMmapSize: 1 << 30,
		NoStatistics:    true,
	})
	if err != nil {
		return nil, fmt.Errorf("kv: open bolt %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketName)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("kv: init bolt %s: %w", path, err)
	}
	s := &store{db: db}
	s.queue = groupcommit.Start(s.exec, maxGroup)
	return s, nil
}

func (s *store) View(fn func(kv.Reader) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return fn(&reader{b: tx.Bucket(bucketName)})
	})
}

func (s *store) Update(fn func(kv.Writer) error) error { return s.queue.Do(fn) }

func (s *store) Close() error {
	s.queue.Close()
	return s.db.Close()
}

// exec runs one group in one write transaction.
func (s *store) exec(group []*groupcommit.Request) {
	tx, err := s.db.Begin(true)
	if err != nil {
		for _, r := range group {
			r.Fail(fmt.Errorf("kv: begin: %w", err))
		}
		return
	}
	b := tx.Bucket(bucketName)
	wrote := false
	for _, r := range group {
		w := &writer{reader: reader{b: b}}
		if r.Run(w) {
			wrote = wrote || w.writes > 0
			continue
		}
		if err := w.undo(); err != nil {
			// The transaction holds writes it cannot take back: drop the
			// whole group rather than commit them.
			tx.Rollback()
			for _, r := range group {
				r.Fail(fmt.Errorf("kv: undo failed update: %w", err))
			}
			return
		}
	}
	if !wrote {
		tx.Rollback() // read-only group: nothing to make durable
		return
	}
	if err := tx.Commit(); err != nil {
		for _, r := range group {
			r.Fail(fmt.Errorf("kv: commit: %w", err))
		}
	}
}

type reader struct {
	b      *bolt.Bucket
	writes int // bumped by writer; lets Iterate notice writes made from its callback
}

func (r *reader) Get(key []byte) ([]byte, error) {
	// A cursor tells an empty value from a missing key unambiguously.
	k, v := r.b.Cursor().Seek(key)
	if k == nil || !bytes.Equal(k, key) {
		return nil, kv.ErrNotFound
	}
	return v, nil
}

func (r *reader) Iterate(start, end []byte, fn func(key, value []byte) (bool, error)) error {
	c := r.b.Cursor()
	k, v := c.Seek(start)
	for k != nil && (end == nil || bytes.Compare(k, end) < 0) {
		before := r.writes
		cont, err := fn(k, v)
		if err != nil || !cont {
			return err
		}
		if r.writes != before {
			// A write from the callback may have moved the cursor's page:
			// reposition after the key just visited.
			prev := bytes.Clone(k)
			k, v = c.Seek(prev)
			if k != nil && bytes.Equal(k, prev) {
				k, v = c.Next()
			}
			continue
		}
		k, v = c.Next()
	}
	return nil
}

// writer applies writes to the group's transaction directly and keeps an undo
// log so a failed function can be taken back without losing the group.
type writer struct {
	reader
	undoLog []undoEntry
}

type undoEntry struct {
	key     []byte
	value   []byte
	existed bool
}

func (w *writer) remember(key []byte) {
	old, err := w.Get(key)
	e := undoEntry{key: key, existed: err == nil}
	if e.existed {
		e.value = bytes.Clone(old)
	}
	w.undoLog = append(w.undoLog, e)
}

func (w *writer) Put(key, value []byte) error {
	// bolt keeps the slices until commit; the caller may reuse its buffers.
	key, value = bytes.Clone(key), bytes.Clone(value)
	if value == nil {
		value = []byte{}
	}
	w.remember(key)
	if err := w.b.Put(key, value); err != nil {
		w.undoLog = w.undoLog[:len(w.undoLog)-1]
		return fmt.Errorf("kv: put: %w", err)
	}
	w.writes++
	return nil
}

func (w *writer) Delete(key []byte) error {
	key = bytes.Clone(key)
	w.remember(key)
	if err := w.b.Delete(key); err != nil {
		w.undoLog = w.undoLog[:len(w.undoLog)-1]
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
			errs = append(errs, w.b.Put(e.key, e.value))
		} else {
			errs = append(errs, w.b.Delete(e.key))
		}
	}
	return errors.Join(errs...)
}
