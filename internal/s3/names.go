package s3

import (
	"strconv"
	"strings"
)

// maxKeyLength is S3's limit on an object key, in UTF-8 bytes.
const maxKeyLength = 1024

// Reserved bucket-name prefixes and suffixes (general purpose buckets).
// Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// validBucketName reports whether name follows S3's naming rules for
// general purpose buckets: 3–63 characters of lowercase letters, digits,
// dots and hyphens, starting and ending with a letter or digit, no two
// adjacent dots, not an IPv4 address, and none of the reserved prefixes or
// suffixes.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return false
			}
		default:
			return false
		}
	}
	if strings.Contains(name, "..") {
		return false
	}
	if looksLikeIPv4(name) {
		return false
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, sfx := range reservedBucketSuffixes {
		if strings.HasSuffix(name, sfx) {
			return false
		}
	}
	return true
}

// checkKey rejects keys S3 would: longer than 1024 bytes (KeyTooLongError).
func checkKey(bucket, key string) error {
	if len(key) > maxKeyLength {
		return errKeyTooLong.WithResource(objectResource(bucket, key)).
			With("Size", strconv.Itoa(len(key))).With("MaxSizeAllowed", strconv.Itoa(maxKeyLength))
	}
	return nil
}

// bucketResource and objectResource are the <Resource> of errors.
func bucketResource(bucket string) string      { return "/" + bucket }
func objectResource(bucket, key string) string { return "/" + bucket + "/" + key }

// looksLikeIPv4 reports whether name is four dot-separated groups of digits
// (S3 refuses bucket names "formatted as an IP address").
func looksLikeIPv4(name string) bool {
	groups := strings.Split(name, ".")
	if len(groups) != 4 {
		return false
	}
	for _, g := range groups {
		if g == "" || len(g) > 3 {
			return false
		}
		for i := 0; i < len(g); i++ {
			if g[i] < '0' || g[i] > '9' {
				return false
			}
		}
	}
	return true
}
