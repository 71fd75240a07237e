package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// ---- Go SDK ----------------------------------------------------------------

// localhostHTTPClient dials every `*.localhost` (and `localhost`) name at
// 127.0.0.1: nothing on this machine resolves `bucket.localhost` (spec A1, A8),
// and the Go SDK uses virtual-host addressing by default. No proxy.
func localhostHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err == nil && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}}
}

type clientOpts struct {
	akid, secret string
	maxAttempts  int          // 0: SDK default
	httpClient   *http.Client // nil: localhostHTTPClient
	s3opts       []func(*s3.Options)
}

// goClient is aws-sdk-go-v2 as a user configures it: LoadDefaultConfig,
// static test credentials, BaseEndpoint http://localhost:PORT, default
// addressing (virtual host) and default checksum settings (when_supported).
func (s *server) goClient(t testing.TB, opts ...func(*clientOpts)) *s3.Client {
	t.Helper()
	o := clientOpts{akid: "test", secret: "test"}
	for _, fn := range opts {
		fn(&o)
	}
	if o.httpClient == nil {
		o.httpClient = localhostHTTPClient()
	}
	loadOpts := []func(*config.LoadOptions) error{
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(o.akid, o.secret, "")),
		config.WithHTTPClient(o.httpClient),
		config.WithSharedConfigFiles([]string{harness.emptyFile}),
		config.WithSharedCredentialsFiles([]string{harness.emptyFile}),
	}
	if o.maxAttempts > 0 {
		loadOpts = append(loadOpts, config.WithRetryMaxAttempts(o.maxAttempts))
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), loadOpts...)
	if err != nil {
		t.Fatalf("aws config: %v", err)
	}
	endpoint := s.localhostEndpoint()
	return s3.NewFromConfig(cfg, append([]func(*s3.Options){func(so *s3.Options) {
		so.BaseEndpoint = aws.String(endpoint)
		// only silences the SDK's "Response has no supported checksum" log
		// line (multipart objects); validation itself stays at its default
		so.DisableLogOutputChecksumValidationSkipped = true
	}}, o.s3opts...)...)
}

func withCredentials(akid, secret string) func(*clientOpts) {
	return func(o *clientOpts) { o.akid, o.secret = akid, secret }
}

func withNoRetries() func(*clientOpts) { return func(o *clientOpts) { o.maxAttempts = 1 } }

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// wantAPIError checks an SDK error's AWS code and HTTP status.
func wantAPIError(t testing.TB, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Errorf("expected error %s (%d), got success", code, status)
		return
	}
	var apiErr smithy.APIError
	gotCode := "(no API error)"
	if errors.As(err, &apiErr) {
		gotCode = apiErr.ErrorCode()
	}
	gotStatus := 0
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		gotStatus = respErr.HTTPStatusCode()
	}
	if gotCode != code || gotStatus != status {
		t.Errorf("expected %s (%d), got %s (%d): %v", code, status, gotCode, gotStatus, err)
	}
}

func createBucketGo(t testing.TB, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

func putGo(t testing.TB, c *s3.Client, bucket, key string, body []byte) string {
	t.Helper()
	out, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.ETag)
}

func getGo(t testing.TB, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GetObject %s/%s body: %v", bucket, key, err)
	}
	return data
}

// wantAbsent proves a key is not visible: HeadObject 404 and not listed.
func wantAbsent(t testing.TB, c *s3.Client, bucket, key string) {
	t.Helper()
	_, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	wantAPIError(t, err, "NotFound", 404)
	for _, k := range listKeysGo(t, c, bucket, "") {
		if k == key {
			t.Errorf("key %q is listed after a failed write", key)
		}
	}
}

