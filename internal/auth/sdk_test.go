package auth

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// s3Stub is just enough of S3 (and STS) to drive the real SDK clients
// through Authenticate: PUT stores the decoded body after checking its
// CRC32 (header or aws-chunked trailer), GET returns it, errors go out as S3
// XML so the SDK reports their codes. It records what each PUT looked like
// after authentication.
type s3Stub struct {
	v *Verifier

	mu      sync.Mutex
	objects map[string][]byte
	puts    []seenPut
}

type seenPut struct {
	path, contentSHA, contentEncoding, trailerCRC string
	contentLength                                 int64
	principal                                     Principal
}

func newS3Stub(v *Verifier) *s3Stub { return &s3Stub{v: v, objects: map[string][]byte{}} }

// writeError renders err in the shape the request's protocol expects:
// JSON for X-Amz-Target and Lambda's REST-JSON, a wrapped <ErrorResponse>
// for Query (STS), S3's <Error> otherwise.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := awsproto.As(err)
	if e == nil {
		e = awsproto.Internal(err)
	}
	var msg bytes.Buffer
	xml.EscapeText(&msg, []byte(e.Message))
	switch {
	case r.Header.Get("X-Amz-Target") != "" || strings.HasPrefix(r.URL.Path, "/2015-03-31/"):
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		w.WriteHeader(e.Status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, e.Code, e.Message)
	case r.Method == "POST" && r.URL.Path == "/":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.Status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>stub</RequestId></ErrorResponse>`, e.Code, msg.String())
	default:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(e.Status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>stub</RequestId></Error>`, e.Code, msg.String())
	}
}

