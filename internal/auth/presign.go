package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxPresignExpiry is the longest lifetime of a SigV4 presigned URL (7 days).
const maxPresignExpiry = 604800

// authQueryV4 verifies a SigV4 presigned request
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
// It is judged by its own date and lifetime, not by the clock skew rule.
func (v *Verifier) authQueryV4(r *http.Request, q url.Values) (Principal, error) {
	alg, credential := q.Get("X-Amz-Algorithm"), q.Get("X-Amz-Credential")
	date, expires := q.Get("X-Amz-Date"), q.Get("X-Amz-Expires")
	signedHeaders, signature := q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature")
	if alg == "" || credential == "" || date == "" || expires == "" || signedHeaders == "" || signature == "" {
		return Principal{}, errQueryMalformed("Query-string authentication version 4 requires the X-Amz-Algorithm, " +
			"X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	}
	if alg != algorithmV4 {
		return Principal{}, errQueryMalformed("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	var claim v4Claim
	var ok bool
	claim.accessKey, claim.date, claim.region, claim.service, ok = parseCredential(credential)
	if !ok {
		return Principal{}, errQueryMalformed("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; " +
			"expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	t, err := time.Parse(iso8601Basic, date)
	if err != nil {
		return Principal{}, errQueryMalformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if claim.date != date[:8] {
		return Principal{}, errQueryMalformed("Error parsing the X-Amz-Credential parameter; Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	claim.amzDate = date
	secs, err := strconv.ParseInt(expires, 10, 64)
	switch {
	case err != nil:
		return Principal{}, errQueryMalformed("X-Amz-Expires should be a number")
	case secs < 0:
		return Principal{}, errQueryMalformed("X-Amz-Expires must be non-negative")
	case secs == 0:
		return Principal{}, errQueryMalformed("X-Amz-Expires must be at least 1 second")
	case secs > maxPresignExpiry:
		return Principal{}, errQueryMalformed("X-Amz-Expires must be less than a week (in seconds) that is; " +
			"the given X-Amz-Expires must be less than 604800 seconds")
	}
	if claim.signedHeaders, ok = parseSignedHeaders(signedHeaders); !ok {
		return Principal{}, errQueryMalformed("X-Amz-SignedHeaders must be a ';'-separated list of header names that includes host")
	}
	claim.signature = signature

	now := v.now()
	if t.After(now.Add(v.maxSkew)) {
		return Principal{}, errAccessDenied("Request is not valid yet").
			With("X-Amz-Date", date).With("ServerTime", now.UTC().Format(isoSeconds))
	}
	if expiresAt := t.Add(time.Duration(secs) * time.Second); now.After(expiresAt) {
		return Principal{}, errAccessDenied("Request has expired").
			With("X-Amz-Expires", expires).
			With("Expires", expiresAt.UTC().Format(isoSeconds)).
			With("ServerTime", now.UTC().Format(isoSeconds))
	}

	contentSHA := r.Header.Get("X-Amz-Content-Sha256")
	if err := checkContentSHA256(contentSHA); err != nil {
		return Principal{}, err
	}
	cred, principal, err := v.lookup(claim.accessKey)
	if err != nil {
		return Principal{}, err
	}
	if v.allowAny {
		return principal, setupPayload(r, contentSHA, nil, true)
	}
	// A presigned URL is made before the body is known: S3 signs
	// UNSIGNED-PAYLOAD; other services sign the hash of the (usually empty)
	// body. A client may still send x-amz-content-sha256 along.
	var payloads []string
	if contentSHA != "" {
		payloads = append(payloads, contentSHA)
	}
	if !isS3Family(claim.service) && contentSHA == "" {
		data, err := bufferBody(r)
		if err != nil {
			return Principal{}, err
		}
		payloads = append(payloads, bodySHA256(data))
	}
	if contentSHA != unsignedPayload {
		payloads = append(payloads, unsignedPayload)
	}
	key, err := verifyV4(r, &claim, cred.SecretAccessKey, true, payloads)
	if err != nil {
		return Principal{}, err
	}
	return principal, setupPayload(r, contentSHA, claimChunkSigner(contentSHA, key, &claim), true)
}

// PresignV4 builds a SigV4 presigned URL (query authentication) for method
// and rawURL, signed by cred for service and region at now, valid for
// expires (1 s to 7 days). Only host is signed; S3 services sign
// UNSIGNED-PAYLOAD, others the hash of an empty body. For S3 services the
// returned URL's path is re-encoded exactly as it was signed.
func PresignV4(method, rawURL string, cred Credential, service, region string, now time.Time, expires time.Duration) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("presign: %w", err)
	}
	if u.Host == "" {
		return "", errors.New("presign: url has no host")
	}
	if cred.AccessKeyID == "" || service == "" || region == "" {
		return "", errors.New("presign: access key, service and region are required")
	}
	secs := int64(expires / time.Second)
	if secs < 1 || secs > maxPresignExpiry {
		return "", fmt.Errorf("presign: expiry %v is outside 1s to 7 days", expires)
	}
	amzDate := now.UTC().Format(iso8601Basic)
	scope := amzDate[:8] + "/" + region + "/" + service + "/aws4_request"
	raw := u.RawQuery
	if raw != "" {
		raw += "&"
	}
	raw += "X-Amz-Algorithm=" + algorithmV4 +
		"&X-Amz-Credential=" + uriEncode(cred.AccessKeyID+"/"+scope, false) +
		"&X-Amz-Date=" + amzDate +
		"&X-Amz-Expires=" + strconv.FormatInt(secs, 10) +
		"&X-Amz-SignedHeaders=host"
	query := canonicalQuery(raw, false)

	sentPath := u.EscapedPath()
	var uri, payload string
	if isS3Family(service) {
		uri, payload = uriEncode(u.Path, true), unsignedPayload
		sentPath = uri
	} else {
		uri, payload = uriEncode(sentPath, true), emptySHA256
	}
	if uri == "" {
		uri, sentPath = "/", "/"
	}
	cr := canonicalRequest(method, uri, query, "host:"+trimAll(u.Host)+"\n", "host", payload)
	key := signingKey(cred.SecretAccessKey, amzDate[:8], region, service)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(stringToSignV4(amzDate, scope, cr)))

	out := *u
	if out.Path == "" {
		out.Path = "/"
	}
	out.RawPath = sentPath
	out.RawQuery = query + "&X-Amz-Signature=" + hex.EncodeToString(m.Sum(nil))
	return out.String(), nil
}
