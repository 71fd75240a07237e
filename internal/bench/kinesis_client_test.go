package bench

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tributary-dev/tributary/internal/auth"
)

func signedKinesisRequest(t *testing.T, s *sigV4Signer, body []byte, when time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", kinesisContentType)
	req.Header.Set("X-Amz-Target", kinesisTargetPrefix+"PutRecords")
	s.sign(req, payloadHash(body), when)
	return req
}

// TestSigV4SignerVerifies: Tributary's own verifier (tested against botocore) accepts the signature,
// and rejects it when the secret, the body or the target differ.
func TestSigV4SignerVerifies(t *testing.T) {
	body := []byte(`{"StreamName":"s","Records":[{"Data":"eA==","PartitionKey":"k"}]}`)
	verifier := auth.NewVerifier(auth.Options{Credentials: []auth.Credential{{AccessKeyID: "AKIDBENCH", SecretAccessKey: "bench-secret"}}})
	tests := []struct {
		name    string
		secret  string
		tamper  func(*http.Request)
		wantErr bool
	}{
		{name: "valid", secret: "bench-secret"},
		{name: "wrong secret", secret: "other", wantErr: true},
		{name: "other body", secret: "bench-secret", wantErr: true, tamper: func(r *http.Request) {
			r.Body = http.NoBody
			r.ContentLength = 0
		}},
		{name: "other operation", secret: "bench-secret", wantErr: true, tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", kinesisTargetPrefix+"DeleteStream")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSigV4Signer("AKIDBENCH", tc.secret, "us-east-1", "kinesis")
			req := signedKinesisRequest(t, s, body, time.Now())
			if tc.tamper != nil {
				tc.tamper(req)
			}
			_, err := verifier.Authenticate(req)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Authenticate: err = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

// TestSigV4SignerMatchesSDK: for the same request, headers and instant, the signature equals
// aws-sdk-go-v2's, and the cached signing key follows the date.
func TestSigV4SignerMatchesSDK(t *testing.T) {
	body := []byte(`{"StreamName":"s"}`)
	s := newSigV4Signer("AKID", "secret", "eu-west-1", "kinesis")
	for _, when := range []time.Time{
		time.Date(2026, 12, 2, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 12, 3, 0, 0, 1, 0, time.UTC), // next day: a new signing key
	} {
		mine := signedKinesisRequest(t, s, body, when)
		sdk, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", nil)
		sdk.Header.Set("Content-Type", kinesisContentType)
		sdk.Header.Set("X-Amz-Target", kinesisTargetPrefix+"PutRecords")
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"},
			sdk, payloadHash(body), "kinesis", "eu-west-1", when)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mine.Header.Get("Authorization"), sdk.Header.Get("Authorization"); got != want {
			t.Errorf("%s:\n got  %s\n want %s", when, got, want)
		}
		if got, want := mine.Header.Get("X-Amz-Date"), sdk.Header.Get("X-Amz-Date"); got != want {
			t.Errorf("X-Amz-Date %s, want %s", got, want)
		}
	}
}

func TestMemberScanning(t *testing.T) {
	doc := []byte(`{"Records":[{"Data":"QUJD","SequenceNumber":"1"},{"Data":"REVG","SequenceNumber" : "2"}],` +
		`"NextShardIterator": "it\"er\/x", "MillisBehindLatest":12, "Float":3.0,"Null":null,"Name":"SequenceNumber"}`)
	if n := countMember(doc, "SequenceNumber"); n != 3 {
		// the member names and the string value "SequenceNumber": counting is for answers whose
		// values cannot contain quotes, which is why the test shows the limit
		t.Errorf("countMember = %d, want 3", n)
	}
	strTests := []struct {
		name, want string
		ok         bool
	}{
		{"NextShardIterator", `it"er/x`, true},
		{"Null", "", false},
		{"Missing", "", false},
	}
	for _, tc := range strTests {
		got, ok, err := memberString(doc, tc.name)
		if err != nil || got != tc.want || ok != tc.ok {
			t.Errorf("memberString(%s) = %q, %v, %v; want %q, %v", tc.name, got, ok, err, tc.want, tc.ok)
		}
	}
	intTests := []struct {
		name string
		want int64
		ok   bool
		err  bool
	}{
		{"MillisBehindLatest", 12, true, false},
		{"Float", 3, true, false},
		{"Missing", 0, false, false},
		{"NextShardIterator", 0, false, true},
	}
	for _, tc := range intTests {
		got, ok, err := memberInt(doc, tc.name)
		if got != tc.want || ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("memberInt(%s) = %d, %v, %v; want %d, %v, err %v", tc.name, got, ok, err, tc.want, tc.ok, tc.err)
		}
	}
	// A name that only occurs as a value is no member.
	if _, ok := memberValue([]byte(`{"a":"Only"}`), "Only"); ok {
		t.Errorf("memberValue found a value as a member")
	}
}

func TestParseKinesisError(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		header      http.Header
		body        string
		code, msg   string
		unsupported bool
	}{
		{"json 1.1 shape", 400, nil, `{"__type":"ResourceNotFoundException","message":"Stream s not found."}`, "ResourceNotFoundException", "Stream s not found.", false},
		{"namespaced type, Message", 400, nil, `{"__type":"com.amazonaws.kinesis#InvalidArgumentException","Message":"bad"}`, "InvalidArgumentException", "bad", false},
		{"code in header only", 400, http.Header{"X-Amzn-Errortype": {"LimitExceededException:http://x/"}}, `{}`, "LimitExceededException", "", false},
		{"unknown operation", 400, nil, `{"__type":"UnknownOperationException"}`, "UnknownOperationException", "", true},
		{"html 500", 500, nil, "<html>\n<h1>Internal   Server Error</h1></html>", noErrorCode, "<html> <h1>Internal Server Error</h1></html>", true},
		{"internal failure is no unsupported op", 500, nil, `{"__type":"InternalFailure","message":"x"}`, "InternalFailure", "x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			e := parseKinesisError("Op", tc.status, h, []byte(tc.body), 600)
			if e.Code != tc.code || e.Message != tc.msg {
				t.Errorf("got %q %q, want %q %q", e.Code, e.Message, tc.code, tc.msg)
			}
			if got := isUnsupported(e); got != tc.unsupported {
				t.Errorf("isUnsupported = %v, want %v", got, tc.unsupported)
			}
		})
	}
	if isUnsupported(errors.New("dial tcp: refused")) {
		t.Errorf("a transport error is not an unsupported operation")
	}
}

