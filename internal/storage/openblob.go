package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/blob/fsblob"
	"github.com/tributary-dev/tributary/internal/storage/blob/tieredblob"
)

// Names of the blob backends OpenBlob knows.
const (
	// BlobBackendFiles keeps every blob as a file (fsblob).
	BlobBackendFiles = "files"
	// BlobBackendTiered keeps blobs up to tieredblob.DefaultThreshold in
	// pebble and larger ones as files.
	BlobBackendTiered = "tiered"
)

// BlobBackends lists the backend names OpenBlob accepts.
func BlobBackends() []string { return []string{BlobBackendFiles, BlobBackendTiered} }

// BlobStore is a blob.Store to close at shutdown.
type BlobStore interface {
	blob.Store
	io.Closer
}

// OpenBlob opens the blob store kept in dir with the named backend ("" means
// DefaultBlobBackend). Both keep files in dir/files, so a "files" store can
// be reopened as "tiered"; the reverse is refused once pebble holds blobs.
func OpenBlob(dir, backend string) (BlobStore, error) {
	if backend == "" {
		backend = DefaultBlobBackend
	}
	switch backend {
	case BlobBackendTiered:
		return tieredblob.Open(dir, tieredblob.DefaultThreshold)
	case BlobBackendFiles:
		small := filepath.Join(dir, tieredblob.SmallDir)
		if _, err := os.Stat(small); err == nil {
			return nil, fmt.Errorf("storage: %s holds small blobs of the %q backend; open it with that backend", dir, BlobBackendTiered)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("storage: %w", err)
		}
		s, err := fsblob.Open(filepath.Join(dir, tieredblob.FilesDir))
		if err != nil {
			return nil, err
		}
		return unclosed{s}, nil
	}
	return nil, fmt.Errorf("storage: unknown blob backend %q (want %q or %q)", backend, BlobBackendFiles, BlobBackendTiered)
}

// unclosed adapts a store with nothing to close.
type unclosed struct{ blob.Store }

func (unclosed) Close() error { return nil }
