package e2e

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestHTTPProxyVirtualHost: the aws CLI with addressing_style = virtual and
// HTTP_PROXY pointing at the server (spec A8): `bucket.localhost` does not
// resolve here, so every request reaches the server as an absolute-form
// target (`PUT http://bucket.localhost:PORT/key HTTP/1.1`).
func TestHTTPProxyVirtualHost(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "config"), []byte("[default]\ns3 =\n    addressing_style = virtual\n"))
	env := []string{
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_ENDPOINT_URL=" + s.localhostEndpoint(),
		"HTTP_PROXY=" + s.endpoint,
		"http_proxy=" + s.endpoint,
	}
	run := func(args ...string) string {
		t.Helper()
		r := s.awsCLI(t, env, args...)
		if r.err != nil {
			t.Fatalf("aws %s (virtual host via HTTP_PROXY): %v\n%s", strings.Join(args, " "), r.err, truncate(r.stderr, 1500))
		}
		return r.stdout
	}
	b := uniqueBucket("cli-proxy")
	run("s3", "mb", "s3://"+b)
	small := randomBytes(601, 70_000)
	big := randomBytes(602, 9<<20+5)
	run("s3", "cp", writeFile(t, filepath.Join(dir, "small"), small), "s3://"+b+"/p/small file.bin")
	run("s3", "cp", writeFile(t, filepath.Join(dir, "big"), big), "s3://"+b+"/p/big.bin")
	if out := run("s3", "ls", "s3://"+b+"/p/"); !strings.Contains(out, "small file.bin") || !strings.Contains(out, "big.bin") {
		t.Errorf("s3 ls via proxy: %s", out)
	}
	run("s3", "cp", "s3://"+b+"/p/big.bin", filepath.Join(dir, "big.down"))
	if !bytes.Equal(readFile(t, filepath.Join(dir, "big.down")), big) {
		t.Errorf("9 MiB download via proxy differs")
	}
	run("s3api", "put-object-tagging", "--bucket", b, "--key", "p/small file.bin", "--tagging", `{"TagSet":[{"Key":"via","Value":"proxy"}]}`)

	presigned := strings.TrimSpace(run("s3", "presign", "s3://"+b+"/p/small file.bin"))
	if u, err := url.Parse(presigned); err != nil || u.Hostname() != b+".localhost" {
		t.Errorf("virtual-host presign should name %s.localhost: %s", b, presigned)
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is required: %v", err)
	}
	out := filepath.Join(dir, "curl.out")
	cmd := exec.Command(curl, "-sS", "--fail-with-body", "-o", out, presigned) // curl maps *.localhost to loopback itself
	cmd.Env = cleanEnv()
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("curl virtual-host presigned URL: %v %s %s", err, msg, truncate(string(readFileMaybe(out)), 300))
	} else if !bytes.Equal(readFile(t, out), small) {
		t.Errorf("curl body differs")
	}
	_ = os.Remove(out)

	run("s3", "rm", "--recursive", "s3://"+b+"/")
	run("s3", "rb", "s3://"+b)
}

// TestGoSDKThroughProxy: the Go SDK's virtual-host requests sent through
// the server as an HTTP proxy (absolute-form targets, no custom dialer).
func TestGoSDKThroughProxy(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	proxyURL, _ := url.Parse(s.endpoint)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
	c := s.goClient(t, func(o *clientOpts) { o.httpClient = client })
	b := uniqueBucket("go-proxy")
	createBucketGo(t, c, b)
	data := randomBytes(603, 123_456)
	putGo(t, c, b, "via/proxy é", data)
	if got := getGo(t, c, b, "via/proxy é"); !bytes.Equal(got, data) {
		t.Errorf("GET via proxy differs")
	}
	if keys := listKeysGo(t, c, b, "via/"); len(keys) != 1 || keys[0] != "via/proxy é" {
		t.Errorf("list via proxy: %q", keys)
	}
	pre, err := s3.NewPresignClient(c).PresignGetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("via/proxy é")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Get(pre.URL)
	if err != nil {
		t.Fatalf("presigned GET via proxy: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("presigned GET via proxy: %d", resp.StatusCode)
	}
}
