package auth

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// SigV2 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html),
// which `aws s3 presign` and boto3's generate_presigned_url still use by
// default (spec A4):
//
//	StringToSign = METHOD \n Content-MD5 \n Content-Type \n Date-or-Expires \n
//	               CanonicalizedAmzHeaders CanonicalizedResource
//	Signature    = base64(HMAC-SHA1(secret, StringToSign))

// isSubResourceV2 reports whether a query parameter is signed as part of
// the SigV2 resource. The list is botocore's (HmacV1Auth.QSAOfInterest),
// which is what the clients that still sign SigV2 sign.
func isSubResourceV2(name string) bool {
	switch name {
	case "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory",
		"lifecycle", "location", "logging", "metrics", "notification", "object-lock",
		"partNumber", "policy", "replication", "requestPayment", "restore",
		"response-cache-control", "response-content-disposition", "response-content-encoding",
		"response-content-language", "response-content-type", "response-expires",
		"select", "select-type", "storageClass", "tagging", "torrent", "uploadId", "uploads",
		"versionId", "versioning", "versions", "website":
		return true
	}
	return false
}

// authHeaderV2 verifies "Authorization: AWS AKID:signature".
func (v *Verifier) authHeaderV2(r *http.Request, authz string) (Principal, error) {
	rest := strings.TrimSpace(strings.TrimPrefix(authz, "AWS "))
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || i == len(rest)-1 {
		return Principal{}, errInvalidArgument("AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", "Authorization", authz)
	}
	accessKey, signature := rest[:i], rest[i+1:]
	shown := r.Header.Get("X-Amz-Date")
	forms := []v2DateForm{{line: strings.TrimSpace(r.Header.Get("Date"))}}
	if shown != "" {
		// AWS's guide says the Date line is then empty and x-amz-date is
		// signed with the other x-amz-* headers; its own worked example
		// (the DELETE) puts the x-amz-date value in the Date line instead.
		forms = []v2DateForm{{line: ""}, {line: strings.TrimSpace(shown), skipAmzDate: true}}
	} else {
		shown = r.Header.Get("Date")
	}
	if shown == "" {
		return Principal{}, errMissingDate()
	}
	t, err := parseHTTPDate(shown)
	if err != nil {
		return Principal{}, errMissingDate()
	}
	if err := v.checkSkew(t, shown); err != nil {
		return Principal{}, err
	}
	return v.finishV2(r, accessKey, signature, forms, nil)
}

// v2DateForm is one way a client may have put the time into the string to sign.
type v2DateForm struct {
	line        string // the Date line (Date, Expires, or empty)
	skipAmzDate bool   // leave x-amz-date out of the x-amz-* headers
}

