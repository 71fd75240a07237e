package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

const (
	algorithmV4  = "AWS4-HMAC-SHA256"
	iso8601Basic = "20060102T150405Z"
	emptySHA256  = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	// Values of x-amz-content-sha256 besides a hex digest.
	unsignedPayload          = "UNSIGNED-PAYLOAD"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingECDSA           = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	streamingECDSATrailer    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
)

// v4Claim is what a SigV4 request (header or presigned) says about itself.
type v4Claim struct {
	accessKey     string
	date          string // YYYYMMDD of the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
	amzDate       string // request time as signed, ISO 8601 basic
}

func (c *v4Claim) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/aws4_request"
}

// parseCredential splits "AKID/YYYYMMDD/region/service/aws4_request". The
// access key may itself contain '/', so the scope is taken from the right.
func parseCredential(s string) (akid, date, region, service string, ok bool) {
	parts := strings.Split(s, "/")
	if len(parts) < 5 {
		return "", "", "", "", false
	}
	n := len(parts)
	akid = strings.Join(parts[:n-4], "/")
	date, region, service = parts[n-4], parts[n-3], parts[n-2]
	if akid == "" || len(date) != 8 || region == "" || service == "" || parts[n-1] != "aws4_request" {
		return "", "", "", "", false
	}
	if _, err := time.Parse("20060102", date); err != nil {
		return "", "", "", "", false
	}
	return akid, date, region, service, true
}

// parseAuthorizationV4 parses
// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
func parseAuthorizationV4(h string) (v4Claim, error) {
	var c v4Claim
	rest := strings.TrimSpace(strings.TrimPrefix(h, algorithmV4))
	var credential, signedHeaders, signature string
	var haveCred, haveSigned, haveSig bool
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return c, errHeaderMalformed("the authorization component \"" + part + "\" is malformed.")
		}
		switch strings.TrimSpace(name) {
		case "Credential":
			credential, haveCred = strings.TrimSpace(value), true
		case "SignedHeaders":
			signedHeaders, haveSigned = strings.TrimSpace(value), true
		case "Signature":
			signature, haveSig = strings.TrimSpace(value), true
		default:
			return c, errHeaderMalformed("the authorization component \"" + part + "\" is malformed.")
		}
	}
	if !haveCred || !haveSigned || !haveSig {
		return c, errHeaderMalformed("the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	var ok bool
	c.accessKey, c.date, c.region, c.service, ok = parseCredential(credential)
	if !ok {
		return c, errHeaderMalformed("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if c.signedHeaders, ok = parseSignedHeaders(signedHeaders); !ok {
		return c, errHeaderMalformed("the SignedHeaders component must be a ';'-separated list of header names that includes host.")
	}
	c.signature = signature
	return c, nil
}

// parseSignedHeaders splits "a;b;c" and insists on host being signed, as
// AWS does.
func parseSignedHeaders(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	names := strings.Split(s, ";")
	host := false
	for _, n := range names {
		if n == "" {
			return nil, false
		}
		if strings.EqualFold(n, "host") {
			host = true
		}
	}
	return names, host
}

// requestTimeV4 returns the request time of a header-signed request from
// x-amz-date (ISO 8601 basic) or else Date (HTTP date), and the timestamp as
// it appears in the string to sign.
func requestTimeV4(r *http.Request) (time.Time, string, error) {
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(iso8601Basic, v)
		if err != nil {
			return time.Time{}, "", errMissingDate()
		}
		return t, v, nil
	}
	if v := r.Header.Get("Date"); v != "" {
		t, err := parseHTTPDate(v)
		if err != nil {
			return time.Time{}, "", errMissingDate()
		}
		return t, t.UTC().Format(iso8601Basic), nil
	}
	return time.Time{}, "", errMissingDate()
}

// parseHTTPDate parses a Date header: the HTTP formats, and RFC 1123 with a
// numeric zone ("Tue, 27 Mar 2007 19:36:42 +0000"), which AWS's own
// examples use.
func parseHTTPDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := http.ParseTime(v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC1123Z, v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC1123, v)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signingKey derives the SigV4 key for one day, region and service.
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func canonicalRequest(method, uri, query, headers, signedHeaders, payloadHash string) string {
	return method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signedHeaders + "\n" + payloadHash
}

func stringToSignV4(amzDate, scope, canonicalReq string) string {
	return algorithmV4 + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalReq)
}

// verifyV4 checks the claimed signature against every canonical form the
// request may have been signed in (see canonicalURIs, canonicalQueries) and
// each candidate payload hash. It returns the signing key for chunk
// signatures. presigned says the signature is in the query.
func verifyV4(r *http.Request, c *v4Claim, secret string, presigned bool, payloadHashes []string) ([]byte, error) {
	key := signingKey(secret, c.date, c.region, c.service)
	scope := c.scope()
	headers := canonicalHeaders(r, c.signedHeaders)
	signedList := strings.Join(c.signedHeaders, ";")
	want := []byte(strings.ToLower(c.signature))
	var firstCR, firstSTS string
	for _, uri := range canonicalURIs(requestPath(r), isS3Family(c.service)) {
		for _, query := range canonicalQueries(r.URL.RawQuery, presigned) {
			for _, payload := range payloadHashes {
				cr := canonicalRequest(r.Method, uri, query, headers, signedList, payload)
				sts := stringToSignV4(c.amzDate, scope, cr)
				got := hmacSHA256(key, sts)
				var gotHex [64]byte
				hex.Encode(gotHex[:], got)
				if hmac.Equal(gotHex[:], want) {
					return key, nil
				}
				if firstCR == "" {
					firstCR, firstSTS = cr, sts
				}
			}
		}
	}
	return nil, signatureMismatch(c.accessKey, c.signature, firstSTS, firstCR)
}

// signatureMismatch adds the details S3 returns so that a client author can
// see which canonical request the server built.
func signatureMismatch(accessKey, provided, stringToSign, canonicalReq string) *awsproto.Error {
	e := errSignatureDoesNotMatch().With("AWSAccessKeyId", accessKey).
		With("StringToSign", stringToSign).
		With("SignatureProvided", provided)
	if canonicalReq != "" {
		e = e.With("CanonicalRequest", canonicalReq)
	}
	return e
}

// checkContentSHA256 validates the x-amz-content-sha256 value before it is
// trusted as the payload hash.
func checkContentSHA256(v string) error {
	switch v {
	case "", unsignedPayload, streamingUnsignedTrailer, streamingSigned, streamingSignedTrailer:
		return nil
	case streamingECDSA, streamingECDSATrailer:
		return errInvalidArgument("SigV4a (AWS4-ECDSA-P256-SHA256) streaming payloads are not supported", "x-amz-content-sha256", v)
	}
	if isHexSHA256(v) {
		return nil
	}
	return errInvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "+
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "+
		"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
		"x-amz-content-sha256", v)
}

func isHexSHA256(v string) bool {
	if len(v) != 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if _, ok := unhex(v[i]); !ok {
			return false
		}
	}
	return true
}
