package auth

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultAccountID is the account of principals whose credential names none.
const DefaultAccountID = "000000000000"

// Options configure a Verifier.
type Options struct {
	// Credentials are the configured key pairs; each is a principal.
	Credentials []Credential
	// AllowAnyCredentials is the switch for throwaway local use: any access
	// key is accepted, signatures (request and chunk) are not checked, and
	// the principal is the root of DefaultAccountID. Request times, presign
	// expiry and payload hashes are still checked.
	AllowAnyCredentials bool
	// DefaultAccountID is the account of credentials that name none
	// ("" = "000000000000").
	DefaultAccountID string
	// Now is the clock (nil = time.Now).
	Now func() time.Time
	// MaxSkew is the largest accepted difference between a header-signed
	// request's time and Now (0 = 15 minutes, as AWS).
	MaxSkew time.Duration
	// BaseHosts are the host names of the endpoint itself. A request to
	// {bucket}.{base} is virtual-host addressed, which SigV2 needs to know
	// because it signs /bucket/key. Empty = localhost and 127.0.0.1.
	BaseHosts []string
}

// Verifier authenticates requests. It is safe for concurrent use.
type Verifier struct {
	creds     map[string]Credential
	allowAny  bool
	account   string
	now       func() time.Time
	maxSkew   time.Duration
	baseHosts []string
}

