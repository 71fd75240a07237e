package s3

import (
	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// putObjectRecord makes meta the current object at bucket/meta.Key in one
// transaction: it fails with NoSuchBucket if the bucket is gone, runs check
// (if any) against the current object (nil when absent) so conditional writes
// are decided atomically, and runs also (if any) in the same transaction (for
// example to delete a completed upload's records). After the commit it deletes
// the blobs of the replaced object that meta no longer references. On error
// nothing is changed; the caller still owns meta's blobs and must delete them.
func (s *Service) putObjectRecord(bucket string, meta *objectMeta, check func(old *objectMeta) error, also func(kv.Writer) error) error {
	var replaced *objectMeta
	err := s.kv.Update(func(tx kv.Writer) error {
		replaced = nil
		if _, err := tx.Get(bucketKey(bucket)); err != nil {
			if isNotFound(err) {
				return errNoSuchBucket.WithResource("/" + bucket)
			}
			return err
		}
		var old objectMeta
		switch err := getJSON(tx, objectKey(bucket, meta.Key), &old); {
		case err == nil:
			replaced = &old
		case !isNotFound(err):
			return err
		}
		if check != nil {
			if err := check(replaced); err != nil {
				return err
			}
		}
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		return putJSON(tx, objectKey(bucket, meta.Key), meta)
	})
	if err != nil {
		if awsproto.As(err) != nil {
			return err
		}
		return awsproto.Internal(err)
	}
	if replaced != nil {
		s.deleteUnreferencedPieces(replaced.Pieces, meta.Pieces)
	}
	return nil
}

// deleteUnreferencedPieces deletes the blobs in old that keep does not use.
// A failure only leaves an orphan blob, which the startup sweep removes.
func (s *Service) deleteUnreferencedPieces(old, keep []blobRef) {
	kept := make(map[string]bool, len(keep))
	for _, p := range keep {
		kept[p.BlobID] = true
	}
	for _, p := range old {
		if p.BlobID != "" && !kept[p.BlobID] {
			if err := s.blobs.Delete(p.BlobID); err != nil {
				s.cfg.Logger.Warn("s3: deleting replaced blob", "blob", p.BlobID, "err", err)
			}
		}
	}
}
