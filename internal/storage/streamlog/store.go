package streamlog

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// Options configures a Store.
type Options struct {
	SegmentBytes int64 // roll to a new segment file at this size (default 64 MiB)
	NoSync       bool  // skip fsync: tests of non-durable paths only
}

// DefaultSegmentBytes is the segment size when Options.SegmentBytes is 0.
const DefaultSegmentBytes = 64 << 20

// Record is one entry of a log.
type Record struct {
	Time int64 // Unix milliseconds (arrival). Append clamps it to be non-decreasing within a log.
	Data []byte
}

var (
	// ErrOutOfRange is returned for an offset the log does not hold.
	ErrOutOfRange = errors.New("streamlog: offset out of range")
	// ErrClosed is returned by a closed Store, or a Log that was removed or closed.
	ErrClosed = errors.New("streamlog: closed")
	// ErrBadName is returned for a log name that is not slash-separated [A-Za-z0-9._-] parts.
	ErrBadName = errors.New("streamlog: invalid log name")
	// ErrCorrupt is returned when stored data fails its checks somewhere other
	// than a torn tail (which is repaired).
	ErrCorrupt = errors.New("streamlog: corrupt data")
)

const (
	lockFile = "+lock"
	trashDir = "+trash"
	logDir   = "+log"
)

// Store holds the logs under one directory. Its methods are safe for concurrent use.
type Store struct {
	dir    string
	opts   Options
	lock   *os.File
	commit *committer
	bufs   sync.Pool // *readBuf, reused by Read, SeekTime and TimeAt

	mu     sync.Mutex // guards the fields below and the directory tree
	logs   map[string]*Log
	closed bool
	seq    uint64 // names entries of +trash
}

// Open opens (creating if needed) the store in dir. Only one Store may have
// a directory open at a time.
func Open(dir string, opts Options) (*Store, error) {
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = DefaultSegmentBytes
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("streamlog: %s is in use by another process: %w", dir, err)
	}
	s := &Store{dir: dir, opts: opts, lock: lock, logs: map[string]*Log{}}
	trash := filepath.Join(dir, trashDir)
	if err := os.RemoveAll(trash); err != nil {
		lock.Close()
		return nil, err
	}
	if err := os.Mkdir(trash, 0o755); err != nil {
		lock.Close()
		return nil, err
	}
	if err := s.syncDir(dir); err != nil {
		lock.Close()
		return nil, err
	}
	s.commit = newCommitter(s)
	return s, nil
}

// Close waits for in-flight appends, then closes every log's files. Logs
// obtained from the Store answer ErrClosed afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	logs := make([]*Log, 0, len(s.logs))
	for _, l := range s.logs {
		logs = append(logs, l)
	}
	s.mu.Unlock()
	for _, l := range logs {
		l.shut()
	}
	s.commit.stop()
	return s.lock.Close() // releases the flock
}

// Log opens the named log, creating it (durably) if it does not exist. The
// same *Log is returned for the same name while the Store is open.
func (s *Store) Log(name string) (*Log, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if l := s.logs[name]; l != nil {
		return l, nil
	}
	dir := s.logPath(name)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := s.createLog(name, dir); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	l, err := openLog(s, name, dir)
	if err != nil {
		return nil, fmt.Errorf("streamlog: open %s: %w", name, err)
	}
	s.logs[name] = l
	return l, nil
}

// createLog builds the log's directory with an empty first segment under
// +trash, then renames it into place: a crash leaves either no log or a whole
// one.
func (s *Store) createLog(name, dir string) error {
	s.seq++
	tmp := filepath.Join(s.dir, trashDir, fmt.Sprintf("new-%d", s.seq))
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	f, err := s.createSegmentFile(tmp, 0, math.MinInt64)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := s.mkdirs(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return s.syncDir(filepath.Dir(dir))
}

// createSegmentFile creates a segment holding only its header and makes it
// durable (file and directory entry).
func (s *Store) createSegmentFile(dir string, base uint64, floor int64) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, segName(base)), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(appendSegHeader(nil, base, floor)); err != nil {
		f.Close()
		return nil, err
	}
	if !s.opts.NoSync {
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := s.syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// mkdirs creates dir and any missing parents below the store's directory,
// fsyncing each parent that gained an entry.
func (s *Store) mkdirs(dir string) error {
	if dir == s.dir {
		return nil
	}
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := s.mkdirs(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return s.syncDir(filepath.Dir(dir))
}

// Remove deletes the log and its files, durably: after a crash it is either
// whole or gone. Log(name) afterwards creates a new empty log. Removing a
// log that does not exist is not an error.
func (s *Store) Remove(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if l := s.logs[name]; l != nil {
		l.shut()
		delete(s.logs, name)
	}
	dir := s.logPath(name)
	s.seq++
	trash := filepath.Join(s.dir, trashDir, fmt.Sprintf("rm-%d", s.seq))
	if err := os.Rename(dir, trash); err != nil {
		s.mu.Unlock()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	err := s.syncDir(filepath.Dir(dir))
	// Drop parent directories left empty; one holding another log stays.
	for p := filepath.Dir(dir); p != s.dir && err == nil; p = filepath.Dir(p) {
		if os.Remove(p) != nil {
			break
		}
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return os.RemoveAll(trash) // a crash before this: Open empties +trash
}

// Names lists every log in the store, sorted.
func (s *Store) Names() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	var names []string
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || path == s.dir {
			return nil
		}
		switch d.Name() {
		case trashDir:
			return filepath.SkipDir
		case logDir:
			rel, err := filepath.Rel(s.dir, filepath.Dir(path))
			if err != nil {
				return err
			}
			names = append(names, filepath.ToSlash(rel))
			return filepath.SkipDir
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}

func (s *Store) logPath(name string) string {
	return filepath.Join(s.dir, filepath.FromSlash(name), logDir)
}

func (s *Store) syncDir(dir string) error {
	if s.opts.NoSync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func segName(base uint64) string { return fmt.Sprintf("%020d%s", base, segSuffix) }

// checkName accepts slash-separated parts of [A-Za-z0-9._-], none "." or "..".
func checkName(name string) error {
	if name == "" || len(name) > 1024 {
		return fmt.Errorf("%w: %q", ErrBadName, name)
	}
	for part := range strings.SplitSeq(name, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("%w: %q", ErrBadName, name)
		}
		for _, c := range []byte(part) {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
			if !ok {
				return fmt.Errorf("%w: %q", ErrBadName, name)
			}
		}
	}
	return nil
}