func (s *s3Stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, err := s.v.Authenticate(r)
	if err == nil && p.Anonymous {
		err = errAccessDenied("Access Denied")
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	switch {
	case r.Header.Get("X-Amz-Target") != "": // a JSON service (Kinesis, Logs, ...): body already verified
		if _, err := io.ReadAll(r.Body); err != nil {
			writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprint(w, "{}")
		return
	case strings.HasPrefix(r.URL.Path, "/2015-03-31/"): // Lambda
		if _, err := io.ReadAll(r.Body); err != nil {
			writeError(w, r, err)
			return
		}
		fmt.Fprint(w, `{"principal":"`+p.ARN+`"}`)
		return
	case r.Method == "POST" && r.URL.Path == "/": // STS GetCallerIdentity (Query protocol)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "GetCallerIdentity" {
			writeError(w, r, errInvalidRequest("unexpected STS call"))
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account></GetCallerIdentityResult>`+
			`<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, p.ARN, p.UserID, p.AccountID)
		return
	}
	path := requestPath(r)
	if b := s.v.virtualHostBucket(r.Host); b != "" {
		path = "/" + b + path
	}
	switch r.Method {
	case "PUT":
		seen := seenPut{path: path, contentSHA: r.Header.Get("X-Amz-Content-Sha256"),
			contentEncoding: r.Header.Get("Content-Encoding"), contentLength: r.ContentLength, principal: p}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if r.ContentLength >= 0 && int64(len(body)) != r.ContentLength {
			writeError(w, r, errIncompleteBody())
			return
		}
		sum := crc32.ChecksumIEEE(body)
		crc := base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
		want := r.Header.Get("X-Amz-Checksum-Crc32")
		if want == "" {
			want = r.Trailer.Get("X-Amz-Checksum-Crc32")
			seen.trailerCRC = want
		}
		if want != "" && want != crc {
			writeError(w, r, awsproto.NewError(400, "BadDigest", "The CRC32 you specified did not match the calculated checksum."))
			return
		}
		s.mu.Lock()
		s.objects[path] = body
		s.puts = append(s.puts, seen)
		s.mu.Unlock()
		md := md5.Sum(body)
		w.Header().Set("ETag", `"`+hex.EncodeToString(md[:])+`"`)
	case "GET":
		s.mu.Lock()
		body, ok := s.objects[path]
		s.mu.Unlock()
		if !ok {
			writeError(w, r, awsproto.NewError(404, "NoSuchKey", "The specified key does not exist."))
			return
		}
		w.Write(body)
	default:
		writeError(w, r, errInvalidRequest("unexpected method"))
	}
}

func (s *s3Stub) lastPut() seenPut {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.puts[len(s.puts)-1]
}

// isolateSDKEnv keeps the machine's AWS settings out of the SDK's default
// configuration; AWS_CA_BUNDLE in particular would replace the test
// server's trust.
func isolateSDKEnv(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
		"AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
}

// sdkConfig is aws-sdk-go-v2's default configuration with a static key.
func sdkConfig(t *testing.T, hc *http.Client, cred Credential) aws.Config {
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"), config.WithHTTPClient(hc),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.SecretAccessKey, "")))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func s3Client(t *testing.T, endpoint string, hc *http.Client, cred Credential, pathStyle bool) *s3.Client {
	return s3.NewFromConfig(sdkConfig(t, hc, cred), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = pathStyle
	})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

func realClock() *Verifier {
	return NewVerifier(Options{Credentials: []Credential{aliceCred, rootCred}})
}

// TestGoSDKS3 drives aws-sdk-go-v2's S3 client, with its default settings,
// against Authenticate over http (hex payload hash, checksum header) and
// https (aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER with the CRC32 in the
// trailer), path-style and virtual-host style, and presigned URLs.
func TestGoSDKS3(t *testing.T) {
	isolateSDKEnv(t)
	stub := newS3Stub(realClock())
	plain := httptest.NewServer(stub)
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(stub)
	defer tlsSrv.Close()
	// Virtual-host requests go to {bucket}.localhost, which does not resolve
	// here: dial the test server whatever the host.
	vhostClient := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, plain.Listener.Addr().String())
	}}}
	_, port, _ := net.SplitHostPort(plain.Listener.Addr().String())

	big := bytes.Repeat([]byte("tributary "), 300000) // 3 MB
	keys := []string{"plain.txt", "dir/a b+c=d~e/été (1).txt", "we!rd'key*(x)&y$z,;:@=", "percent%2Fliteral", "../dots/./x"}
	cases := []struct {
		name         string
		client       *s3.Client
		bucket       string
		body         []byte
		wantStream   bool
		wantEncoding string
	}{
		{name: "http path-style", client: s3Client(t, plain.URL, plain.Client(), aliceCred, true), bucket: "bucket", body: []byte("hello world\n")},
		{name: "http virtual-host", client: s3Client(t, "http://localhost:"+port, vhostClient, aliceCred, false), bucket: "vbucket", body: []byte("hello world\n")},
		{name: "https aws-chunked small", client: s3Client(t, tlsSrv.URL, tlsSrv.Client(), aliceCred, true), bucket: "tbucket", body: []byte("hello world\n"), wantStream: true},
		{name: "https aws-chunked 3 MB", client: s3Client(t, tlsSrv.URL, tlsSrv.Client(), aliceCred, true), bucket: "tbucket", body: big, wantStream: true},
		{name: "https aws-chunked gzip", client: s3Client(t, tlsSrv.URL, tlsSrv.Client(), aliceCred, true), bucket: "tbucket", body: big, wantStream: true, wantEncoding: "gzip"},
	}
	ctx := context.Background()
	for _, c := range cases {
		for _, key := range keys {
			t.Run(c.name+"/"+key, func(t *testing.T) {
				in := &s3.PutObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key), Body: bytes.NewReader(c.body)}
				if c.wantEncoding != "" {
					in.ContentEncoding = aws.String(c.wantEncoding)
				}
				if _, err := c.client.PutObject(ctx, in); err != nil {
					t.Fatalf("PutObject: %v", err)
				}
				seen := stub.lastPut()
				if c.wantStream != (seen.contentSHA == streamingUnsignedTrailer) || seen.contentLength != int64(len(c.body)) ||
					seen.contentEncoding != c.wantEncoding || seen.principal.Name != "alice" {
					t.Fatalf("server saw %+v", seen)
				}
				if c.wantStream && seen.trailerCRC == "" {
					t.Fatalf("no CRC32 trailer: %+v", seen)
				}
				out, err := c.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key)})
				if err != nil {
					t.Fatalf("GetObject: %v", err)
				}
				got, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if !bytes.Equal(got, c.body) {
					t.Fatalf("GetObject returned %d bytes, put %d", len(got), len(c.body))
				}
			})
		}
	}

	t.Run("rejections", func(t *testing.T) {
		for _, c := range []struct {
			name string
			cred Credential
			want string
		}{
			{"wrong secret", Credential{AccessKeyID: aliceCred.AccessKeyID, SecretAccessKey: "wrong"}, "SignatureDoesNotMatch"},
			{"unknown key", Credential{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}, "InvalidAccessKeyId"},
		} {
			for _, srv := range []*httptest.Server{plain, tlsSrv} {
				cl := s3Client(t, srv.URL, srv.Client(), c.cred, true)
				_, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("k"), Body: bytes.NewReader(big)})
				if apiCode(err) != c.want {
					t.Errorf("%s via %s: %v, want %s", c.name, srv.URL, err, c.want)
				}
			}
		}
	})

	t.Run("presigned", func(t *testing.T) {
		for _, srv := range []*httptest.Server{plain, tlsSrv} {
			pc := s3.NewPresignClient(s3Client(t, srv.URL, srv.Client(), aliceCred, true))
			put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pbucket"), Key: aws.String("dir/a b+c.txt")}, s3.WithPresignExpires(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(put.Method, put.URL, strings.NewReader("presigned body"))
			for k, v := range put.SignedHeader {
				if !strings.EqualFold(k, "host") {
					req.Header[k] = v
				}
			}
			if resp, err := srv.Client().Do(req); err != nil || resp.StatusCode != 200 {
				t.Fatalf("presigned PUT %s: %v %v", put.URL, resp, err)
			}
			get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pbucket"), Key: aws.String("dir/a b+c.txt")})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Get(get.URL)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(b) != "presigned body" {
				t.Fatalf("presigned GET %s: %d %s", get.URL, resp.StatusCode, b)
			}
		}
	})
}

// TestGoSDKSTS: GetCallerIdentity is a form POST signed for sts; the body
// is hashed by the server, and the principal comes back.
func TestGoSDKSTS(t *testing.T) {
	isolateSDKEnv(t)
	srv := httptest.NewServer(newS3Stub(realClock()))
	defer srv.Close()
	for _, c := range []struct {
		cred    Credential
		wantARN string
		wantErr string
	}{
		{cred: aliceCred, wantARN: "arn:aws:iam::123456789012:user/alice"},
		{cred: rootCred, wantARN: "arn:aws:iam::000000000000:root"},
		{cred: Credential{AccessKeyID: "test", SecretAccessKey: "wrong"}, wantErr: "SignatureDoesNotMatch"},
	} {
		cl := sts.NewFromConfig(sdkConfig(t, srv.Client(), c.cred), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
		out, err := cl.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if apiCode(err) != c.wantErr {
			t.Fatalf("%s: %v, want %q", c.cred.AccessKeyID, err, c.wantErr)
		}
		if err == nil && aws.ToString(out.Arn) != c.wantARN {
			t.Fatalf("ARN %s, want %s", aws.ToString(out.Arn), c.wantARN)
		}
	}
}
