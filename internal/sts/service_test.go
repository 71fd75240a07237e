package sts_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/tributary-dev/tributary/internal/auth"
	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/server"
	"github.com/tributary-dev/tributary/internal/sts"
)

var alice = auth.Principal{
	AccessKeyID: "test",
	AccountID:   "123456789012",
	ARN:         "arn:aws:iam::123456789012:user/alice",
	UserID:      "AIDAEXAMPLEALICE0001",
	Name:        "alice",
}

// fixedAuth stands in for internal/auth's verifier: every request that
// carries a SigV4 signature for sts is alice; others are refused.
type fixedAuth struct{}

func (fixedAuth) Authenticate(r *http.Request) (auth.Principal, error) {
	if !strings.Contains(r.Header.Get("Authorization"), "/sts/aws4_request") {
		return auth.Principal{}, awsproto.NewError(http.StatusForbidden, "IncompleteSignature", "Request is missing Authentication Token")
	}
	if rt, ok := awsproto.RouteFrom(r.Context()); !ok || rt.Service != "sts" {
		return auth.Principal{}, errors.New("route missing from the authenticator's context")
	}
	return alice, nil
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := server.New(server.Options{Services: []server.Service{sts.New()}, Authenticator: fixedAuth{}, Region: "us-east-1"})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func newClient(ts *httptest.Server) *awssts.Client {
	return awssts.New(awssts.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(ts.URL),
		HTTPClient:   ts.Client(),
	})
}

func TestGetCallerIdentitySDK(t *testing.T) {
	ts := newServer(t)
	out, err := newClient(ts).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != alice.AccountID || aws.ToString(out.Arn) != alice.ARN || aws.ToString(out.UserId) != alice.UserID {
		t.Errorf("got account %q arn %q user %q", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
}

func TestUnsupportedOperationSDK(t *testing.T) {
	ts := newServer(t)
	_, err := newClient(ts).GetSessionToken(context.Background(), &awssts.GetSessionTokenInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidAction" || !strings.Contains(apiErr.ErrorMessage(), "GetSessionToken") {
		t.Fatalf("err = %v, want InvalidAction naming GetSessionToken", err)
	}
}

func TestGetCallerIdentityWire(t *testing.T) {
	ts := newServer(t)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	id := resp.Header.Get("x-amzn-RequestId")
	want := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLEALICE0001</UserId><Account>123456789012</Account>` +
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>` + id + `</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	if resp.StatusCode != 200 || string(body) != want || resp.Header.Get("Content-Type") != "text/xml" || id == "" {
		t.Errorf("got %d %s %q\n%s\nwant\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), id, body, want)
	}
}

// awsCLI runs the aws CLI against ts with throwaway credentials and no
// user configuration.
func awsCLI(t *testing.T, ts *httptest.Server, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatal("aws CLI not on PATH")
	}
	dir := t.TempDir()
	cmd := exec.Command("aws", append(args, "--endpoint-url", ts.URL, "--output", "json")...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"))
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

func TestGetCallerIdentityCLI(t *testing.T) {
	ts := newServer(t)
	stdout, stderr, err := awsCLI(t, ts, "sts", "get-caller-identity")
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, stderr)
	}
	var got struct{ UserId, Account, Arn string }
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}
	if got.Account != alice.AccountID || got.Arn != alice.ARN || got.UserId != alice.UserID {
		t.Errorf("got %+v", got)
	}

	_, stderr, err = awsCLI(t, ts, "sts", "get-session-token")
	if err == nil || !strings.Contains(stderr, "InvalidAction") {
		t.Errorf("get-session-token: err %v, stderr %q; want InvalidAction", err, stderr)
	}
}
