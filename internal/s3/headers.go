package s3

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// maxUserMetadataSize is S3's limit on the user-defined metadata of a PUT
// request: the UTF-8 bytes of every x-amz-meta-* name (without the prefix)
// plus its value.
const maxUserMetadataSize = 2048

// defaultContentType is what S3 stores when a PUT names no Content-Type.
const defaultContentType = "binary/octet-stream"

// storageClasses are the x-amz-storage-class values S3 accepts.
var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "OUTPOSTS": true,
	"GLACIER_IR": true, "SNOW": true, "EXPRESS_ONEZONE": true, "FSX_OPENZFS": true,
}

// archivedStorageClass reports whether objects of class sc must be restored
// before GetObject or a copy may read them.
func archivedStorageClass(sc string) bool { return sc == "GLACIER" || sc == "DEEP_ARCHIVE" }

// readStorageClass returns the request's x-amz-storage-class ("STANDARD" when absent).
func readStorageClass(h http.Header) (string, error) {
	sc := h.Get("X-Amz-Storage-Class")
	if sc == "" {
		return "STANDARD", nil
	}
	if !storageClasses[sc] {
		return "", errInvalidStorageClass.With("StorageClassRequested", sc)
	}
	return sc, nil
}

// readContentHeaders fills meta's standard content headers and user metadata
// from a request that creates an object (PutObject, CreateMultipartUpload,
// CopyObject with REPLACE).
func readContentHeaders(h http.Header, meta *objectMeta) error {
	if err := checkObjectCreationHeaders(h); err != nil {
		return err
	}
	meta.ContentType = h.Get("Content-Type")
	if meta.ContentType == "" {
		meta.ContentType = defaultContentType
	}
	meta.ContentEncoding = stripAWSChunked(h.Get("Content-Encoding"))
	meta.ContentDisposition = h.Get("Content-Disposition")
	meta.ContentLanguage = h.Get("Content-Language")
	meta.CacheControl = h.Get("Cache-Control")
	meta.Expires = h.Get("Expires")
	meta.WebsiteRedirect = h.Get("X-Amz-Website-Redirect-Location")
	um, err := readUserMetadata(h)
	if err != nil {
		return err
	}
	meta.UserMetadata = um
	return nil
}

// stripAWSChunked removes the aws-chunked transfer coding from a
// Content-Encoding value ("gzip,aws-chunked" → "gzip"): it describes the
// request framing, not the object.
func stripAWSChunked(ce string) string {
	if !strings.Contains(strings.ToLower(ce), "aws-chunked") {
		return ce
	}
	var kept []string
	for _, part := range strings.Split(ce, ",") {
		part = strings.TrimSpace(part)
		if part != "" && !strings.EqualFold(part, "aws-chunked") {
			kept = append(kept, part)
		}
	}
	return strings.Join(kept, ",")
}

// readUserMetadata collects x-amz-meta-* headers under lower-case names
// (repeated headers joined with ",", as S3 does) and enforces the 2 KB limit.
func readUserMetadata(h http.Header) (map[string]string, error) {
	var um map[string]string
	size := 0
	for name, values := range h {
		if len(name) <= len("x-amz-meta-") || !strings.EqualFold(name[:len("x-amz-meta-")], "x-amz-meta-") {
			continue
		}
		if um == nil {
			um = map[string]string{}
		}
		n := strings.ToLower(name[len("x-amz-meta-"):])
		v := strings.Join(values, ",")
		if prev, ok := um[n]; ok { // same name in two spellings
			v = prev + "," + v
			size -= len(n) + len(prev)
		}
		um[n] = v
		size += len(n) + len(v)
	}
	if size > maxUserMetadataSize {
		return nil, errMetadataTooLarge.With("Size", strconv.Itoa(size)).With("MaxSizeAllowed", strconv.Itoa(maxUserMetadataSize))
	}
	return um, nil
}

// responseOverrides are GetObject's response-* query parameters and the
// header each replaces.
var responseOverrides = []struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// setObjectHeaders writes the headers GetObject and HeadObject share:
// validators, content headers (with response-* overrides), user metadata,
// storage class, tag count and encryption.
func setObjectHeaders(h http.Header, meta *objectMeta, query url.Values) {
	h.Set("Last-Modified", httpTime(meta.LastModified))
	h.Set("ETag", quoteETag(meta.ETag))
	h.Set("Accept-Ranges", "bytes")
	ct := meta.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	h.Set("Content-Type", ct)
	for _, kv := range []struct{ name, value string }{
		{"Content-Encoding", meta.ContentEncoding},
		{"Content-Disposition", meta.ContentDisposition},
		{"Content-Language", meta.ContentLanguage},
		{"Cache-Control", meta.CacheControl},
		{"Expires", meta.Expires},
	} {
		if kv.value != "" {
			h.Set(kv.name, kv.value)
		}
	}
	for _, o := range responseOverrides {
		if v := query.Get(o.param); v != "" {
			h.Set(o.header, v)
		}
	}
	names := make([]string, 0, len(meta.UserMetadata))
	for n := range meta.UserMetadata {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// Set directly: S3 sends these names in lower case.
		h["x-amz-meta-"+n] = []string{meta.UserMetadata[n]}
	}
	if meta.WebsiteRedirect != "" {
		h.Set("X-Amz-Website-Redirect-Location", meta.WebsiteRedirect)
	}
	if meta.StorageClass != "" && meta.StorageClass != "STANDARD" {
		h.Set("X-Amz-Storage-Class", meta.StorageClass)
	}
	if len(meta.Tags) > 0 {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(len(meta.Tags)))
	}
	h.Set("X-Amz-Server-Side-Encryption", "AES256")
}

// setChecksumHeaders writes x-amz-checksum-<alg> (and x-amz-checksum-type when known).
func setChecksumHeaders(h http.Header, ck checksumInfo) {
	if ck.Algorithm == "" || ck.Value == "" {
		return
	}
	h.Set(checksumHeader(ck.Algorithm), ck.Value)
	if ck.Type != "" {
		h.Set("X-Amz-Checksum-Type", ck.Type)
	}
}

// checkObjectCreationHeaders refuses what a request that creates an object
// may ask for but Tributary cannot honour, rather than pretending to:
// Object Lock settings (no bucket here has an Object Lock configuration,
// which is S3's own answer), and encryption other than SSE-S3 (every object
// is reported as AES256, S3's default).
func checkObjectCreationHeaders(h http.Header) error {
	for _, name := range []string{"X-Amz-Object-Lock-Mode", "X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Object-Lock-Legal-Hold"} {
		if h.Get(name) != "" {
			return errInvalidRequest.WithMessage("Bucket is missing Object Lock Configuration")
		}
	}
	switch sse := h.Get("X-Amz-Server-Side-Encryption"); sse {
	case "", "AES256":
	case "aws:kms", "aws:kms:dsse":
		return errNotImplemented.With("Header", "x-amz-server-side-encryption")
	default:
		return invalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", sse)
	}
	for _, name := range []string{"X-Amz-Server-Side-Encryption-Customer-Algorithm", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"} {
		if h.Get(name) != "" {
			return errNotImplemented.With("Header", strings.ToLower(name))
		}
	}
	return nil
}
