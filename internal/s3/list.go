package s3

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// listMaxKeys is both the default and the cap of max-keys (and max-uploads, max-parts).
const listMaxKeys = 1000

// listSeekAfter is how many keys inside one collapsed common prefix the lister
// steps over before it seeks past the prefix instead: stepping is cheaper for
// a few keys, seeking for many.
const listSeekAfter = 8

// listQuery is a parsed ListObjects / ListObjectsV2 request.
type listQuery struct {
	prefix, delimiter string
	// after is the exclusive lower bound: start-after, marker or the decoded
	// continuation token. Returned keys and common prefixes are all > after.
	after     string
	maxKeys   int
	urlEncode bool
}

// listPage is what the lister found on one page besides the objects, which
// it hands to the listWriter as it goes.
type listPage struct {
	objects  int
	prefixes []string
	// truncated is true when more keys or prefixes follow.
	truncated bool
	// last is the greatest key or common prefix returned: the next page
	// starts after it.
	last []byte
}

func (p *listPage) count() int { return p.objects + len(p.prefixes) }

// A ListBucketResult is streamed: the elements known before the walk (Name,
// Prefix, markers, MaxKeys...), then each <Contents> as the lister reaches
// it, then CommonPrefixes and the elements only the end of the walk decides
// (KeyCount, IsTruncated, the next marker). Element order carries no meaning
// to S3's XML clients, and streaming lets a client decode a page while the
// server is still producing it, which matters because client-side decoding
// is the larger half of listing time.

func (s *Service) listObjectsV2(w http.ResponseWriter, r *http.Request, rt awsproto.Route) (err error) {
	defer func() { err = withResource(err, bucketResource(rt.Bucket)) }()
	q := r.URL.Query()
	lq, err := parseListQuery(q)
	if err != nil {
		return err
	}
	token, hasToken := q.Get("continuation-token"), q.Has("continuation-token")
	startAfter := q.Get("start-after")
	lq.after = startAfter
	if hasToken {
		after, err := decodeListToken(token)
		if err != nil {
			return err
		}
		lq.after = after // the token supersedes start-after
	}

	head := listResultStart(&lq, rt.Bucket)
	if hasToken {
		listElem(head, "ContinuationToken", token)
	}
	if startAfter != "" {
		listElem(head, "StartAfter", lq.encode(startAfter))
	}
	listCommonFields(head, &lq)
	tail := func(b *bytes.Buffer, page *listPage) {
		listElem(b, "KeyCount", strconv.Itoa(page.count()))
		listElem(b, "IsTruncated", strconv.FormatBool(page.truncated))
		if page.truncated {
			listElem(b, "NextContinuationToken", encodeListToken(page.last))
		}
	}
	return s.streamListing(w, r, rt.Bucket, &lq, strings.EqualFold(q.Get("fetch-owner"), "true"), head.Bytes(), tail)
}

func (s *Service) listObjects(w http.ResponseWriter, r *http.Request, rt awsproto.Route) (err error) {
	defer func() { err = withResource(err, bucketResource(rt.Bucket)) }()
	q := r.URL.Query()
	lq, err := parseListQuery(q)
	if err != nil {
		return err
	}
	lq.after = q.Get("marker")

	head := listResultStart(&lq, rt.Bucket)
	listElem(head, "Marker", lq.encode(lq.after))
	listCommonFields(head, &lq)
	tail := func(b *bytes.Buffer, page *listPage) {
		listElem(b, "IsTruncated", strconv.FormatBool(page.truncated))
		// AWS sends NextMarker only with a delimiter; without one the
		// client continues from the last Key.
		if page.truncated && lq.delimiter != "" {
			listElem(b, "NextMarker", lq.encode(string(page.last)))
		}
	}
	return s.streamListing(w, r, rt.Bucket, &lq, true, head.Bytes(), tail)
}

// parseListQuery reads the parameters ListObjects and ListObjectsV2 share.
func parseListQuery(q url.Values) (listQuery, error) {
	lq := listQuery{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), maxKeys: listMaxKeys}
	if q.Has("max-keys") {
		raw := q.Get("max-keys")
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil || n < 0 {
			return lq, invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", raw)
		}
		lq.maxKeys = int(min(n, listMaxKeys))
	}
	switch et := q.Get("encoding-type"); et {
	case "":
	case "url":
		lq.urlEncode = true
	default:
		return lq, invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", et)
	}
	return lq, nil
}

// encodeListToken makes the opaque continuation token for a page ending at last.
func encodeListToken(last []byte) string {
	return base64.StdEncoding.EncodeToString(last)
}

