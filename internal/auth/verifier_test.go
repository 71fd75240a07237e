package auth

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

var (
	testNow   = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	aliceCred = Credential{AccessKeyID: "AKIDALICE", SecretAccessKey: "alice secret/+=", Name: "alice", AccountID: "123456789012"}
	rootCred  = Credential{AccessKeyID: "test", SecretAccessKey: "test"}
)

func testVerifier() *Verifier {
	return NewVerifier(Options{Now: func() time.Time { return testNow }, Credentials: []Credential{aliceCred, rootCred}})
}

// sdkSign signs r with aws-sdk-go-v2's SigV4 signer, as the SDK's own
// middleware would (S3 services: path not re-escaped, x-amz-content-sha256 set).
func sdkSign(t *testing.T, r *http.Request, cred Credential, service, payloadHash string, at time.Time) {
	t.Helper()
	s3 := isS3Family(service)
	if s3 && payloadHash != "" {
		r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = s3 })
	err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey},
		r, payloadHash, service, "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuthenticateHeaderV4(t *testing.T) {
	const body = "hello world\n"
	bodyHash := sha256Hex(body)
	type tc struct {
		name    string
		url     string
		service string
		payload string // payload hash handed to the signer ("" = none)
		signAt  time.Duration
		cred    Credential
		mutate  func(r *http.Request)
		authErr string
		readErr string
		check   func(t *testing.T, err *awsproto.Error)
	}
	s3URL := "http://localhost:4566/bucket/dir/a%20b%2Bc%3Dd~e/%C3%A9t%C3%A9%20%281%29.txt?x-id=PutObject"
	cases := []tc{
		{name: "s3 signed payload", payload: bodyHash},
		{name: "s3 unsigned payload", payload: unsignedPayload},
		{name: "s3 signed 14 minutes ago", payload: bodyHash, signAt: -14 * time.Minute},
		{name: "s3 signed 14 minutes ahead", payload: bodyHash, signAt: 14 * time.Minute},
		{name: "clock 16 minutes behind", payload: bodyHash, signAt: -16 * time.Minute, authErr: "RequestTimeTooSkewed",
			check: func(t *testing.T, e *awsproto.Error) {
				if e.Status != 403 || e.Extra["RequestTime"] != "20261124T114400Z" || e.Extra["ServerTime"] != "2026-11-24T12:00:00Z" {
					t.Fatalf("skew error %+v", e)
				}
			}},
		{name: "clock 16 minutes ahead", payload: bodyHash, signAt: 16 * time.Minute, authErr: "RequestTimeTooSkewed"},
		{name: "unknown access key", payload: bodyHash, cred: Credential{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}, authErr: "InvalidAccessKeyId",
			check: func(t *testing.T, e *awsproto.Error) {
				if e.Status != 403 || e.Message != "The AWS Access Key Id you provided does not exist in our records." {
					t.Fatalf("%+v", e)
				}
			}},
		{name: "wrong secret", payload: bodyHash, cred: Credential{AccessKeyID: aliceCred.AccessKeyID, SecretAccessKey: "not it"}, authErr: "SignatureDoesNotMatch",
			check: func(t *testing.T, e *awsproto.Error) {
				if e.Status != 403 || !strings.HasPrefix(e.Extra["StringToSign"], "AWS4-HMAC-SHA256\n20261124T120000Z\n20261124/us-east-1/s3/aws4_request\n") ||
					!strings.Contains(e.Extra["CanonicalRequest"], "/bucket/dir/a%20b%2Bc%3Dd~e/%C3%A9t%C3%A9%20%281%29.txt\nx-id=PutObject\n") {
					t.Fatalf("%+v", e)
				}
			}},
		{name: "signed header changed", payload: bodyHash, mutate: func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "red") }, authErr: "SignatureDoesNotMatch"},
		{name: "query parameter added", payload: bodyHash, mutate: func(r *http.Request) { r.URL.RawQuery += "&acl=" }, authErr: "SignatureDoesNotMatch"},
		{name: "host changed", payload: bodyHash, mutate: func(r *http.Request) { r.Host = "127.0.0.1:4566" }, authErr: "SignatureDoesNotMatch"},
		{name: "method changed", payload: bodyHash, mutate: func(r *http.Request) { r.Method = "POST" }, authErr: "SignatureDoesNotMatch"},
		{name: "unsigned header added", payload: bodyHash, mutate: func(r *http.Request) { r.Header.Set("X-Forwarded-For", "10.0.0.1") }},
		{name: "signature component missing", payload: bodyHash, mutate: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}, authErr: "AuthorizationHeaderMalformed"},
		{name: "credential malformed", payload: bodyHash, mutate: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/aws4_request", "/aws5_request", 1))
		}, authErr: "AuthorizationHeaderMalformed"},
		{name: "host not signed", payload: bodyHash, mutate: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			if !strings.Contains(a, ";host;") {
				t.Fatalf("host is not in the middle of %q", a)
			}
			r.Header.Set("Authorization", strings.Replace(a, ";host;", ";", 1))
		}, authErr: "AuthorizationHeaderMalformed"},
		{name: "scope date is not the x-amz-date day", payload: bodyHash, mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "20261125T120000Z") },
			authErr: "AuthorizationHeaderMalformed"},
		{name: "no date", payload: bodyHash, mutate: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, authErr: "AccessDenied"},
		{name: "unparseable x-amz-date", payload: bodyHash, mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "yesterday") }, authErr: "AccessDenied"},
		{name: "s3 without x-amz-content-sha256", payload: bodyHash, mutate: func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }, authErr: "InvalidRequest",
			check: func(t *testing.T, e *awsproto.Error) {
				if e.Message != "Missing required header for this request: x-amz-content-sha256" {
					t.Fatal(e.Message)
				}
			}},
		{name: "x-amz-content-sha256 not a hash", payload: "deadbeef", authErr: "InvalidArgument"},
		{name: "sigv4a streaming", payload: streamingECDSA, authErr: "InvalidArgument"},
		{name: "body does not match x-amz-content-sha256", payload: sha256Hex("another body"), readErr: "XAmzContentSHA256Mismatch",
			check: func(t *testing.T, e *awsproto.Error) {
				if e.Status != 400 || e.Extra["ClientComputedContentSHA256"] != sha256Hex("another body") || e.Extra["S3ComputedContentSHA256"] != bodyHash {
					t.Fatalf("%+v", e)
				}
			}},
		{name: "algorithm alone", payload: bodyHash, mutate: func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256") }, authErr: "AuthorizationHeaderMalformed"},
		{name: "authorization scheme unknown", payload: bodyHash, mutate: func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") }, authErr: "InvalidArgument"},
		{name: "header and presigned auth both", payload: bodyHash, mutate: func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Signature=00" }, authErr: "InvalidArgument"},
		{name: "kinesis body hashed by the server", url: "http://localhost:4566/", service: "kinesis", payload: bodyHash},
		{name: "kinesis body changed", url: "http://localhost:4566/", service: "kinesis", payload: sha256Hex("original"), authErr: "SignatureDoesNotMatch"},
		{name: "lambda path double-encoded", url: "http://localhost:4566/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy%20fn/invocations",
			service: "lambda", payload: bodyHash},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, service, cred := c.url, c.service, c.cred
			if u == "" {
				u = s3URL
			}
			if service == "" {
				service = "s3"
			}
			if cred.AccessKeyID == "" {
				cred = aliceCred
			}
			r := httptest.NewRequest("PUT", u, strings.NewReader(body))
			r.Header.Set("X-Amz-Meta-Color", "blue")
			sdkSign(t, r, cred, service, c.payload, testNow.Add(c.signAt))
			if c.mutate != nil {
				c.mutate(r)
			}
			p, err := testVerifier().Authenticate(r)
			if errCode(err) != c.authErr {
				t.Fatalf("Authenticate: %v, want %q", err, c.authErr)
			}
			if err == nil {
				if p.ARN != "arn:aws:iam::123456789012:user/alice" {
					t.Fatalf("principal %+v", p)
				}
				var got []byte
				got, err = io.ReadAll(r.Body)
				if errCode(err) != c.readErr {
					t.Fatalf("read: %v, want %q", err, c.readErr)
				}
				if err == nil && string(got) != body {
					t.Fatalf("body %q", got)
				}
			}
			if c.check != nil {
				c.check(t, awsproto.As(err))
			}
		})
	}
}

