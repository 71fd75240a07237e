// Package blob stores opaque byte bodies (S3 object bodies and parts) as files.
// A blob is written to a temporary file, fsynced and renamed into place, so it
// is never visible half-written; it is referenced by id from kv metadata.
package blob

import (
	"errors"
	"io"
)

// ErrNotFound is returned when a blob id does not exist.
var ErrNotFound = errors.New("blob: not found")

// Store holds blobs. Every implementation must pass storetest.TestBlob.
type Store interface {
	// Create starts a new blob. Write the body, then Commit (durable on return)
	// or Abort. Nothing is visible under the id before Commit returns.
	Create() (Writer, error)
	// Open opens a committed blob for reading.
	Open(id string) (Reader, error)
	// Delete removes a blob; deleting a missing blob is not an error.
	Delete(id string) error
	// Walk calls fn with the id of every committed blob (for orphan sweeps
	// after a crash between a blob commit and its metadata commit).
	Walk(fn func(id string) error) error
}

// Writer receives a new blob's bytes.
type Writer interface {
	io.Writer
	// Commit fsyncs and publishes the blob, returning its id and size.
	Commit() (id string, size int64, err error)
	// Abort discards the blob; safe to call after Commit (no-op then).
	Abort() error
}

// Reader reads a committed blob.
type Reader interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
	Size() int64
}
