package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

const (
	// defaultBucketRegion is where a bucket goes when CreateBucket names no
	// LocationConstraint: S3's us-east-1, the region without a constraint.
	defaultBucketRegion = "us-east-1"
	// maxListBuckets is ListBuckets' page size limit (and default when paging).
	maxListBuckets = 10000
	// maxCreateBucketBody bounds the CreateBucketConfiguration document.
	maxCreateBucketBody = 64 << 10
)

// regionPattern accepts AWS region codes (us-east-1, eu-central-2,
// us-gov-west-1, cn-north-1, ap-southeast-7, ...).
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)

// listBuckets is GET / : the caller's buckets in name order, with S3's
// optional prefix, bucket-region, max-buckets and continuation-token.
func (s *Service) listBuckets(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	q := r.URL.Query()
	account := s.callerAccount(r.Context())
	prefix, region, token := q.Get("prefix"), q.Get("bucket-region"), q.Get("continuation-token")
	paged := q.Has("max-buckets") || q.Has("prefix") || q.Has("bucket-region") || q.Has("continuation-token")
	limit := maxListBuckets
	if v := q.Get("max-buckets"); q.Has("max-buckets") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListBuckets {
			return invalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", v)
		}
		limit = n
	}
	start := bucketKey(prefix)
	if token != "" {
		after, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return invalidArgument("The continuation token provided is incorrect", "continuation-token", token)
		}
		if k := append(bucketKey(string(after)), 0); bytes.Compare(k, start) > 0 {
			start = k
		}
	}
	result := xmlListAllMyBucketsResult{Xmlns: s3XMLNS, Owner: ownerOf(account), Buckets: []xmlBucketItem{}}
	if q.Has("prefix") {
		result.Prefix = prefix
	}
	var last string
	truncated := false
	err := s.kv.View(func(tx kv.Reader) error {
		return tx.Iterate(start, []byte(prefixBucket[:len(prefixBucket)-1]+"0"), func(k, v []byte) (bool, error) {
			name := string(k[len(prefixBucket):])
			if !strings.HasPrefix(name, prefix) {
				return false, nil
			}
			var bm bucketMeta
			if err := json.Unmarshal(v, &bm); err != nil {
				return false, err
			}
			if bm.Owner != account || (region != "" && bm.Region != region) {
				return true, nil
			}
			if len(result.Buckets) == limit {
				truncated = true
				return false, nil
			}
			item := xmlBucketItem{Name: bm.Name, CreationDate: xmlTime(bm.CreationDate)}
			if paged {
				item.BucketRegion = bm.Region
			}
			result.Buckets = append(result.Buckets, item)
			last = bm.Name
			return true, nil
		})
	})
	if err != nil {
		return asServiceError(err)
	}
	if truncated {
		result.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
	}
	return writeXMLResponse(w, http.StatusOK, result)
}