// NewVerifier builds a Verifier. When two credentials share an access key
// the first one wins.
func NewVerifier(opts Options) *Verifier {
	v := &Verifier{
		creds:     make(map[string]Credential, len(opts.Credentials)),
		allowAny:  opts.AllowAnyCredentials,
		account:   opts.DefaultAccountID,
		now:       opts.Now,
		maxSkew:   opts.MaxSkew,
		baseHosts: make([]string, 0, len(opts.BaseHosts)),
	}
	if v.account == "" {
		v.account = DefaultAccountID
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.maxSkew <= 0 {
		v.maxSkew = 15 * time.Minute
	}
	for _, h := range opts.BaseHosts {
		h = strings.ToLower(strings.Trim(h, "[]"))
		if h != "" {
			v.baseHosts = append(v.baseHosts, h)
		}
	}
	if len(v.baseHosts) == 0 {
		v.baseHosts = []string{"localhost", "127.0.0.1"}
	}
	for _, c := range opts.Credentials {
		if c.AccountID == "" {
			c.AccountID = v.account
		}
		if _, dup := v.creds[c.AccessKeyID]; !dup {
			v.creds[c.AccessKeyID] = c
		}
	}
	return v
}

// Authenticate verifies r and returns the principal that signed it. It
// accepts SigV4 in the Authorization header or the query (presigned), SigV2
// in either, and aws-chunked streaming payloads. It may replace r.Body: a
// hex x-amz-content-sha256 is checked when the body reaches EOF, aws-chunked
// bodies are decoded (r.ContentLength then is the decoded length and
// r.Trailer receives the trailer once the body has been read to EOF), and
// bodies of other services are buffered to hash them. A request with no
// signature at all returns Principal{Anonymous: true} and no error; the
// caller decides. Errors are *awsproto.Error values.
func (v *Verifier) Authenticate(r *http.Request) (Principal, error) {
	authz := r.Header.Get("Authorization")
	query, _ := url.ParseQuery(r.URL.RawQuery) // best effort: only named parameters are used
	v4Query := query.Has("X-Amz-Algorithm") || query.Has("X-Amz-Credential") || query.Has("X-Amz-Signature")
	v2Query := query.Has("AWSAccessKeyId") || query.Has("Signature")
	mechanisms := 0
	for _, b := range []bool{authz != "", v4Query, v2Query} {
		if b {
			mechanisms++
		}
	}
	if mechanisms > 1 {
		return Principal{}, errInvalidArgument("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "+
			"Signature query string parameter or the Authorization header should be specified", "Authorization", authz)
	}
	switch {
	case authz != "":
		switch {
		case strings.HasPrefix(authz, algorithmV4+" ") || authz == algorithmV4:
			return v.authHeaderV4(r, authz)
		case strings.HasPrefix(authz, "AWS "):
			return v.authHeaderV2(r, authz)
		}
		return Principal{}, errInvalidArgument("Unsupported Authorization Type", "Authorization", authz)
	case v4Query:
		return v.authQueryV4(r, query)
	case v2Query:
		return v.authQueryV2(r, query)
	}
	// Anonymous: the body is still checked or decoded as announced.
	contentSHA := r.Header.Get("X-Amz-Content-Sha256")
	if err := checkContentSHA256(contentSHA); err != nil {
		return Principal{}, err
	}
	if err := setupPayload(r, contentSHA, nil, false); err != nil {
		return Principal{}, err
	}
	return Principal{Anonymous: true}, nil
}

// lookup returns the credential for an access key. With AllowAnyCredentials
// every key resolves to the default account's root, with no secret.
func (v *Verifier) lookup(accessKey string) (Credential, Principal, error) {
	if v.allowAny {
		c := Credential{AccessKeyID: accessKey, Name: "root", AccountID: v.account}
		return c, c.Principal(v.account), nil
	}
	c, ok := v.creds[accessKey]
	if !ok {
		return Credential{}, Principal{}, errInvalidAccessKeyID(accessKey)
	}
	return c, c.Principal(v.account), nil
}

// checkSkew enforces MaxSkew on a header-signed request time.
func (v *Verifier) checkSkew(t time.Time, shown string) error {
	now := v.now()
	// Compare instants rather than subtracting: Sub saturates on far-apart times.
	if t.Before(now.Add(-v.maxSkew)) || t.After(now.Add(v.maxSkew)) {
		return errRequestTimeTooSkewed(shown, now, v.maxSkew)
	}
	return nil
}

// authHeaderV4 verifies "Authorization: AWS4-HMAC-SHA256 ...".
func (v *Verifier) authHeaderV4(r *http.Request, authz string) (Principal, error) {
	claim, err := parseAuthorizationV4(authz)
	if err != nil {
		return Principal{}, err
	}
	t, amzDate, err := requestTimeV4(r)
	if err != nil {
		return Principal{}, err
	}
	claim.amzDate = amzDate
	if claim.date != amzDate[:8] {
		return Principal{}, errHeaderMalformed("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	contentSHA := r.Header.Get("X-Amz-Content-Sha256")
	if err := checkContentSHA256(contentSHA); err != nil {
		return Principal{}, err
	}
	s3 := isS3Family(claim.service)
	if contentSHA == "" && s3 {
		return Principal{}, errInvalidRequest("Missing required header for this request: x-amz-content-sha256")
	}
	if err := v.checkSkew(t, amzDate); err != nil {
		return Principal{}, err
	}
	cred, principal, err := v.lookup(claim.accessKey)
	if err != nil {
		return Principal{}, err
	}
	if v.allowAny {
		return principal, setupPayload(r, contentSHA, nil, true)
	}
	payload := contentSHA
	if payload == "" {
		// Other services sign the hash of the body without sending it.
		data, err := bufferBody(r)
		if err != nil {
			return Principal{}, err
		}
		payload = bodySHA256(data)
	}
	key, err := verifyV4(r, &claim, cred.SecretAccessKey, false, []string{payload})
	if err != nil {
		return Principal{}, err
	}
	return principal, setupPayload(r, contentSHA, claimChunkSigner(contentSHA, key, &claim), true)
}

// claimChunkSigner returns the verifier of a signed chunk chain seeded by
// the request's own signature, or nil when the payload is not signed chunks.
func claimChunkSigner(contentSHA string, key []byte, c *v4Claim) *chunkSigner {
	if contentSHA != streamingSigned && contentSHA != streamingSignedTrailer {
		return nil
	}
	return newChunkSigner(key, c.amzDate, c.scope(), c.signature)
}