// authQueryV2 verifies a SigV2 presigned request
// (?AWSAccessKeyId=..&Signature=..&Expires=<epoch seconds>).
func (v *Verifier) authQueryV2(r *http.Request, q url.Values) (Principal, error) {
	accessKey, signature, expires := q.Get("AWSAccessKeyId"), q.Get("Signature"), q.Get("Expires")
	if accessKey == "" || signature == "" || expires == "" {
		return Principal{}, errAccessDenied("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
	}
	// base64 has '+', which a client that forgot to encode it sends raw and
	// form decoding turns into a space.
	signature = strings.ReplaceAll(signature, " ", "+")
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil {
		return Principal{}, errAccessDenied("Invalid date (should be seconds since epoch): " + expires)
	}
	if now := v.now(); now.Unix() > exp {
		return Principal{}, errAccessDenied("Request has expired").
			With("Expires", time.Unix(exp, 0).UTC().Format(isoSeconds)).
			With("ServerTime", now.UTC().Format(isoSeconds))
	}
	return v.finishV2(r, accessKey, signature, []v2DateForm{{line: expires}}, q)
}

// finishV2 resolves the key, checks the signature and sets up the payload.
// presignQuery is the query of a presigned request, whose content-md5,
// content-type and x-amz-* parameters stand in for headers.
func (v *Verifier) finishV2(r *http.Request, accessKey, signature string, forms []v2DateForm, presignQuery url.Values) (Principal, error) {
	contentSHA := r.Header.Get("X-Amz-Content-Sha256")
	if err := checkContentSHA256(contentSHA); err != nil {
		return Principal{}, err
	}
	cred, principal, err := v.lookup(accessKey)
	if err != nil {
		return Principal{}, err
	}
	if !v.allowAny {
		var first string
		ok := false
		for _, f := range forms {
			sts := v.stringToSignV2(r, f, presignQuery)
			m := hmac.New(sha1.New, []byte(cred.SecretAccessKey))
			m.Write([]byte(sts))
			want := base64.StdEncoding.EncodeToString(m.Sum(nil))
			if hmac.Equal([]byte(want), []byte(signature)) {
				ok = true
				break
			}
			if first == "" {
				first = sts
			}
		}
		if !ok {
			return Principal{}, signatureMismatch(accessKey, signature, first, "")
		}
	}
	return principal, setupPayload(r, contentSHA, nil, false)
}

func (v *Verifier) stringToSignV2(r *http.Request, date v2DateForm, presignQuery url.Values) string {
	fromHeaderOrQuery := func(header, param string) string {
		if h := r.Header.Get(header); h != "" || presignQuery == nil {
			return strings.TrimSpace(h)
		}
		return strings.TrimSpace(presignQuery.Get(param))
	}
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(fromHeaderOrQuery("Content-Md5", "content-md5"))
	b.WriteByte('\n')
	b.WriteString(fromHeaderOrQuery("Content-Type", "content-type"))
	b.WriteByte('\n')
	b.WriteString(date.line)
	b.WriteByte('\n')

	amz := map[string][]string{}
	for k, vals := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") && !(date.skipAmzDate && lk == "x-amz-date") {
			for _, val := range vals {
				amz[lk] = append(amz[lk], strings.TrimSpace(val))
			}
		}
	}
	for k, vals := range presignQuery {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") {
			for _, val := range vals {
				amz[lk] = append(amz[lk], strings.TrimSpace(val))
			}
		}
	}
	names := make([]string, 0, len(amz))
	for k := range amz {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(strings.Join(amz[k], ","))
		b.WriteByte('\n')
	}
	b.WriteString(v.resourceV2(r))
	return b.String()
}

// resourceV2 is /bucket/key as sent (the bucket also for virtual-host
// requests; "/bucket/" for the bucket itself) plus the signed
// sub-resources, sorted by name, values decoded.
func (v *Verifier) resourceV2(r *http.Request) string {
	path := requestPath(r)
	bucket := v.virtualHostBucket(r.Host)
	if route, ok := awsproto.RouteFrom(r.Context()); ok && route.VirtualHost && route.Bucket != "" {
		bucket = route.Bucket // the classifier knows best which label is the bucket
	}
	var res string
	if bucket != "" {
		res = "/" + bucket + path
	} else {
		res = path
		if len(path) > 1 && strings.IndexByte(path[1:], '/') < 0 {
			res += "/"
		}
	}
	type sub struct{ name, value string }
	var subs []sub
	for part := range strings.SplitSeq(r.URL.RawQuery, "&") {
		name, value, hasValue := strings.Cut(part, "=")
		if !isSubResourceV2(name) {
			continue
		}
		if hasValue {
			subs = append(subs, sub{name, "=" + percentDecode(value, false)})
		} else {
			subs = append(subs, sub{name, ""})
		}
	}
	if len(subs) == 0 {
		return res
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].name < subs[j].name })
	var b strings.Builder
	b.WriteString(res)
	for i, s := range subs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(s.name)
		b.WriteString(s.value)
	}
	return b.String()
}

// virtualHostBucket returns the bucket of a {bucket}.{base} host, or "".
func (v *Verifier) virtualHostBucket(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, base := range v.baseHosts {
		if len(host) > len(base)+1 && strings.HasSuffix(host, base) && host[len(host)-len(base)-1] == '.' {
			return host[:len(host)-len(base)-1]
		}
	}
	return ""
}
