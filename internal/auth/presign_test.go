package auth

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// authEcho is a test server that authenticates every request with v and
// answers "ok <principal ARN> <body>" or the error code with its status.
func authEcho(t *testing.T, v *Verifier) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := v.Authenticate(r)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(r.Body)
		}
		if e := awsproto.As(err); e != nil {
			w.WriteHeader(e.Status)
			fmt.Fprint(w, e.Code)
			return
		}
		if err != nil {
			w.WriteHeader(500)
			fmt.Fprint(w, err)
			return
		}
		fmt.Fprintf(w, "ok %s %s", p.ARN, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPresignV4RoundTrip(t *testing.T) {
	srv := authEcho(t, testVerifier())
	cases := []struct {
		method, path, service string
	}{
		{"GET", "/bucket/dir/a%20b%2Bc%3Dd~e/%C3%A9t%C3%A9%20%281%29.txt", "s3"},
		{"GET", "/bucket/a=b:c,d;e@f$g&h", "s3"},
		{"GET", "/bucket/key?response-content-type=text%2Fplain&versionId=v%201&x-id=GetObject", "s3"},
		{"PUT", "/bucket/upload", "s3"},
		{"GET", "/orders/1.json", "s3-object-lambda"},
		{"GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afn/configuration", "lambda"},
		{"GET", "/?Action=GetCallerIdentity&Version=2011-06-15", "sts"},
	}
	for _, c := range cases {
		t.Run(c.service+" "+c.path, func(t *testing.T) {
			u, err := PresignV4(c.method, srv.URL+c.path, aliceCred, c.service, "us-east-1", testNow.Add(-time.Minute), time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(c.method, u, nil)
			if c.method == "PUT" {
				req, _ = http.NewRequest(c.method, u, strings.NewReader("uploaded"))
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := "ok arn:aws:iam::123456789012:user/alice "
			if c.method == "PUT" {
				want += "uploaded"
			}
			if string(b) != want {
				t.Fatalf("%s → %d %s", u, resp.StatusCode, b)
			}
		})
	}
}

func TestPresignV4Rejections(t *testing.T) {
	signedAt := testNow
	base, err := PresignV4("GET", "http://localhost:4566/bucket/key", aliceCred, "s3", "us-east-1", signedAt, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	withParam := func(name, value string) func(q url.Values) {
		return func(q url.Values) { q.Set(name, value) }
	}
	cases := []struct {
		name   string
		now    time.Time
		cred   *Credential
		edit   func(q url.Values)
		header map[string]string
		want   string
		check  func(t *testing.T, e *awsproto.Error)
	}{
		{name: "valid", now: signedAt.Add(30 * time.Minute)},
		{name: "last second", now: signedAt.Add(time.Hour)},
		{name: "expired", now: signedAt.Add(time.Hour + time.Second), want: "AccessDenied",
			check: func(t *testing.T, e *awsproto.Error) {
				if e.Message != "Request has expired" || e.Extra["X-Amz-Expires"] != "3600" ||
					e.Extra["Expires"] != "2026-11-24T13:00:00Z" || e.Extra["ServerTime"] != "2026-11-24T13:00:01Z" {
					t.Fatalf("%+v", e)
				}
			}},
		{name: "not valid yet", now: signedAt.Add(-time.Hour), want: "AccessDenied",
			check: func(t *testing.T, e *awsproto.Error) {
				if e.Message != "Request is not valid yet" {
					t.Fatal(e.Message)
				}
			}},
		{name: "a little early is tolerated", now: signedAt.Add(-5 * time.Minute)},
		{name: "expiry changed", edit: withParam("X-Amz-Expires", "7200"), want: "SignatureDoesNotMatch"},
		{name: "parameter added", edit: withParam("versionId", "1"), want: "SignatureDoesNotMatch"},
		{name: "token added after signing", edit: withParam("X-Amz-Security-Token", "tok")},
		{name: "unknown key", cred: &Credential{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}, want: "InvalidAccessKeyId"},
		{name: "wrong secret", cred: &Credential{AccessKeyID: aliceCred.AccessKeyID, SecretAccessKey: "nope"}, want: "SignatureDoesNotMatch"},
		{name: "expires over a week", edit: withParam("X-Amz-Expires", "604801"), want: "AuthorizationQueryParametersError"},
		{name: "expires not a number", edit: withParam("X-Amz-Expires", "soon"), want: "AuthorizationQueryParametersError"},
		{name: "expires zero", edit: withParam("X-Amz-Expires", "0"), want: "AuthorizationQueryParametersError"},
		{name: "expires negative", edit: withParam("X-Amz-Expires", "-1"), want: "AuthorizationQueryParametersError"},
		{name: "signed headers missing", edit: func(q url.Values) { q.Del("X-Amz-SignedHeaders") }, want: "AuthorizationQueryParametersError"},
		{name: "host not signed", edit: withParam("X-Amz-SignedHeaders", "x-amz-date"), want: "AuthorizationQueryParametersError"},
		{name: "algorithm", edit: withParam("X-Amz-Algorithm", "AWS4-HMAC-SHA512"), want: "AuthorizationQueryParametersError"},
		{name: "date format", edit: withParam("X-Amz-Date", "2026-11-24T12:00:00Z"), want: "AuthorizationQueryParametersError"},
		{name: "credential date", edit: withParam("X-Amz-Date", "20261125T120000Z"), want: "AuthorizationQueryParametersError"},
		{name: "credential malformed", edit: withParam("X-Amz-Credential", "AKIDALICE/20261124/us-east-1/s3"), want: "AuthorizationQueryParametersError"},
		{name: "x-amz-content-sha256 header sent along", header: map[string]string{"X-Amz-Content-Sha256": unsignedPayload}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := base
			if c.cred != nil {
				u, _ = PresignV4("GET", "http://localhost:4566/bucket/key", *c.cred, "s3", "us-east-1", signedAt, time.Hour)
			}
			parsed, _ := url.Parse(u)
			if c.edit != nil {
				q := parsed.Query()
				c.edit(q)
				parsed.RawQuery = q.Encode()
			}
			r := httptest.NewRequest("GET", parsed.String(), nil)
			for k, v := range c.header {
				r.Header.Set(k, v)
			}
			now := c.now
			if now.IsZero() {
				now = signedAt
			}
			v := NewVerifier(Options{Now: func() time.Time { return now }, Credentials: []Credential{aliceCred}})
			p, err := v.Authenticate(r)
			if errCode(err) != c.want {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if err == nil && p.ARN != "arn:aws:iam::123456789012:user/alice" {
				t.Fatalf("principal %+v", p)
			}
			if c.check != nil {
				c.check(t, awsproto.As(err))
			}
		})
	}
}

func TestPresignV4Arguments(t *testing.T) {
	cases := []struct {
		url     string
		expires time.Duration
	}{
		{"http://localhost:4566/b/k", 0},
		{"http://localhost:4566/b/k", 500 * time.Millisecond},
		{"http://localhost:4566/b/k", 7*24*time.Hour + time.Second},
		{"/b/k", time.Hour},
		{"http://[bad", time.Hour},
	}
	for _, c := range cases {
		if _, err := PresignV4("GET", c.url, aliceCred, "s3", "us-east-1", testNow, c.expires); err == nil {
			t.Errorf("PresignV4(%q, %v) succeeded", c.url, c.expires)
		}
	}
	if _, err := PresignV4("GET", "http://localhost:4566/b/k", aliceCred, "s3", "us-east-1", testNow, 7*24*time.Hour); err != nil {
		t.Errorf("7 days: %v", err)
	}
}
