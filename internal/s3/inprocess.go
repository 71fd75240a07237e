package s3

import (
	"bytes"
	"context"
	"errors"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// ReadObject returns the body of bucket/key for another service in this
// process (Lambda reading a function's zip from S3Bucket/S3Key), at most
// maxBytes of it: the caller compares the length with its own limit.
// Errors are S3's (NoSuchBucket, NoSuchKey, InvalidArgument for a version
// id other than "null"), so the caller can report them as AWS does.
func (s *Service) ReadObject(ctx context.Context, bucket, key, versionID string, maxBytes int64) ([]byte, error) {
	if versionID != "" && versionID != "null" {
		return nil, invalidArgument("Invalid version id specified", "versionId", versionID).WithResource(objectResource(bucket, key))
	}
	for attempt := 1; ; attempt++ {
		var meta *objectMeta
		err := s.kv.View(func(tx kv.Reader) error {
			var err error
			meta, err = getObjectTx(tx, bucket, key)
			return err
		})
		if err != nil {
			return nil, asServiceError(err)
		}
		n := min(meta.Size, maxBytes)
		if n <= 0 {
			return []byte{}, nil
		}
		body, err := s.openSpans(spansFor(meta.Pieces, 0, n))
		if errors.Is(err, blob.ErrNotFound) && attempt < openAttempts {
			continue // replaced meanwhile: read the new object
		}
		if err != nil {
			return nil, awsproto.Internal(err)
		}
		var buf bytes.Buffer
		buf.Grow(int(n))
		_, err = body.WriteTo(&buf)
		body.Close()
		if err != nil {
			return nil, awsproto.Internal(err)
		}
		return buf.Bytes(), nil
	}
}
