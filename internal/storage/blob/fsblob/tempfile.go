package fsblob

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// tempFiles makes the files new blobs are written to, in the store's tmp
// directory (the same filesystem as the blobs, so publishing is a rename or
// link). Where the kernel supports it the file is anonymous (O_TMPFILE): it
// has no name until Commit links it into place, so a crash leaves nothing to
// clean up, and it skips creating and removing a temp name (two directory
// updates per blob). Otherwise it is a named file that Commit renames.
type tempFiles struct {
	dir       string
	anonymous bool
}

// newTempFiles probes once whether anonymous temp files work in dir.
func newTempFiles(dir string) (tempFiles, error) {
	t := tempFiles{dir: dir}
	f, err := openAnonymous(dir)
	if err != nil {
		return t, nil // not supported here: named temp files
	}
	defer f.Close()
	probe := filepath.Join(dir, "probe-"+rand.Text())
	if err := linkAnonymous(f, probe); err != nil {
		return t, nil
	}
	if err := os.Remove(probe); err != nil {
		return t, err
	}
	t.anonymous = true
	return t, nil
}

func (t tempFiles) create() (tempFile, error) {
	if t.anonymous {
		f, err := openAnonymous(t.dir)
		return tempFile{f: f, anonymous: true}, err
	}
	var b [12]byte
	rand.Read(b[:])
	name := filepath.Join(t.dir, hex.EncodeToString(b[:])+".tmp")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, filePerm)
	return tempFile{f: f, name: name}, err
}

// tempFile is one blob being written.
type tempFile struct {
	f         *os.File
	name      string // named temp files only
	anonymous bool
	closed    bool
}

func (t *tempFile) file() *os.File { return t.f }

// publish gives the (already fsynced) file its final name dst and closes it.
func (t *tempFile) publish(dst string) error {
	if t.anonymous {
		err := linkAnonymous(t.f, dst)
		t.close()
		return err
	}
	if err := t.close(); err != nil {
		return err
	}
	return os.Rename(t.name, dst)
}

// discard closes the file and removes its temp name, if it has one.
func (t *tempFile) discard() error {
	err := t.close()
	if t.name != "" {
		if rmErr := os.Remove(t.name); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			err = errors.Join(err, rmErr)
		}
	}
	return err
}

func (t *tempFile) close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	return t.f.Close()
}
