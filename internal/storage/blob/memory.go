package blob

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
)

// NewMemory returns a Store that keeps blobs in memory (nothing is durable).
// It exists for unit tests of the packages built on blob.
func NewMemory() Store { return &memStore{blobs: map[string][]byte{}} }

type memStore struct {
	mu    sync.Mutex
	blobs map[string][]byte
}

func (m *memStore) Create() (Writer, error) { return &memWriter{m: m}, nil }

func (m *memStore) Open(id string) (Reader, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blobs[id]
	if !ok {
		return nil, ErrNotFound
	}
	return &memReader{Reader: bytes.NewReader(b)}, nil
}

func (m *memStore) Delete(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.blobs, id)
	return nil
}

func (m *memStore) Walk(fn func(id string) error) error {
	m.mu.Lock()
	ids := make([]string, 0, len(m.blobs))
	for id := range m.blobs {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	for _, id := range ids {
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

type memWriter struct {
	m    *memStore
	buf  bytes.Buffer
	done bool
}

// errWriterDone is returned by a Writer used after Commit or Abort.
var errWriterDone = errors.New("blob: writer already committed or aborted")

func (w *memWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, errWriterDone
	}
	return w.buf.Write(p)
}

func (w *memWriter) Commit() (string, int64, error) {
	if w.done {
		return "", 0, errWriterDone
	}
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	w.m.mu.Lock()
	w.m.blobs[id] = w.buf.Bytes()
	w.m.mu.Unlock()
	w.done = true
	return id, int64(w.buf.Len()), nil
}

func (w *memWriter) Abort() error {
	w.done = true
	return nil
}

type memReader struct{ *bytes.Reader }

func (r *memReader) Close() error { return nil }
func (r *memReader) Size() int64  { return r.Reader.Size() }
