package auth

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// The SigV2 worked examples of AWS's S3 guide ("Signing and authenticating
// REST requests", RESTAuthentication.html): bucket johnsmith, key
// AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.
func TestSigV2HeaderExamples(t *testing.T) {
	cases := []struct {
		name, method, host, target string
		header                     map[string]string
		authz                      string
		now                        string
	}{
		{name: "object GET", method: "GET", host: "johnsmith.s3.amazonaws.com", target: "/photos/puppy.jpg",
			header: map[string]string{"Date": "Tue, 27 Mar 2007 19:36:42 +0000"},
			authz:  "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=", now: "Tue, 27 Mar 2007 19:36:42 +0000"},
		{name: "object GET path-style", method: "GET", host: "s3.amazonaws.com", target: "/johnsmith/photos/puppy.jpg",
			header: map[string]string{"Date": "Tue, 27 Mar 2007 19:36:42 +0000"},
			authz:  "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=", now: "Tue, 27 Mar 2007 19:40:00 +0000"},
		{name: "object PUT", method: "PUT", host: "johnsmith.s3.amazonaws.com", target: "/photos/puppy.jpg",
			header: map[string]string{"Date": "Tue, 27 Mar 2007 21:15:45 +0000", "Content-Type": "image/jpeg", "Content-Length": "94328"},
			authz:  "AWS AKIAIOSFODNN7EXAMPLE:MyyxeRY7whkBe+bq8fHCL/2kKUg=", now: "Tue, 27 Mar 2007 21:15:45 +0000"},
		{name: "list", method: "GET", host: "johnsmith.s3.amazonaws.com", target: "/?prefix=photos&max-keys=50&marker=puppy",
			header: map[string]string{"Date": "Tue, 27 Mar 2007 19:42:41 +0000", "User-Agent": "Mozilla/5.0"},
			authz:  "AWS AKIAIOSFODNN7EXAMPLE:htDYFYduRNen8P9ZfE/s9SuKy0U=", now: "Tue, 27 Mar 2007 19:42:41 +0000"},
		{name: "delete with x-amz-date", method: "DELETE", host: "s3.amazonaws.com", target: "/johnsmith/photos/puppy.jpg",
			header: map[string]string{"Date": "Tue, 27 Mar 2007 21:20:27 +0000", "x-amz-date": "Tue, 27 Mar 2007 21:20:26 +0000"},
			authz:  "AWS AKIAIOSFODNN7EXAMPLE:lx3byBScXR6KzyMaifNkardMwNk=", now: "Tue, 27 Mar 2007 21:20:26 +0000"},
	}
	for _, c := range cases {
		for _, variant := range []string{"good", "wrong secret", "unknown key", "skewed", "malformed"} {
			t.Run(c.name+"/"+variant, func(t *testing.T) {
				now, err := parseHTTPDate(c.now)
				if err != nil {
					t.Fatal(err)
				}
				secret, authz, want := exampleSecret, c.authz, ""
				switch variant {
				case "wrong secret":
					secret, want = "other", "SignatureDoesNotMatch"
				case "unknown key":
					authz, want = "AWS AKIDNOBODY:"+authz[len("AWS AKIAIOSFODNN7EXAMPLE:"):], "InvalidAccessKeyId"
				case "skewed":
					now, want = now.Add(20*time.Minute), "RequestTimeTooSkewed"
				case "malformed":
					authz, want = "AWS AKIAIOSFODNN7EXAMPLE", "InvalidArgument"
				}
				v := NewVerifier(Options{Now: func() time.Time { return now }, BaseHosts: []string{"s3.amazonaws.com"},
					Credentials: []Credential{{AccessKeyID: exampleAccessKey, SecretAccessKey: secret}}})
				r := httptest.NewRequest(c.method, c.target, nil)
				r.Host = c.host
				for k, val := range c.header {
					r.Header.Set(k, val)
				}
				r.Header.Set("Authorization", authz)
				if _, err := v.Authenticate(r); errCode(err) != want {
					t.Fatalf("got %v, want %q", err, want)
				}
			})
		}
	}
}

func TestResourceV2(t *testing.T) {
	v := NewVerifier(Options{BaseHosts: []string{"localhost", "127.0.0.1", "s3.local.test"}})
	cases := []struct {
		host, target, want string
	}{
		{"localhost:4566", "/", "/"},
		{"localhost:4566", "/bucket", "/bucket/"},
		{"localhost:4566", "/bucket/", "/bucket/"},
		{"localhost:4566", "/bucket/dir/a%20b%2Bc", "/bucket/dir/a%20b%2Bc"},
		{"bucket.localhost:4566", "/", "/bucket/"},
		{"bucket.localhost:4566", "/dir/k", "/bucket/dir/k"},
		{"my.dotted.bucket.s3.local.test", "/k", "/my.dotted.bucket/k"},
		{"bucket.127.0.0.1:4566", "/k", "/bucket/k"},
		{"example.com", "/bucket/k", "/bucket/k"},
		{"localhost:4566", "/bucket?acl", "/bucket/?acl"},
		{"localhost:4566", "/bucket?delete=", "/bucket/?delete="},
		{"localhost:4566", "/bucket?list-type=2&prefix=a", "/bucket/"},
		{"localhost:4566", "/b/k?uploadId=abc&partNumber=2&x-id=UploadPart", "/b/k?partNumber=2&uploadId=abc"},
		{"localhost:4566", "/b/k?response-content-type=text%2Fplain&versionId=1&AWSAccessKeyId=AK&Signature=s%2B&Expires=1", "/b/k?response-content-type=text/plain&versionId=1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", c.target, nil)
		r.Host = c.host
		if got := v.resourceV2(r); got != c.want {
			t.Errorf("%s %s → %q, want %q", c.host, c.target, got, c.want)
		}
	}
	// The classifier's route, when there is one, names the bucket.
	r := httptest.NewRequest("GET", "/k", nil)
	r.Host = "custom.example.org"
	r = r.WithContext(awsproto.WithRoute(r.Context(), awsproto.Route{Service: "s3", Bucket: "custom.example.org", VirtualHost: true}))
	if got := v.resourceV2(r); got != "/custom.example.org/k" {
		t.Errorf("routed virtual host → %q", got)
	}
}

func TestPresignV2Rejections(t *testing.T) {
	v := NewVerifier(Options{Now: func() time.Time { return time.Unix(1800000000, 0) }, Credentials: []Credential{rootCred}})
	cases := []struct {
		query, want string
	}{
		{"AWSAccessKeyId=test&Signature=abc&Expires=1799999999", "AccessDenied"}, // expired
		{"AWSAccessKeyId=test&Signature=abc%3D&Expires=1800000100", "SignatureDoesNotMatch"},
		{"AWSAccessKeyId=nobody&Signature=abc&Expires=1800000100", "InvalidAccessKeyId"},
		{"AWSAccessKeyId=test&Signature=abc&Expires=tomorrow", "AccessDenied"},
		{"AWSAccessKeyId=test&Expires=1800000100", "AccessDenied"},
		{"Signature=abc&Expires=1800000100", "AccessDenied"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "http://localhost:4566/bucket/key?"+c.query, nil)
		if _, err := v.Authenticate(r); errCode(err) != c.want {
			t.Errorf("%s: got %v, want %q", c.query, err, c.want)
		}
	}
}
