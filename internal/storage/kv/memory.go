package kv

import (
	"bytes"
	"sort"
	"sync"
)

// NewMemory returns a Store that keeps everything in memory (nothing is
// durable). It exists for unit tests of the packages built on kv.
func NewMemory() Store { return &memStore{data: map[string][]byte{}} }

type memStore struct {
	mu    sync.RWMutex
	data  map[string][]byte
	keys  []string // sorted; rebuilt lazily
	dirty bool
}

func (m *memStore) sorted() []string {
	if m.dirty || m.keys == nil {
		m.keys = m.keys[:0]
		for k := range m.data {
			m.keys = append(m.keys, k)
		}
		sort.Strings(m.keys)
		m.dirty = false
	}
	return m.keys
}

func (m *memStore) View(fn func(Reader) error) error {
	m.mu.Lock() // sorted() may rebuild the index
	defer m.mu.Unlock()
	return fn(&memTx{m: m})
}

func (m *memStore) Update(fn func(Writer) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTx{m: m, writes: map[string][]byte{}, deletes: map[string]bool{}}
	if err := fn(tx); err != nil {
		return err
	}
	for k := range tx.deletes {
		delete(m.data, k)
		m.dirty = true
	}
	for k, v := range tx.writes {
		m.data[k] = v
		m.dirty = true
	}
	return nil
}

func (m *memStore) Close() error { return nil }

type memTx struct {
	m       *memStore
	writes  map[string][]byte
	deletes map[string]bool
}

func (t *memTx) Get(key []byte) ([]byte, error) {
	k := string(key)
	if t.deletes[k] {
		return nil, ErrNotFound
	}
	if v, ok := t.writes[k]; ok {
		return v, nil
	}
	v, ok := t.m.data[k]
	if !ok {
		return nil, ErrNotFound
	}
	return v, nil
}

func (t *memTx) Iterate(start, end []byte, fn func(key, value []byte) (bool, error)) error {
	// Merge committed keys with this transaction's pending writes.
	set := map[string]bool{}
	for _, k := range t.m.sorted() {
		set[k] = true
	}
	for k := range t.writes {
		set[k] = true
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		if bytes.Compare([]byte(k), start) >= 0 && (end == nil || bytes.Compare([]byte(k), end) < 0) && !t.deletes[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	// Each pair is handed out in buffers reused from key to key and
	// scribbled over once fn returns, so a caller that keeps Iterate's
	// slices past the callback (which the contract forbids, and which the
	// durable stores would punish only now and then) fails its unit tests.
	var kbuf, vbuf []byte
	for _, k := range keys {
		v, _ := t.Get([]byte(k))
		kbuf, vbuf = append(kbuf[:0], k...), append(vbuf[:0], v...)
		cont, err := fn(kbuf, vbuf)
		scribble(kbuf)
		scribble(vbuf)
		if err != nil || !cont {
			return err
		}
	}
	return nil
}

func scribble(b []byte) {
	for i := range b {
		b[i] = '#'
	}
}

func (t *memTx) Put(key, value []byte) error {
	k := string(key)
	delete(t.deletes, k)
	t.writes[k] = append([]byte(nil), value...)
	return nil
}

func (t *memTx) Delete(key []byte) error {
	k := string(key)
	delete(t.writes, k)
	t.deletes[k] = true
	return nil
}
