// Package fsblob implements blob.Store with one file per blob.
//
// On disk, under the store's directory:
//
//	tmp/            bodies being written (named temp files; on Linux they are
//	                anonymous O_TMPFILE files instead, see tempfile.go)
//	{ss}/{id}       committed blobs; id is 32 lower-case hex digits, ss = id[:2]
//
// Commit fsyncs the file, gives it its final name under a fresh random id
// (rename, or linkat of an anonymous O_TMPFILE on Linux), then fsyncs the
// shard directory so the name is durable before Commit returns. A blob is
// therefore never visible half-written, and one that Commit acknowledged
// survives a crash.
//
// The directory fsync is shared: concurrent commits into the same shard wait
// for one fsync that starts after their rename (dirSyncer). To keep
// concurrent commits in the same shard, the shard is not random: it is the
// current minute modulo 256, so the directories fill evenly over time while
// the commits of any one moment land together.
package fsblob

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/blob"
)

const (
	tmpDir      = "tmp"
	idLen       = 32 // hex digits: 2 for the shard, 30 (120 random bits) for uniqueness
	shardPeriod = time.Minute
	dirPerm     = 0o700
	filePerm    = 0o600
)

var errWriterDone = errors.New("blob: writer already committed or aborted")

// Store is a directory of blob files.
type Store struct {
	dir    string
	tmp    string
	temp   tempFiles
	shards [256]shard
}

// shard is one {ss} directory: created on first use, fsynced by its syncer.
type shard struct {
	mu      sync.Mutex
	created bool
	sync    dirSyncer
}

var _ blob.Store = (*Store)(nil)

// Open opens (creating if needed) the store in dir and removes temp files
// that a crash left behind.
func Open(dir string) (blob.Store, error) { return open(dir, true) }

// open is Open with the choice of anonymous temp files left to tests.
func open(dir string, allowAnonymous bool) (*Store, error) {
	s := &Store{dir: dir, tmp: filepath.Join(dir, tmpDir)}
	if err := os.MkdirAll(s.tmp, dirPerm); err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", dir, err)
	}
	// The store directory may be new: make its name durable once, so the
	// blobs committed into it cannot vanish with it.
	if err := syncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", dir, err)
	}
	if err := removeAll(s.tmp); err != nil {
		return nil, fmt.Errorf("blob: clean %s: %w", s.tmp, err)
	}
	for i := range s.shards {
		s.shards[i].sync.path = filepath.Join(dir, hex.EncodeToString([]byte{byte(i)}))
	}
	s.temp = tempFiles{dir: s.tmp}
	if allowAnonymous {
		temp, err := newTempFiles(s.tmp)
		if err != nil {
			return nil, fmt.Errorf("blob: open %s: %w", dir, err)
		}
		s.temp = temp
	}
	return s, nil
}

// removeAll empties dir, keeping dir itself.
func removeAll(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// validID reports whether id has the form Commit hands out; anything else
// (including paths) is simply not found.
func validID(id string) bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s *Store) path(id string) string { return filepath.Join(s.dir, id[:2], id) }

// Create starts a blob in a temp file.
func (s *Store) Create() (blob.Writer, error) {
	t, err := s.temp.create()
	if err != nil {
		return nil, fmt.Errorf("blob: create: %w", err)
	}
	return &writer{s: s, t: t}, nil
}

// Open opens a committed blob.
func (s *Store) Open(id string) (blob.Reader, error) {
	if !validID(id) {
		return nil, blob.ErrNotFound
	}
	f, err := os.Open(s.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, blob.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", id, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: open %s: %w", id, err)
	}
	return &reader{f: f, size: info.Size()}, nil
}

// Delete removes a blob. The removal is not fsynced: a blob that comes back
// after a crash is an orphan, which Walk-based sweeps remove again.
func (s *Store) Delete(id string) error {
	if !validID(id) {
		return nil
	}
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", id, err)
	}
	return nil
}

// Walk calls fn with every committed id, shard by shard.
func (s *Store) Walk(fn func(id string) error) error {
	for i := range s.shards {
		name := hex.EncodeToString([]byte{byte(i)})
		if err := walkShard(filepath.Join(s.dir, name), name, fn); err != nil {
			return err
		}
	}
	return nil
}

func walkShard(dir, name string, fn func(id string) error) error {
	d, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob: walk: %w", err)
	}
	defer d.Close()
	for {
		// In batches: a shard may hold millions of names.
		names, err := d.Readdirnames(1024)
		for _, id := range names {
			if validID(id) && id[:2] == name {
				if err := fn(id); err != nil {
					return err
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("blob: walk: %w", err)
		}
	}
}

// newID returns a fresh id in the shard of the current time.
func newID(now time.Time) string {
	var b [idLen / 2]byte
	rand.Read(b[1:])
	b[0] = byte(now.Unix() / int64(shardPeriod/time.Second))
	return hex.EncodeToString(b[:])
}

// ensureShard creates the shard directory once, durably.
func (s *Store) ensureShard(sh *shard) error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.created {
		return nil
	}
	if err := os.Mkdir(sh.sync.path, dirPerm); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	sh.created = true
	return nil
}

type writer struct {
	s    *Store
	t    tempFile
	size int64
	done bool
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errWriterDone
	}
	n, err := w.t.file().Write(p)
	w.size += int64(n)
	return n, err
}

func (w *writer) Commit() (string, int64, error) {
	if w.done {
		return "", 0, errWriterDone
	}
	w.done = true
	id, err := w.publish()
	if err != nil {
		w.t.discard()
		return "", 0, fmt.Errorf("blob: commit: %w", err)
	}
	return id, w.size, nil
}

// publish makes the temp file durable under a new id.
func (w *writer) publish() (string, error) {
	if err := w.t.file().Sync(); err != nil {
		return "", err
	}
	id := newID(time.Now())
	sh := w.s.shardOf(id)
	if err := w.s.ensureShard(sh); err != nil {
		return "", err
	}
	dst := w.s.path(id)
	if err := w.t.publish(dst); err != nil {
		return "", err
	}
	if err := sh.sync.sync(); err != nil {
		os.Remove(dst) // not known durable: the caller is told it failed
		return "", err
	}
	return id, nil
}

func (s *Store) shardOf(id string) *shard {
	b, _ := hex.DecodeString(id[:2])
	return &s.shards[b[0]]
}

func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	return w.t.discard()
}

// reader is a committed blob: the open file and its size.
type reader struct {
	f    *os.File
	size int64
}

func (r *reader) Read(p []byte) (int, error)              { return r.f.Read(p) }
func (r *reader) ReadAt(p []byte, off int64) (int, error) { return r.f.ReadAt(p, off) }
func (r *reader) Seek(off int64, whence int) (int64, error) {
	return r.f.Seek(off, whence)
}
func (r *reader) Close() error { return r.f.Close() }
func (r *reader) Size() int64  { return r.size }

// WriteTo lets io.Copy to a socket use the kernel's sendfile/splice.
func (r *reader) WriteTo(w io.Writer) (int64, error) { return r.f.WriteTo(w) }