func TestAuthenticateAnonymous(t *testing.T) {
	r := httptest.NewRequest("GET", "http://localhost:4566/bucket/key", nil)
	p, err := testVerifier().Authenticate(r)
	if err != nil || !p.Anonymous {
		t.Fatalf("got %+v, %v", p, err)
	}
	// The body of an anonymous aws-chunked upload is still decoded.
	r = httptest.NewRequest("PUT", "http://localhost:4566/bucket/key",
		strings.NewReader("c\r\nhello world\n\r\n0\r\nx-amz-checksum-crc32:rwg7LQ==\r\n\r\n"))
	r.Header.Set("X-Amz-Content-Sha256", streamingUnsignedTrailer)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "12")
	if p, err = testVerifier().Authenticate(r); err != nil || !p.Anonymous {
		t.Fatalf("got %+v, %v", p, err)
	}
	if b, err := io.ReadAll(r.Body); err != nil || string(b) != "hello world\n" || r.Trailer.Get("X-Amz-Checksum-Crc32") != "rwg7LQ==" {
		t.Fatalf("body %q, %v, trailer %v", b, err, r.Trailer)
	}
	// Signed chunks cannot come without a signature.
	r = httptest.NewRequest("PUT", "http://localhost:4566/bucket/key", strings.NewReader("0\r\n\r\n"))
	r.Header.Set("X-Amz-Content-Sha256", streamingSigned)
	if _, err := testVerifier().Authenticate(r); errCode(err) != "InvalidRequest" {
		t.Fatalf("got %v", err)
	}
}

