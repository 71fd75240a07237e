package s3

import (
	"net/http"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// loadBucket reads a bucket's record: NoSuchBucket when absent, AccessDenied
// when x-amz-expected-bucket-owner names another account.
func (s *Service) loadBucket(r *http.Request, bucket string) (*bucketMeta, error) {
	var bm bucketMeta
	err := s.kv.View(func(tx kv.Reader) error {
		return getBucketTx(tx, bucket, &bm)
	})
	if err != nil {
		return nil, asServiceError(err)
	}
	if err := checkExpectedOwner(r, &bm); err != nil {
		return nil, err
	}
	return &bm, nil
}

// loadObject reads bucket/key's current record (NoSuchBucket, NoSuchKey).
func (s *Service) loadObject(r *http.Request, bucket, key string) (*objectMeta, error) {
	var meta *objectMeta
	var bm bucketMeta
	err := s.kv.View(func(tx kv.Reader) error {
		if err := getBucketTx(tx, bucket, &bm); err != nil {
			return err
		}
		var err error
		meta, err = getObjectRecord(tx, bucket, key)
		return err
	})
	if err != nil {
		return nil, asServiceError(err)
	}
	if err := checkExpectedOwner(r, &bm); err != nil {
		return nil, err
	}
	return meta, nil
}

func getBucketTx(tx kv.Reader, bucket string, bm *bucketMeta) error {
	if err := getJSON(tx, bucketKey(bucket), bm); err != nil {
		if isNotFound(err) {
			return noSuchBucket(bucket)
		}
		return err
	}
	return nil
}

// getObjectTx reads bucket/key inside a transaction, reporting NoSuchBucket
// before NoSuchKey.
func getObjectTx(tx kv.Reader, bucket, key string) (*objectMeta, error) {
	if _, err := tx.Get(bucketKey(bucket)); err != nil {
		if isNotFound(err) {
			return nil, noSuchBucket(bucket)
		}
		return nil, err
	}
	return getObjectRecord(tx, bucket, key)
}

func getObjectRecord(tx kv.Reader, bucket, key string) (*objectMeta, error) {
	var meta objectMeta
	if err := getJSON(tx, objectKey(bucket, key), &meta); err != nil {
		if isNotFound(err) {
			return nil, noSuchKey(bucket, key)
		}
		return nil, err
	}
	return &meta, nil
}

// checkExpectedOwner enforces x-amz-expected-bucket-owner.
func checkExpectedOwner(r *http.Request, bm *bucketMeta) error {
	if want := r.Header.Get("X-Amz-Expected-Bucket-Owner"); want != "" && want != bm.Owner {
		return errAccessDenied.WithResource(bucketResource(bm.Name))
	}
	return nil
}

// checkVersionID accepts a missing versionId or "null" (the version id of
// every object in an unversioned bucket) and refuses any other.
func checkVersionID(r *http.Request, bucket, key string) error {
	if v, ok := r.URL.Query()["versionId"]; ok && (len(v) != 1 || v[0] != "null") {
		val := ""
		if len(v) > 0 {
			val = v[0]
		}
		return invalidArgument("Invalid version id specified", "versionId", val).WithResource(objectResource(bucket, key))
	}
	return nil
}

// asServiceError passes *awsproto.Error values through and wraps anything
// else (storage failures) as InternalError.
func asServiceError(err error) error {
	if err == nil {
		return nil
	}
	if e := awsproto.As(err); e != nil {
		return e
	}
	return awsproto.Internal(err)
}

// withResource sets the <Resource> of an S3 error that has none.
func withResource(err error, resource string) error {
	if e := awsproto.As(err); e != nil {
		if e.Resource == "" {
			return e.WithResource(resource)
		}
		return e
	}
	return asServiceError(err)
}
