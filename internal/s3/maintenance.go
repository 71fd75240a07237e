package s3

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Recover is the startup sweep: it deletes every blob that no object piece
// and no multipart part record references. Such blobs are left by a crash
// between a blob's commit and its metadata commit, or between a metadata
// commit and the deletion of the blobs it replaced. Call it before the
// service takes requests: a blob an in-flight request has committed but not
// yet referenced would look orphaned.
func (s *Service) Recover(ctx context.Context) error {
	referenced := map[string]bool{}
	err := s.kv.View(func(tx kv.Reader) error {
		err := tx.Iterate([]byte(prefixObject), prefixEnd(prefixObject), func(k, v []byte) (bool, error) {
			var m objectMeta
			if err := decodeRecord(v, &m); err != nil {
				return false, fmt.Errorf("decoding object record %q: %w", k, err)
			}
			for _, p := range m.Pieces {
				referenced[p.BlobID] = true
			}
			return ctx.Err() == nil, nil
		})
		if err != nil {
			return err
		}
		return tx.Iterate([]byte(prefixPart), prefixEnd(prefixPart), func(k, v []byte) (bool, error) {
			var p partMeta
			if err := json.Unmarshal(v, &p); err != nil {
				return false, fmt.Errorf("decoding part record %q: %w", k, err)
			}
			referenced[p.BlobID] = true
			return ctx.Err() == nil, nil
		})
	})
	if err != nil {
		return fmt.Errorf("s3 recover: reading metadata: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var orphans []string
	err = s.blobs.Walk(func(id string) error {
		if !referenced[id] {
			orphans = append(orphans, id)
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("s3 recover: listing blobs: %w", err)
	}
	for _, id := range orphans {
		if err := s.blobs.Delete(id); err != nil {
			return fmt.Errorf("s3 recover: deleting orphan blob %s: %w", id, err)
		}
	}
	if len(orphans) > 0 {
		s.cfg.Logger.Info("s3: removed orphan blobs", "count", len(orphans))
	}
	return nil
}

// resetBatch bounds the keys one Reset transaction deletes.
const resetBatch = 1000

// Reset wipes all S3 state: every s3/ key and every blob. It serves
// POST /_tributary/reset (off by default) for test suites.
func (s *Service) Reset(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var keys [][]byte
		err := s.kv.View(func(tx kv.Reader) error {
			keys = keys[:0]
			return tx.Iterate([]byte("s3/"), prefixEnd("s3/"), func(k, _ []byte) (bool, error) {
				keys = append(keys, append([]byte(nil), k...))
				return len(keys) < resetBatch, nil
			})
		})
		if err != nil {
			return fmt.Errorf("s3 reset: listing keys: %w", err)
		}
		if len(keys) == 0 {
			break
		}
		err = s.kv.Update(func(tx kv.Writer) error {
			for _, k := range keys {
				if err := tx.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("s3 reset: deleting keys: %w", err)
		}
	}
	var ids []string
	if err := s.blobs.Walk(func(id string) error {
		ids = append(ids, id)
		return ctx.Err()
	}); err != nil {
		return fmt.Errorf("s3 reset: listing blobs: %w", err)
	}
	for _, id := range ids {
		if err := s.blobs.Delete(id); err != nil {
			return fmt.Errorf("s3 reset: deleting blob %s: %w", id, err)
		}
	}
	return nil
}

// prefixEnd is the smallest key greater than every key starting with prefix
// (prefix ends in '/', so '/'+1 = '0' closes the range).
func prefixEnd(prefix string) []byte {
	end := []byte(prefix)
	end[len(end)-1]++
	return end
}
