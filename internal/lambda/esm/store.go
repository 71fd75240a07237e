package esm

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// kv layout:
//
//	lambda/esm/mappings/<uuid>        storedMapping (JSON)
//	lambda/esm/started/<uuid>         present once the starting positions were fixed
//	lambda/esm/cp/<uuid>/<shardId>    checkpoint (JSON)
//
// "started" makes StartingPosition apply only to the shards that existed
// when the mapping first ran: shards found later (children of a reshard)
// are read from their start, and a restart before the first batch does not
// move a LATEST position forward.
const (
	keyPrefix   = "lambda/esm/"
	keyMappings = keyPrefix + "mappings/"
	keyStarted  = keyPrefix + "started/"
	keyCP       = keyPrefix + "cp/"
)

// storedMapping is a mapping as persisted.
type storedMapping struct {
	Mapping              Mapping `json:"mapping"`
	State                string  `json:"state"`
	LastProcessingResult string  `json:"lastResult,omitempty"`
	LastModifiedMs       int64   `json:"modified"`
}

// checkpoint is where a shard's processing stands.
type checkpoint struct {
	// After is the sequence number of the last record delivered (or given
	// up on); reading resumes after it.
	After string `json:"after,omitempty"`
	// AtMs is an AT_TIMESTAMP starting point not yet passed (Unix ms).
	AtMs int64 `json:"at,omitempty"`
	// Done: the shard was closed and every record of it processed.
	Done bool `json:"done,omitempty"`
}

func mappingKey(uuid string) []byte { return []byte(keyMappings + uuid) }
func startedKey(uuid string) []byte { return []byte(keyStarted + uuid) }
func cpPrefix(uuid string) string   { return keyCP + uuid + "/" }
func cpKey(uuid, shard string) []byte {
	return []byte(cpPrefix(uuid) + shard)
}

// prefixEnd is the first key after every key starting with p (p ends in '/').
func prefixEnd(p string) []byte { return []byte(p[:len(p)-1] + "0") }

// storeMapping persists e's configuration and state. The caller holds m.mu.
func (m *Manager) storeMapping(e *entry) error {
	data, err := json.Marshal(storedMapping{Mapping: e.mp, State: e.status.State,
		LastProcessingResult: e.status.LastProcessingResult, LastModifiedMs: e.status.LastModified.UnixMilli()})
	if err != nil {
		return err
	}
	if err := m.cfg.KV.Update(func(w kv.Writer) error { return w.Put(mappingKey(e.mp.UUID), data) }); err != nil {
		return fmt.Errorf("esm: store mapping %s: %w", e.mp.UUID, err)
	}
	return nil
}

func (m *Manager) loadMappings() ([]storedMapping, error) {
	var out []storedMapping
	err := m.cfg.KV.View(func(r kv.Reader) error {
		return r.Iterate([]byte(keyMappings), prefixEnd(keyMappings), func(_, v []byte) (bool, error) {
			var sm storedMapping
			if err := json.Unmarshal(v, &sm); err != nil {
				return false, err
			}
			out = append(out, sm)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("esm: load mappings: %w", err)
	}
	return out, nil
}

// deleteStored removes a mapping, its start marker and its checkpoints in
// one transaction.
func (m *Manager) deleteStored(uuid string) error {
	return m.cfg.KV.Update(func(w kv.Writer) error {
		var keys [][]byte
		p := cpPrefix(uuid)
		err := w.Iterate([]byte(p), prefixEnd(p), func(k, _ []byte) (bool, error) {
			keys = append(keys, append([]byte(nil), k...))
			return true, nil
		})
		if err != nil {
			return err
		}
		keys = append(keys, mappingKey(uuid), startedKey(uuid))
		for _, k := range keys {
			if err := w.Delete(k); err != nil && !errors.Is(err, kv.ErrNotFound) {
				return err
			}
		}
		return nil
	})
}

// loadCheckpoints returns whether the mapping's starting positions were
// fixed, and its checkpoints by shard.
func (m *Manager) loadCheckpoints(uuid string) (bool, map[string]checkpoint, error) {
	started := false
	cps := map[string]checkpoint{}
	err := m.cfg.KV.View(func(r kv.Reader) error {
		if _, err := r.Get(startedKey(uuid)); err == nil {
			started = true
		} else if !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		p := cpPrefix(uuid)
		return r.Iterate([]byte(p), prefixEnd(p), func(k, v []byte) (bool, error) {
			var cp checkpoint
			if err := json.Unmarshal(v, &cp); err != nil {
				return false, err
			}
			cps[string(k[len(p):])] = cp
			return true, nil
		})
	})
	if err != nil {
		return false, nil, fmt.Errorf("esm: load checkpoints of %s: %w", uuid, err)
	}
	return started, cps, nil
}

// storeStart fixes the starting positions of the first shards, and marks
// the mapping started, in one transaction.
func (m *Manager) storeStart(uuid string, cps map[string]checkpoint) error {
	return m.cfg.KV.Update(func(w kv.Writer) error {
		for shard, cp := range cps {
			data, err := json.Marshal(cp)
			if err != nil {
				return err
			}
			if err := w.Put(cpKey(uuid, shard), data); err != nil {
				return err
			}
		}
		return w.Put(startedKey(uuid), []byte(m.cfg.Now().UTC().Format(time.RFC3339)))
	})
}

// storeCheckpoint persists one shard's checkpoint (fsynced when it returns).
// A mapping being deleted is not written back.
func (m *Manager) storeCheckpoint(uuid, shard string, cp checkpoint) error {
	data, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	return m.cfg.KV.Update(func(w kv.Writer) error {
		if _, err := w.Get(mappingKey(uuid)); err != nil {
			return err
		}
		return w.Put(cpKey(uuid, shard), data)
	})
}