func TestAllowAnyCredentials(t *testing.T) {
	v := NewVerifier(Options{AllowAnyCredentials: true, DefaultAccountID: "111122223333", Now: func() time.Time { return testNow }})
	r := httptest.NewRequest("PUT", "http://localhost:4566/bucket/key", strings.NewReader("data"))
	sdkSign(t, r, Credential{AccessKeyID: "whatever", SecretAccessKey: "anything"}, "s3", sha256Hex("data"), testNow)
	r.Header.Set("X-Amz-Meta-Tampered", "yes")
	p, err := v.Authenticate(r)
	if err != nil {
		t.Fatal(err)
	}
	want := Principal{AccessKeyID: "whatever", AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:root", UserID: "111122223333", Name: "root"}
	if p != want {
		t.Fatalf("principal %+v, want %+v", p, want)
	}
	// The payload is still checked, and so is the clock.
	r = httptest.NewRequest("PUT", "http://localhost:4566/bucket/key", strings.NewReader("data"))
	sdkSign(t, r, Credential{AccessKeyID: "whatever", SecretAccessKey: "anything"}, "s3", sha256Hex("other"), testNow)
	if _, err := v.Authenticate(r); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r.Body); errCode(err) != "XAmzContentSHA256Mismatch" {
		t.Fatalf("read: %v", err)
	}
	r = httptest.NewRequest("GET", "http://localhost:4566/bucket/key", nil)
	sdkSign(t, r, Credential{AccessKeyID: "whatever", SecretAccessKey: "anything"}, "s3", emptySHA256, testNow.Add(-time.Hour))
	if _, err := v.Authenticate(r); errCode(err) != "RequestTimeTooSkewed" {
		t.Fatalf("got %v", err)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestBufferedBodyLimit(t *testing.T) {
	for _, known := range []bool{true, false} {
		r := httptest.NewRequest("POST", "http://localhost:4566/", io.LimitReader(zeros{}, maxBufferedBody+1))
		sdkSign(t, r, aliceCred, "logs", emptySHA256, testNow)
		if known {
			r.ContentLength = maxBufferedBody + 1
		} else {
			r.ContentLength = -1
		}
		if _, err := testVerifier().Authenticate(r); errCode(err) != "RequestEntityTooLarge" || awsproto.As(err).Status != 413 {
			t.Fatalf("known length %v: got %v", known, err)
		}
	}
}

func TestCredentialPrincipal(t *testing.T) {
	userID := regexp.MustCompile(`^AIDA[A-Z0-9]{16}$`)
	cases := []struct {
		cred     Credential
		wantARN  string
		wantName string
	}{
		{Credential{AccessKeyID: "test"}, "arn:aws:iam::000000000000:root", "root"},
		{Credential{AccessKeyID: "r", Name: "root", AccountID: "123456789012"}, "arn:aws:iam::123456789012:root", "root"},
		{Credential{AccessKeyID: "a", Name: "alice"}, "arn:aws:iam::000000000000:user/alice", "alice"},
		{Credential{AccessKeyID: "b", Name: "alice", AccountID: "123456789012"}, "arn:aws:iam::123456789012:user/alice", "alice"},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		p := c.cred.Principal(DefaultAccountID)
		if p.ARN != c.wantARN || p.Name != c.wantName || p.AccessKeyID != c.cred.AccessKeyID {
			t.Errorf("%+v → %+v", c.cred, p)
		}
		if c.wantName == "root" {
			if p.UserID != p.AccountID {
				t.Errorf("root UserID %q", p.UserID)
			}
			continue
		}
		if !userID.MatchString(p.UserID) || seen[p.UserID] {
			t.Errorf("user id %q (seen before: %v)", p.UserID, seen[p.UserID])
		}
		seen[p.UserID] = true
		if again := c.cred.Principal(DefaultAccountID); again.UserID != p.UserID {
			t.Errorf("user id not stable: %q then %q", p.UserID, again.UserID)
		}
	}
}