func decodeListToken(token string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil || token == "" {
		return "", invalidArgument("The continuation token provided is incorrect", "continuation-token", token)
	}
	return string(raw), nil
}

// streamListing answers a listing from one consistent snapshot: NoSuchBucket
// if the bucket record is absent (AccessDenied for another expected owner), else the document (head, the objects,
// then the common prefixes and what tail writes). withOwner adds <Owner> to
// each object.
func (s *Service) streamListing(w http.ResponseWriter, r *http.Request, bucket string, lq *listQuery, withOwner bool, head []byte, tail func(*bytes.Buffer, *listPage)) error {
	return asServiceError(s.kv.View(func(tx kv.Reader) error {
		var bm bucketMeta
		if err := getBucketTx(tx, bucket, &bm); err != nil {
			return err
		}
		if err := checkExpectedOwner(r, &bm); err != nil {
			return err
		}
		lw := newListWriter(w, lq, head, bm.Owner, withOwner)
		var page listPage
		if err := listKeys(tx, bucket, lq, &page, lw); err != nil {
			return err
		}
		return lw.finish(&page, tail)
	}))
}

// listKeys walks the bucket's object records in byte order from just after
// lq.after, collapsing keys that share prefix+…+delimiter into one common
// prefix, and fills page. After a few keys inside a collapsed prefix it seeks
// past the whole prefix, so a directory of a million keys costs one seek, not
// a million steps.
func listKeys(tx kv.Reader, bucket string, lq *listQuery, page *listPage, lw *listWriter) error {
	if lq.maxKeys == 0 {
		return nil
	}
	base := objectPrefix(bucket)
	end := objectRangeEnd(bucket)
	if lq.prefix != "" {
		if succ := listKeySuccessor(append(bytes.Clone(base), lq.prefix...)); succ != nil {
			end = succ
		}
	}
	start := append(bytes.Clone(base), lq.prefix...)
	if lq.after >= lq.prefix {
		// First key strictly greater than after.
		start = append(append(bytes.Clone(base), lq.after...), 0)
	}
	prefix, delim, after := []byte(lq.prefix), []byte(lq.delimiter), []byte(lq.after)
	// kv's slices die when the callback returns: what outlives one key is
	// copied into buffers reused from key to key.
	var skipBuf []byte
	for start != nil {
		var seek []byte
		var skipping []byte // the common prefix whose keys are being stepped over (in skipBuf)
		skipped := 0
		err := tx.Iterate(start, end, func(k, v []byte) (bool, error) {
			key := k[len(base):]
			if skipping != nil {
				if bytes.HasPrefix(key, skipping) {
					if skipped++; skipped >= listSeekAfter {
						seek = listKeySuccessor(append(bytes.Clone(base), skipping...))
						return false, nil
					}
					return true, nil
				}
				skipping = nil
			}
			if len(delim) > 0 {
				if i := bytes.Index(key[len(prefix):], delim); i >= 0 {
					cp := key[:len(prefix)+i+len(delim)]
					skipBuf = append(skipBuf[:0], cp...)
					skipping, skipped = skipBuf, 0
					if bytes.Compare(cp, after) <= 0 {
						// Already returned (the previous page ended on it) or before start-after.
						return true, nil
					}
					if page.count() == lq.maxKeys {
						page.truncated = true
						return false, nil
					}
					page.prefixes = append(page.prefixes, string(cp))
					page.last = append(page.last[:0], cp...)
					return true, nil
				}
			}
			if page.count() == lq.maxKeys {
				page.truncated = true
				return false, nil
			}
			if err := lw.add(key, v); err != nil {
				return false, err
			}
			page.objects++
			page.last = append(page.last[:0], key...)
			return true, nil
		})
		if err != nil {
			return err
		}
		start = seek
	}
	return nil
}

// listKeySuccessor returns the smallest byte string greater than every string
// that has p as a prefix, or nil if there is none (p is all 0xFF).
func listKeySuccessor(p []byte) []byte {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] != 0xFF {
			succ := bytes.Clone(p[:i+1])
			succ[i]++
			return succ
		}
	}
	return nil
}

// encode applies encoding-type=url to a key-like value when it was asked for.
func (lq *listQuery) encode(s string) string {
	if !lq.urlEncode {
		return s
	}
	return listURLEncode(s)
}

// listURLEncode percent-encodes s as S3 does for encoding-type=url: unreserved
// characters and "/" stay, everything else (space, "+", non-ASCII bytes…)
// becomes %XX. botocore decodes with unquote_plus, so "+" must never be sent raw.
func listURLEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !listURLKeep(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	out := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if listURLKeep(c) {
			out = append(out, c)
		} else {
			out = append(out, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return string(out)
}

func listURLKeep(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
}
