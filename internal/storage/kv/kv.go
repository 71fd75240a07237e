// Package kv is Tributary's embedded, ordered, crash-safe key-value store for
// metadata. Keys are byte strings compared in byte order; each service owns a
// key prefix (for example "s3/").
package kv

import "errors"

// ErrNotFound is returned by Get when a key does not exist.
var ErrNotFound = errors.New("kv: not found")

// Store is the metadata store. Implementations: see subpackages/files of this
// package; every implementation must pass storetest.TestKV.
type Store interface {
	// View runs fn against a consistent read-only snapshot.
	View(fn func(Reader) error) error
	// Update runs fn in a serializable read-write transaction. When Update
	// returns nil the writes are durable (fsynced). If fn returns an error
	// nothing it wrote is applied. fn may be called more than once (group
	// commit may retry it alone), so it must not have side effects outside
	// the transaction other than setting captured variables.
	Update(fn func(Writer) error) error
	// Close flushes and closes the store.
	Close() error
}

// Reader reads within a transaction. No slice it hands out may be modified.
type Reader interface {
	// Get returns key's value, valid until the transaction ends.
	Get(key []byte) ([]byte, error)
	// Iterate calls fn for each key in [start, end) in ascending byte order
	// (end nil means no upper bound) until fn returns false or an error.
	// key and value are valid only until fn returns: copy what you keep.
	// (A scan hands the store's own buffers straight through; copying every
	// pair so that it outlives the callback cost a listing most of its
	// time and allocations, and almost every caller decodes and drops them.)
	Iterate(start, end []byte, fn func(key, value []byte) (bool, error)) error
}

// Writer reads and writes within a read-write transaction.
type Writer interface {
	Reader
	Put(key, value []byte) error
	Delete(key []byte) error
}
