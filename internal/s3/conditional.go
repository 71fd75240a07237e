package s3

import (
	"net/http"
	"strings"
	"time"
)

// preconditions are the four conditional request headers, under the names a
// request uses for them (GetObject: If-Match...; CopyObject:
// x-amz-copy-source-if-match...).
type preconditions struct {
	ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince                 string
	ifMatchName, ifNoneMatchName, ifModifiedSinceName, ifUnmodifiedSinceName string
}

func readPreconditions(h http.Header) preconditions {
	return preconditions{
		ifMatch: h.Get("If-Match"), ifNoneMatch: h.Get("If-None-Match"),
		ifModifiedSince: h.Get("If-Modified-Since"), ifUnmodifiedSince: h.Get("If-Unmodified-Since"),
		ifMatchName: "If-Match", ifNoneMatchName: "If-None-Match",
		ifModifiedSinceName: "If-Modified-Since", ifUnmodifiedSinceName: "If-Unmodified-Since",
	}
}

func readCopySourcePreconditions(h http.Header) preconditions {
	return preconditions{
		ifMatch: h.Get("X-Amz-Copy-Source-If-Match"), ifNoneMatch: h.Get("X-Amz-Copy-Source-If-None-Match"),
		ifModifiedSince:     h.Get("X-Amz-Copy-Source-If-Modified-Since"),
		ifUnmodifiedSince:   h.Get("X-Amz-Copy-Source-If-Unmodified-Since"),
		ifMatchName:         "x-amz-copy-source-If-Match",
		ifNoneMatchName:     "x-amz-copy-source-If-None-Match",
		ifModifiedSinceName: "x-amz-copy-source-If-Modified-Since", ifUnmodifiedSinceName: "x-amz-copy-source-If-Unmodified-Since",
	}
}

// conditionOutcome is the result of evaluating preconditions.
type conditionOutcome int

const (
	conditionsHold       conditionOutcome = iota
	conditionFailed                       // 412 PreconditionFailed
	conditionNotModified                  // 304 on GET/HEAD, 412 on a copy source
)

// evaluate applies RFC 7232 §6 as S3 documents it: If-Match (or, without it,
// If-Unmodified-Since) first, then If-None-Match (or, without it,
// If-Modified-Since). So If-Match true + If-Unmodified-Since false proceeds,
// and If-None-Match false + If-Modified-Since true is "not modified". It
// returns the outcome and the header that decided it.
func (p preconditions) evaluate(etag string, lastModified time.Time) (conditionOutcome, string) {
	mtime := lastModified.UTC().Truncate(time.Second) // HTTP dates have whole seconds
	if p.ifMatch != "" {
		if !etagListMatches(p.ifMatch, etag) {
			return conditionFailed, p.ifMatchName
		}
	} else if t, ok := parseHTTPDate(p.ifUnmodifiedSince); ok && mtime.After(t) {
		return conditionFailed, p.ifUnmodifiedSinceName
	}
	if p.ifNoneMatch != "" {
		if etagListMatches(p.ifNoneMatch, etag) {
			return conditionNotModified, p.ifNoneMatchName
		}
	} else if t, ok := parseHTTPDate(p.ifModifiedSince); ok && !mtime.After(t) {
		return conditionNotModified, p.ifModifiedSinceName
	}
	return conditionsHold, ""
}

// checkReadPreconditions evaluates GET/HEAD conditions against meta:
// 412 PreconditionFailed or 304 Not Modified (which carries the validators).
func checkReadPreconditions(h http.Header, meta *objectMeta, resource string) error {
	outcome, header := readPreconditions(h).evaluate(meta.ETag, meta.LastModified)
	switch outcome {
	case conditionFailed:
		return errPreconditionFailed.WithResource(resource).With("Condition", header)
	case conditionNotModified:
		e := errNotModified.WithResource(resource)
		e.Header = http.Header{}
		e.Header.Set("ETag", quoteETag(meta.ETag))
		e.Header.Set("Last-Modified", httpTime(meta.LastModified))
		return e
	}
	return nil
}

// checkCopySourcePreconditions evaluates x-amz-copy-source-if-* against the
// source object; every failure is 412.
func checkCopySourcePreconditions(h http.Header, src *objectMeta, resource string) error {
	if outcome, header := readCopySourcePreconditions(h).evaluate(src.ETag, src.LastModified); outcome != conditionsHold {
		return errPreconditionFailed.WithResource(resource).With("Condition", header)
	}
	return nil
}

// writeCondition is a PutObject's conditional-write request: If-None-Match: *
// (create only) or If-Match: <etag> (replace only that version).
type writeCondition struct {
	ifNoneMatch string
	ifMatch     string
}

// readWriteCondition parses PutObject's conditional headers. S3 supports only
// "*" for If-None-Match on writes.
func readWriteCondition(h http.Header) (writeCondition, error) {
	wc := writeCondition{ifNoneMatch: strings.TrimSpace(h.Get("If-None-Match")), ifMatch: strings.TrimSpace(h.Get("If-Match"))}
	if wc.ifNoneMatch != "" && wc.ifNoneMatch != "*" {
		return wc, errNotImplemented.With("Header", "If-None-Match")
	}
	return wc, nil
}

func (wc writeCondition) empty() bool { return wc.ifNoneMatch == "" && wc.ifMatch == "" }

// check decides the write against the current object (nil when there is
// none). It runs inside the transaction that installs the new object, so the
// decision and the write are atomic.
func (wc writeCondition) check(bucket, key string, current *objectMeta) error {
	if wc.ifNoneMatch == "*" && current != nil {
		return errPreconditionFailed.WithResource(objectResource(bucket, key)).With("Condition", "If-None-Match")
	}
	if wc.ifMatch != "" {
		if current == nil {
			return noSuchKey(bucket, key)
		}
		if !etagListMatches(wc.ifMatch, current.ETag) {
			return errPreconditionFailed.WithResource(objectResource(bucket, key)).With("Condition", "If-Match")
		}
	}
	return nil
}

// etagListMatches reports whether etag is in a comma-separated If-Match /
// If-None-Match list ("*" matches any existing object). Quotes and a weak
// prefix are ignored: S3 ETags are strong and clients send them either way.
func etagListMatches(list, etag string) bool {
	for _, candidate := range strings.Split(list, ",") {
		c := strings.TrimSpace(candidate)
		if c == "*" || unquoteETag(c) == etag {
			return true
		}
	}
	return false
}

// parseHTTPDate parses an HTTP date; invalid dates make the condition ignored (RFC 7232).
func parseHTTPDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