func listKeysGo(t testing.TB, c *s3.Client, bucket, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctxT(t))
		if err != nil {
			t.Fatalf("ListObjectsV2 %s: %v", bucket, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// ---- raw signed requests -----------------------------------------------------

// rawRequest is an S3 request signed by hand with the SDK's SigV4 signer, for
// inputs no SDK would send (malformed XML, wrong checksums, skewed clocks).
type rawRequest struct {
	method      string
	path        string // escaped path, e.g. /bucket/key
	query       string // raw query
	body        []byte
	header      map[string]string
	payloadHash string    // "" → hex sha256 of body
	signTime    time.Time // zero → now
	akid        string    // "" → test
	secret      string    // "" → test
	unsigned    bool      // send without Authorization
}

type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// s3Error is the S3 <Error> document.
type s3Error struct {
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
	RequestID string `xml:"RequestId"`
}

func (r rawResponse) errorCode() string {
	var e s3Error
	if err := xml.Unmarshal(r.body, &e); err != nil {
		return "(unparseable: " + string(r.body) + ")"
	}
	return e.Code
}

func (s *server) raw(t testing.TB, rr rawRequest) rawResponse {
	t.Helper()
	u := s.endpoint + rr.path
	if rr.query != "" {
		u += "?" + rr.query
	}
	req, err := http.NewRequest(rr.method, u, bytes.NewReader(rr.body))
	if err != nil {
		t.Fatalf("raw request: %v", err)
	}
	req.ContentLength = int64(len(rr.body))
	for k, v := range rr.header {
		req.Header.Set(k, v)
	}
	if !rr.unsigned {
		signRaw(t, req, rr)
	}
	resp, err := localhostHTTPClient().Do(req)
	if err != nil {
		t.Fatalf("raw %s %s: %v", rr.method, u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

func signRaw(t testing.TB, req *http.Request, rr rawRequest) {
	t.Helper()
	hash := rr.payloadHash
	if hash == "" {
		sum := sha256.Sum256(rr.body)
		hash = hex.EncodeToString(sum[:])
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	when := rr.signTime
	if when.IsZero() {
		when = time.Now()
	}
	akid, secret := rr.akid, rr.secret
	if akid == "" {
		akid = "test"
	}
	if secret == "" {
		secret = "test"
	}
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
	err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "s3", "us-east-1", when,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
}

// wantRawError checks a raw response's status and S3 error code.
func wantRawError(t testing.TB, r rawResponse, code string, status int) {
	t.Helper()
	got := r.errorCode()
	if r.status != status || got != code {
		t.Errorf("expected %s (%d), got %s (%d): %s", code, status, got, r.status, truncate(string(r.body), 400))
	}
	if r.header.Get("x-amz-request-id") == "" {
		t.Errorf("error response without x-amz-request-id")
	}
}

func truncate(s string, n int) string {
	if !utf8.ValidString(s) {
		return fmt.Sprintf("<%d bytes, not text>", len(s))
	}
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// ---- aws CLI ---------------------------------------------------------------

type cliResult struct {
	stdout, stderr string
	err            error
}

// awsCLI runs the real aws CLI against the server.
func (s *server) awsCLI(t testing.TB, env []string, args ...string) cliResult {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the aws CLI is not on PATH (required for e2e): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = s.clientEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return cliResult{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// aws runs the CLI and requires success; it returns stdout.
func (s *server) aws(t testing.TB, args ...string) string {
	t.Helper()
	r := s.awsCLI(t, nil, args...)
	if r.err != nil {
		t.Fatalf("aws %s: %v\nstderr: %s", strings.Join(args, " "), r.err, truncate(r.stderr, 2000))
	}
	return r.stdout
}

// awsJSON runs the CLI and decodes its JSON output.
func (s *server) awsJSON(t testing.TB, args ...string) map[string]any {
	t.Helper()
	out := s.aws(t, append(args, "--output", "json")...)
	if strings.TrimSpace(out) == "" {
		return map[string]any{}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, truncate(out, 1000))
	}
	return m
}

var cliErrorRe = regexp.MustCompile(`An error occurred \(([^)]+)\) when calling the (\w+) operation`)

// awsFail runs the CLI, requires failure and an `An error occurred (code)`
// message with the given code; it returns stderr.
func (s *server) awsFail(t testing.TB, code string, args ...string) string {
	t.Helper()
	r := s.awsCLI(t, nil, args...)
	if r.err == nil {
		t.Errorf("aws %s: expected error %s, succeeded: %s", strings.Join(args, " "), code, truncate(r.stdout, 500))
		return ""
	}
	m := cliErrorRe.FindStringSubmatch(r.stderr)
	if m == nil || m[1] != code {
		t.Errorf("aws %s: expected error %s, got: %s", strings.Join(args, " "), code, truncate(r.stderr, 1000))
	}
	return r.stderr
}

func str(m map[string]any, key string) string {
	v, _ := m[key].(string)
	return v
}

func num(m map[string]any, key string) int64 {
	v, _ := m[key].(float64)
	return int64(v)
}

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ---- content and digests -------------------------------------------------------

// randomBytes returns n deterministic pseudo-random bytes for seed.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(out[i:], r.Uint64())
	}
	for i := n - n%8; i < n; i++ {
		out[i] = byte(r.Uint32())
	}
	return out
}

func md5ETag(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// multipartETag is the md5-of-md5s-N form for data cut into partSize parts.
func multipartETag(data []byte, partSize int) string {
	return multipartETagOf(splitParts(data, partSize)...)
}

// multipartETagOf is hex(MD5(md5(p1) ‖ md5(p2) ‖ …))-N (spec B3).
func multipartETagOf(parts ...[]byte) string {
	var cat []byte
	for _, p := range parts {
		sum := md5.Sum(p)
		cat = append(cat, sum[:]...)
	}
	sum := md5.Sum(cat)
	return `"` + hex.EncodeToString(sum[:]) + "-" + itoa(len(parts)) + `"`
}

func splitParts(data []byte, partSize int) [][]byte {
	var parts [][]byte
	for off := 0; off < len(data); off += partSize {
		end := min(off+partSize, len(data))
		parts = append(parts, data[off:end])
	}
	if len(parts) == 0 {
		parts = append(parts, nil)
	}
	return parts
}

func itoa(n int) string { return strconv.Itoa(n) }

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// crc64NVME is the CRC-64/NVME table (reflected polynomial 0x9a6c9329ac4bc9b5).
func crc64NVME(data []byte) []byte {
	v := crc64.Checksum(data, crc64.MakeTable(0x9a6c9329ac4bc9b5))
	return binary.BigEndian.AppendUint64(nil, v)
}

// checksumB64 is the base64 wire form of data's checksum for an algorithm
// named as in the S3 API (CRC32, CRC32C, CRC64NVME, SHA1, SHA256).
func checksumB64(algorithm string, data []byte) string {
	return base64.StdEncoding.EncodeToString(checksumRaw(algorithm, data))
}

func checksumRaw(algorithm string, data []byte) []byte {
	switch algorithm {
	case "CRC32":
		return binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	case "CRC32C":
		return binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	case "CRC64NVME":
		return crc64NVME(data)
	case "SHA1":
		sum := sha1.Sum(data)
		return sum[:]
	case "SHA256":
		sum := sha256.Sum256(data)
		return sum[:]
	}
	panic("unknown checksum algorithm " + algorithm)
}

func urlPathEscapeKey(key string) string {
	// Encode like SigV4/S3 clients: everything but A-Za-z0-9-._~ and '/'.
	var b strings.Builder
	for _, c := range []byte(key) {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}