// createBucket is PUT /{bucket} with an optional CreateBucketConfiguration.
// Names are validated as S3 does; the namespace is global, so a bucket owned
// by another account is BucketAlreadyExists. Re-creating your own bucket is
// BucketAlreadyOwnedByYou, except in us-east-1 where S3 keeps its legacy 200.
func (s *Service) createBucket(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	bucket := rt.Bucket
	resource := bucketResource(bucket)
	if !validBucketName(bucket) {
		return errInvalidBucketName.WithResource(resource).With("BucketName", bucket)
	}
	if strings.EqualFold(r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true") {
		// Object Lock is not built; creating the bucket without it would be a fake success.
		return errNotImplemented.WithResource(resource).With("Header", "x-amz-bucket-object-lock-enabled")
	}
	cfg, err := readCreateBucketConfiguration(r)
	if err != nil {
		return withResource(err, resource)
	}
	region, err := s.bucketRegion(rt.Region, cfg)
	if err != nil {
		return withResource(err, resource)
	}
	var tags []tag
	if cfg != nil && cfg.Tags != nil {
		if tags, err = tagsFromXML(cfg.Tags.Tags); err != nil {
			return withResource(err, resource)
		}
		if err := validateBucketTags(tags); err != nil {
			return withResource(err, resource)
		}
	}
	account := s.callerAccount(r.Context())
	bm := bucketMeta{Name: bucket, Region: region, Owner: account, CreationDate: s.now(), Tags: tags}
	err = s.kv.Update(func(tx kv.Writer) error {
		var existing bucketMeta
		switch err := getJSON(tx, bucketKey(bucket), &existing); {
		case err == nil:
			if existing.Owner != account {
				return errBucketAlreadyExists.WithResource(resource).With("BucketName", bucket)
			}
			if existing.Region == defaultBucketRegion {
				return nil // legacy us-east-1 behaviour: success, nothing changes
			}
			return errBucketAlreadyOwnedByYou.WithResource(resource).With("BucketName", bucket)
		case !isNotFound(err):
			return err
		}
		return putJSON(tx, bucketKey(bucket), &bm)
	})
	if err != nil {
		return asServiceError(err)
	}
	w.Header().Set("Location", "/"+bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

// readCreateBucketConfiguration decodes CreateBucket's optional body (nil when empty).
func readCreateBucketConfiguration(r *http.Request) (*xmlCreateBucketConfiguration, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCreateBucketBody+1))
	if err != nil {
		if e := awsproto.As(err); e != nil {
			return nil, e
		}
		return nil, errIncompleteBody.WithCause(err)
	}
	if len(body) > maxCreateBucketBody {
		return nil, errMalformedXML
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	var cfg xmlCreateBucketConfiguration
	if err := xml.Unmarshal(body, &cfg); err != nil {
		return nil, errMalformedXML
	}
	return &cfg, nil
}

// bucketRegion decides where a new bucket lives. Without a constraint the
// bucket goes to us-east-1, which S3 allows only on requests signed for
// us-east-1 (or unsigned ones, where the configured default applies);
// an explicit constraint must be a real region other than us-east-1 ("EU"
// is S3's old name for eu-west-1) and, off us-east-1, match the request's.
func (s *Service) bucketRegion(requestRegion string, cfg *xmlCreateBucketConfiguration) (string, error) {
	if cfg == nil || cfg.LocationConstraint == nil || *cfg.LocationConstraint == "" {
		switch {
		case requestRegion == "":
			if s.cfg.Region != "" {
				return s.cfg.Region, nil
			}
			return defaultBucketRegion, nil
		case requestRegion == defaultBucketRegion:
			return defaultBucketRegion, nil
		default:
			return "", errIllegalLocation
		}
	}
	lc := *cfg.LocationConstraint
	region := lc
	if lc == "EU" {
		region = "eu-west-1"
	}
	if region == defaultBucketRegion || !regionPattern.MatchString(region) {
		return "", errInvalidLocation.With("LocationConstraint", lc)
	}
	if requestRegion != "" && requestRegion != defaultBucketRegion && requestRegion != region {
		return "", errIllegalLocation.WithMessage("The " + lc + " location constraint is incompatible for the region specific endpoint this request was sent to.")
	}
	return region, nil
}

// deleteBucket removes an empty bucket and its bucket-level records. Objects
// or in-progress multipart uploads make it BucketNotEmpty.
func (s *Service) deleteBucket(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	bucket := rt.Bucket
	var orphanBlobs []string
	err := s.kv.Update(func(tx kv.Writer) error {
		orphanBlobs = nil
		var bm bucketMeta
		if err := getBucketTx(tx, bucket, &bm); err != nil {
			return err
		}
		if err := checkExpectedOwner(r, &bm); err != nil {
			return err
		}
		for _, rng := range [][2][]byte{
			{objectPrefix(bucket), objectRangeEnd(bucket)},
			{uploadPrefix(bucket), uploadRangeEnd(bucket)},
		} {
			empty, err := rangeEmpty(tx, rng[0], rng[1])
			if err != nil {
				return err
			}
			if !empty {
				return errBucketNotEmpty.WithResource(bucketResource(bucket)).With("BucketName", bucket)
			}
		}
		// Part records without their upload should not exist; if a crash
		// left some, they go with the bucket.
		var partKeys [][]byte
		err := tx.Iterate([]byte(prefixPart+bucket+"/"), []byte(prefixPart+bucket+"0"), func(k, v []byte) (bool, error) {
			var pm partMeta
			if err := json.Unmarshal(v, &pm); err == nil && pm.BlobID != "" {
				orphanBlobs = append(orphanBlobs, pm.BlobID)
			}
			partKeys = append(partKeys, append([]byte(nil), k...))
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, k := range partKeys {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
		return tx.Delete(bucketKey(bucket))
	})
	if err != nil {
		return asServiceError(err)
	}
	for _, id := range orphanBlobs {
		s.discardBlob(id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rangeEmpty reports whether [start, end) holds no key.
func rangeEmpty(tx kv.Reader, start, end []byte) (bool, error) {
	empty := true
	err := tx.Iterate(start, end, func(k, v []byte) (bool, error) {
		empty = false
		return false, nil
	})
	return empty, err
}

func (s *Service) headBucket(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	bm, err := s.loadBucket(r, rt.Bucket)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("X-Amz-Bucket-Region", bm.Region)
	h.Set("X-Amz-Access-Point-Alias", "false")
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketLocation answers the bucket's region; us-east-1 is the empty
// constraint, as S3 reports it.
func (s *Service) getBucketLocation(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	bm, err := s.loadBucket(r, rt.Bucket)
	if err != nil {
		return err
	}
	lc := bm.Region
	if lc == defaultBucketRegion {
		lc = ""
	}
	return writeXMLResponse(w, http.StatusOK, xmlLocationConstraint{Xmlns: s3XMLNS, Region: lc})
}
