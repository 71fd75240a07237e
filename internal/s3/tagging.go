package s3

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Tag limits. Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
// and https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html
const (
	maxObjectTags     = 10
	maxBucketTags     = 50
	maxTagKeyLength   = 128 // Unicode characters
	maxTagValueLength = 256
	maxTaggingBody    = 64 << 10
)

// validateTags applies S3's tag rules: at most limit tags, keys 1–128 and
// values 0–256 characters, no "aws:" keys, no duplicate keys.
func validateTags(tags []tag, limit int, tooMany string) error {
	if len(tags) > limit {
		return errBadRequest.WithMessage(tooMany)
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		switch {
		case t.Key == "" || !utf8.ValidString(t.Key):
			return errInvalidTag.WithMessage("The TagKey you have provided is invalid").With("TagKey", t.Key)
		case utf8.RuneCountInString(t.Key) > maxTagKeyLength:
			return errInvalidTag.WithMessage("The TagKey you have provided is too long, max "+strconv.Itoa(maxTagKeyLength)).With("TagKey", t.Key)
		case !utf8.ValidString(t.Value):
			return errInvalidTag.WithMessage("The TagValue you have provided is invalid").With("TagKey", t.Key)
		case utf8.RuneCountInString(t.Value) > maxTagValueLength:
			return errInvalidTag.WithMessage("The TagValue you have provided is too long, max "+strconv.Itoa(maxTagValueLength)).With("TagKey", t.Key)
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return errInvalidTag.WithMessage("Your TagKey cannot be prefixed with aws:").With("TagKey", t.Key)
		case seen[t.Key]:
			return errInvalidTag.WithMessage("Cannot provide multiple Tags with the same key").With("TagKey", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

func validateObjectTags(tags []tag) error {
	return validateTags(tags, maxObjectTags, "Object tags cannot be greater than "+strconv.Itoa(maxObjectTags))
}

func validateBucketTags(tags []tag) error {
	return validateTags(tags, maxBucketTags, "Bucket tag count cannot be greater than "+strconv.Itoa(maxBucketTags))
}

// errTaggingHeader is S3's answer to an x-amz-tagging header it cannot parse.
var errTaggingHeader = errInvalidArgument.WithMessage("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")

// parseTaggingHeader reads x-amz-tagging ("k1=v1&k2=v2", URL-query encoded)
// and validates it as an object tag set.
func parseTaggingHeader(v string) ([]tag, error) {
	if v == "" {
		return nil, nil
	}
	var tags []tag
	seen := map[string]bool{}
	for _, pair := range strings.Split(v, "&") {
		if pair == "" {
			continue
		}
		rawK, rawV, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(rawK)
		val, err2 := url.QueryUnescape(rawV)
		if err1 != nil || err2 != nil {
			return nil, errTaggingHeader.With("ArgumentName", "x-amz-tagging").With("ArgumentValue", v)
		}
		if seen[k] {
			return nil, errTaggingHeader.With("ArgumentName", "x-amz-tagging").With("ArgumentValue", v)
		}
		seen[k] = true
		tags = append(tags, tag{Key: k, Value: val})
	}
	if err := validateObjectTags(tags); err != nil {
		return nil, err
	}
	return tags, nil
}

// readTaggingBody reads and decodes a Tagging document; a missing TagSet,
// Key or Value is MalformedXML. Content-MD5 / x-amz-checksum-* are verified
// when present; checksumRequired makes one mandatory (PutBucketTagging, where
// S3 documents the integrity header as required).
func readTaggingBody(r *http.Request, checksumRequired bool) ([]tag, error) {
	body, err := readSmallVerifiedBody(r, maxTaggingBody, checksumRequired)
	if err != nil {
		return nil, err
	}
	var doc xmlTaggingIn
	if err := xml.Unmarshal(body, &doc); err != nil || doc.TagSet == nil {
		return nil, errMalformedXML
	}
	return tagsFromXML(doc.TagSet.Tags)
}

func tagsFromXML(in []xmlTagIn) ([]tag, error) {
	tags := make([]tag, 0, len(in))
	for _, t := range in {
		if t.Key == nil || t.Value == nil {
			return nil, errMalformedXML
		}
		tags = append(tags, tag{Key: *t.Key, Value: *t.Value})
	}
	return tags, nil
}

func taggingDocument(tags []tag) xmlTagging {
	doc := xmlTagging{Xmlns: s3XMLNS, TagSet: make([]xmlTag, 0, len(tags))}
	for _, t := range tags {
		doc.TagSet = append(doc.TagSet, xmlTag{Key: t.Key, Value: t.Value})
	}
	return doc
}

func (s *Service) getObjectTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	if err := checkVersionID(r, rt.Bucket, rt.Key); err != nil {
		return err
	}
	meta, err := s.loadObject(r, rt.Bucket, rt.Key)
	if err != nil {
		return err
	}
	return writeXMLResponse(w, http.StatusOK, taggingDocument(meta.Tags))
}

func (s *Service) putObjectTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	if err := checkVersionID(r, rt.Bucket, rt.Key); err != nil {
		return err
	}
	tags, err := readTaggingBody(r, false)
	if err != nil {
		return withResource(err, objectResource(rt.Bucket, rt.Key))
	}
	if err := validateObjectTags(tags); err != nil {
		return withResource(err, objectResource(rt.Bucket, rt.Key))
	}
	if err := s.updateObject(rt.Bucket, rt.Key, func(m *objectMeta) { m.Tags = tags }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) deleteObjectTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	if err := checkVersionID(r, rt.Bucket, rt.Key); err != nil {
		return err
	}
	if err := s.updateObject(rt.Bucket, rt.Key, func(m *objectMeta) { m.Tags = nil }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) getBucketTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	bm, err := s.loadBucket(r, rt.Bucket)
	if err != nil {
		return err
	}
	if len(bm.Tags) == 0 {
		return errNoSuchTagSet.WithResource(bucketResource(rt.Bucket)).With("BucketName", rt.Bucket)
	}
	return writeXMLResponse(w, http.StatusOK, taggingDocument(bm.Tags))
}

func (s *Service) putBucketTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	if _, err := s.loadBucket(r, rt.Bucket); err != nil {
		return err // before reading the body: an unknown bucket is the first thing S3 reports
	}
	tags, err := readTaggingBody(r, true)
	if err != nil {
		return withResource(err, bucketResource(rt.Bucket))
	}
	if err := validateBucketTags(tags); err != nil {
		return withResource(err, bucketResource(rt.Bucket))
	}
	if err := s.updateBucket(rt.Bucket, func(b *bucketMeta) { b.Tags = tags }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) deleteBucketTagging(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	if err := s.updateBucket(rt.Bucket, func(b *bucketMeta) { b.Tags = nil }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// updateObject applies change to bucket/key's record in one transaction
// (metadata only: the object's pieces and ETag stay as they are).
func (s *Service) updateObject(bucket, key string, change func(*objectMeta)) error {
	err := s.kv.Update(func(tx kv.Writer) error {
		meta, err := getObjectTx(tx, bucket, key)
		if err != nil {
			return err
		}
		change(meta)
		return putJSON(tx, objectKey(bucket, key), meta)
	})
	return asServiceError(err)
}

// updateBucket applies change to bucket's record in one transaction.
func (s *Service) updateBucket(bucket string, change func(*bucketMeta)) error {
	err := s.kv.Update(func(tx kv.Writer) error {
		var bm bucketMeta
		if err := getJSON(tx, bucketKey(bucket), &bm); err != nil {
			if isNotFound(err) {
				return noSuchBucket(bucket)
			}
			return err
		}
		change(&bm)
		return putJSON(tx, bucketKey(bucket), &bm)
	})
	return asServiceError(err)
}
