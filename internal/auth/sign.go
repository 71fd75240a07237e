package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SignV4 signs req in place with a SigV4 Authorization header, for
// Tributary's own clients (the flowlogs writer, load tools) that talk to the
// JSON protocols without the AWS SDK. It sets X-Amz-Date and
// X-Amz-Content-Sha256 (payloadHash: the hex SHA-256 of the body, computed
// once by callers that resend one body) and signs host plus every header
// already on req. The verifier in this package is the other half.
func SignV4(req *http.Request, payloadHash string, cred Credential, service, region string, now time.Time) error {
	if cred.AccessKeyID == "" || service == "" || region == "" {
		return errors.New("sign: access key, service and region are required")
	}
	amzDate := now.UTC().Format(iso8601Basic)
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	headers := map[string]string{"host": trimAll(host)}
	for name, values := range req.Header {
		if strings.EqualFold(name, "Authorization") {
			continue
		}
		headers[strings.ToLower(name)] = trimAll(strings.Join(values, ","))
	}
	names := make([]string, 0, len(headers))
	for n := range headers {
		names = append(names, n)
	}
	slices.Sort(names)
	var canon strings.Builder
	for _, n := range names {
		canon.WriteString(n + ":" + headers[n] + "\n")
	}
	signed := strings.Join(names, ";")
	uri := uriEncode(req.URL.EscapedPath(), true)
	if uri == "" {
		uri = "/"
	}
	cr := canonicalRequest(req.Method, uri, canonicalQuery(req.URL.RawQuery, false), canon.String(), signed, payloadHash)
	scope := amzDate[:8] + "/" + region + "/" + service + "/aws4_request"
	m := hmac.New(sha256.New, signingKey(cred.SecretAccessKey, amzDate[:8], region, service))
	m.Write([]byte(stringToSignV4(amzDate, scope, cr)))
	req.Header.Set("Authorization", algorithmV4+" Credential="+cred.AccessKeyID+"/"+scope+
		", SignedHeaders="+signed+", Signature="+hex.EncodeToString(m.Sum(nil)))
	return nil
}