// TestKinesisClientCall: the request carries the target, content type and a signature over the
// body; a non-200 answer is a *KinesisError.
func TestKinesisClientCall(t *testing.T) {
	verifier := auth.NewVerifier(auth.Options{Credentials: []auth.Credential{{AccessKeyID: "test", SecretAccessKey: "test"}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := verifier.Authenticate(r); err != nil {
			w.WriteHeader(403)
			w.Write([]byte(`{"__type":"InvalidSignatureException","message":"` + strings.ReplaceAll(err.Error(), `"`, `'`) + `"}`))
			return
		}
		if r.Header.Get("X-Amz-Target") != kinesisTargetPrefix+"ListStreams" || r.Header.Get("Content-Type") != kinesisContentType {
			w.WriteHeader(400)
			w.Write([]byte(`{"__type":"UnknownOperationException"}`))
			return
		}
		w.Write([]byte(`{"StreamNames":["a"],"HasMoreStreams":false}`))
	}))
	defer srv.Close()
	c, err := newKinesisClient("fake", srv.URL, newSigV4Signer("test", "test", "us-east-1", "kinesis"), newKinesisTransport(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ StreamNames []string }
	if err := c.callJSON(context.Background(), "ListStreams", map[string]any{}, &out); err != nil || len(out.StreamNames) != 1 {
		t.Fatalf("ListStreams: %v %+v", err, out)
	}
	err = c.callJSON(context.Background(), "DeleteStream", map[string]any{}, nil)
	var ke *KinesisError
	if !errors.As(err, &ke) || ke.Code != "UnknownOperationException" || ke.Status != 400 || !isUnsupported(err) {
		t.Errorf("DeleteStream: %v", err)
	}
	bad, _ := newKinesisClient("fake", srv.URL, newSigV4Signer("test", "wrong", "us-east-1", "kinesis"), newKinesisTransport(), 5*time.Second)
	err = bad.callJSON(context.Background(), "ListStreams", map[string]any{}, nil)
	if !errors.As(err, &ke) || ke.Status != 403 {
		t.Errorf("wrong secret: %v", err)
	}
}
