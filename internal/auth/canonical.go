package auth

import (
	"net/http"
	"net/textproto"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Canonical forms of the parts of a request that SigV4 signs
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
// Everything is computed from the request exactly as it arrived: the raw
// request target, the headers as received, r.Host.

const upperHex = "0123456789ABCDEF"

// isUnreserved reports whether SigV4 URI encoding leaves c as is.
func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// uriEncode encodes every byte of s except A-Za-z0-9-._~ (and '/' when
// keepSlash) as %XX with upper-case hex.
func uriEncode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isUnreserved(c) && !(keepSlash && c == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperHex[c>>4], upperHex[c&15])
	}
	return string(b)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// percentDecode undoes %XX escapes once. A '%' that does not start a valid
// escape stays literal; when plusIsSpace, '+' becomes a space (form encoding).
func percentDecode(s string, plusIsSpace bool) string {
	if strings.IndexByte(s, '%') < 0 && !(plusIsSpace && strings.IndexByte(s, '+') >= 0) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s):
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
			b = append(b, c)
		case c == '+' && plusIsSpace:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// requestPath returns the path of the request target exactly as it was sent
// (still percent-encoded), also for absolute-form targets sent through a proxy.
func requestPath(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" { // a request built in-process rather than read from the wire
		return r.URL.EscapedPath()
	}
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri = uri[:i]
	}
	if !strings.HasPrefix(uri, "/") {
		if i := strings.Index(uri, "://"); i >= 0 {
			rest := uri[i+3:]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				uri = rest[j:]
			} else {
				uri = "/"
			}
		}
	}
	if uri == "" {
		uri = "/"
	}
	return uri
}

// isS3Family reports whether a signing service follows S3's URI rule
// (path encoded once, never normalised).
func isS3Family(service string) bool {
	return service == "s3" || service == "s3-object-lambda"
}

// canonicalURIs lists the canonical URIs a client may have signed for
// rawPath, the most likely first. S3 services: the path decoded once and
// re-encoded with the SigV4 set (what botocore and aws-sdk-go-v2 sign), then
// the raw path itself for clients that sign it verbatim. Other services:
// the already-encoded path encoded again, after removing dot and empty
// segments as AWS specifies (botocore does), then without that
// normalisation (aws-sdk-go-v2 does not normalise).
func canonicalURIs(rawPath string, s3 bool) []string {
	if s3 {
		once := uriEncode(percentDecode(rawPath, false), true)
		if once == rawPath {
			return []string{once}
		}
		return []string{once, rawPath}
	}
	normalised := uriEncode(normalizePath(rawPath), true)
	asSent := uriEncode(rawPath, true)
	if normalised == asSent {
		return []string{normalised}
	}
	return []string{normalised, asSent}
}

// normalizePath removes "." and ".." segments and empty segments
// (consecutive slashes), keeping the leading slash and a trailing slash.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	out := segs[:0]
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	var b strings.Builder
	if strings.HasPrefix(p, "/") {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(out, "/"))
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		b.WriteByte('/')
	}
	return b.String()
}

// canonicalQuery returns the canonical query string of rawQuery: every
// parameter but those in omit, name and value decoded and re-encoded with the
// SigV4 set, sorted by name then value, "name=" for an empty value.
func canonicalQuery(rawQuery string, plusIsSpace bool, omit ...string) string {
	if rawQuery == "" {
		return ""
	}
	type param struct{ name, value string }
	params := make([]param, 0, strings.Count(rawQuery, "&")+1)
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		name = percentDecode(name, plusIsSpace)
		if slices.Contains(omit, name) {
			continue
		}
		params = append(params, param{uriEncode(name, false), uriEncode(percentDecode(value, plusIsSpace), false)})
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].name != params[j].name {
			return params[i].name < params[j].name
		}
		return params[i].value < params[j].value
	})
	var b strings.Builder
	b.Grow(len(rawQuery) + 16)
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// canonicalQueries lists the canonical query strings a client may have
// signed: '+' taken literally (every SDK encodes a space as %20), then, when
// the query has a raw '+', as a form-encoded space. For presigned requests
// (presigned true) X-Amz-Signature is never signed, and some signers add
// X-Amz-Security-Token after signing (the suite's post-sts-header-after), so
// the form without it is tried too.
func canonicalQueries(rawQuery string, presigned bool) []string {
	var omit [][]string
	if presigned {
		omit = append(omit, []string{"X-Amz-Signature"})
		if strings.Contains(rawQuery, "X-Amz-Security-Token=") {
			omit = append(omit, []string{"X-Amz-Signature", "X-Amz-Security-Token"})
		}
	} else {
		omit = append(omit, nil)
	}
	var out []string
	for _, plusIsSpace := range []bool{false, true} {
		if plusIsSpace && strings.IndexByte(rawQuery, '+') < 0 {
			break
		}
		for _, o := range omit {
			out = append(out, canonicalQuery(rawQuery, plusIsSpace, o...))
		}
	}
	return out
}

// headerValues returns the values of the named header as received. Go moves
// Host out of the header map, and Content-Length / Transfer-Encoding out of
// it for chunked bodies, so those come from the request's fields.
func headerValues(r *http.Request, lowerName string) []string {
	switch lowerName {
	case "host":
		return []string{r.Host}
	case "content-length":
		if v := r.Header["Content-Length"]; len(v) > 0 {
			return v
		}
		if r.ContentLength > 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	case "transfer-encoding":
		if v := r.Header["Transfer-Encoding"]; len(v) > 0 {
			return v
		}
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
		return nil
	}
	if v, ok := r.Header[textproto.CanonicalMIMEHeaderKey(lowerName)]; ok {
		return v
	}
	// A name Go could not canonicalise is stored as received.
	for k, v := range r.Header {
		if strings.EqualFold(k, lowerName) {
			return v
		}
	}
	return nil
}

// trimAll trims a header value and collapses inner runs of spaces and tabs
// to one space.
func trimAll(v string) string {
	v = strings.Trim(v, " \t")
	if !strings.Contains(v, "  ") && strings.IndexByte(v, '\t') < 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// canonicalHeaders renders "name:value\n" for each signed header in the
// order given, repeated headers joined by commas.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range headerValues(r, strings.ToLower(name)) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(trimAll(v))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
