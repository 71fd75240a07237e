package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/kv/boltkv"
	"github.com/tributary-dev/tributary/internal/storage/kv/pebblekv"
)

// Names of the kv backends OpenKV knows.
const (
	KVBackendBolt   = "bolt"
	KVBackendPebble = "pebble"
)

// Where each backend keeps its data inside the directory given to OpenKV.
const (
	boltFile  = "kv.bolt"
	pebbleDir = "pebble"
)

// KVBackends lists the backend names OpenKV accepts.
func KVBackends() []string { return []string{KVBackendBolt, KVBackendPebble} }

// OpenKV opens the metadata store kept in dir with the named backend
// ("" means DefaultKVBackend), creating dir if needed. It refuses a directory
// that holds the other backend's data, so switching backends never looks
// like lost metadata.
func OpenKV(dir, backend string) (kv.Store, error) {
	if backend == "" {
		backend = DefaultKVBackend
	}
	var own, other string
	switch backend {
	case KVBackendBolt:
		own, other = filepath.Join(dir, boltFile), filepath.Join(dir, pebbleDir)
	case KVBackendPebble:
		own, other = filepath.Join(dir, pebbleDir), filepath.Join(dir, boltFile)
	default:
		return nil, fmt.Errorf("storage: unknown kv backend %q (want %q or %q)", backend, KVBackendBolt, KVBackendPebble)
	}
	if _, err := os.Stat(other); err == nil {
		return nil, fmt.Errorf("storage: %s holds data of another kv backend (%s); open it with that backend", dir, filepath.Base(other))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if backend == KVBackendBolt {
		return boltkv.Open(own)
	}
	return pebblekv.Open(own)
}
