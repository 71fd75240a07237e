package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestVersionAndHealth: `tributary version`, the health document and the
// startup message.
func TestVersionAndHealth(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(harness.binary, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("tributary version: %v\n%s", err, out)
	}
	version := strings.TrimSpace(string(out))
	if version == "" {
		t.Fatalf("tributary version printed nothing")
	}

	s := startServer(t, "--ephemeral")
	status, header, body := httpDo(t, http.MethodGet, s.endpoint+"/_tributary/health", nil)
	if status != 200 {
		t.Fatalf("GET /_tributary/health: %d %s", status, truncate(string(body), 300))
	}
	if !strings.Contains(header.Get("Content-Type"), "json") {
		t.Errorf("health Content-Type = %q, want JSON", header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("health is not a JSON object: %v: %s", err, body)
	}
	v, _ := doc["version"].(string)
	if v == "" || !strings.Contains(version, v) {
		t.Errorf("health version %q should be the one `tributary version` prints (%q)", v, version)
	}
	if !strings.Contains(string(body), `"s3"`) {
		t.Errorf("health does not report the s3 service: %s", body)
	}
	if !s.waitOutput("AWS_ENDPOINT_URL", 5*time.Second) && !s.waitOutput("--endpoint-url", time.Millisecond) {
		t.Errorf("startup output does not say how to point the aws CLI at the server:\n%s", s.stdout.String())
	}
}

// TestMetrics: Prometheus metrics count S3 requests by service, operation
// and status, with latency histograms and byte counters.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--ephemeral")
	c := s.goClient(t, withNoRetries())
	b := uniqueBucket("metrics")
	createBucketGo(t, c, b)
	putGo(t, c, b, "k", randomBytes(501, 5000))
	getGo(t, c, b, "k")
	getGo(t, c, b, "k")
	_, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("missing")})
	wantAPIError(t, err, "NoSuchKey", 404)

	status, _, body := httpDo(t, http.MethodGet, s.endpoint+"/_tributary/metrics", nil)
	if status != 200 {
		t.Fatalf("GET /_tributary/metrics: %d %s", status, truncate(string(body), 300))
	}
	var samples []string
	for _, line := range strings.Split(string(body), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			samples = append(samples, line)
		}
	}
	find := func(what string, parts ...string) string {
		for _, l := range samples {
			all := true
			for _, p := range parts {
				if !strings.Contains(l, p) {
					all = false
					break
				}
			}
			if all {
				return l
			}
		}
		t.Errorf("no metric sample for %s (containing %q)", what, parts)
		return ""
	}
	if l := find("PutObject 200 counter", `"s3"`, `"PutObject"`, `"200"`); l != "" && sampleValue(l) < 1 {
		t.Errorf("PutObject counter: %s", l)
	}
	if l := find("GetObject 200 counter", `"s3"`, `"GetObject"`, `"200"`); l != "" && !strings.Contains(l, "_bucket{") && sampleValue(l) < 2 {
		t.Errorf("GetObject counter below 2: %s", l)
	}
	find("GetObject 404", `"GetObject"`, `"404"`)
	find("latency histogram for GetObject", "_bucket{", `"GetObject"`)
	find("byte counters", "bytes")
}

func sampleValue(line string) float64 {
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return -1
	}
	v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
	if err != nil {
		v, err = strconv.ParseFloat(fields[len(fields)-2], 64) // with a timestamp
		if err != nil {
			return -1
		}
	}
	return v
}

// TestReset: POST /_tributary/reset wipes every bucket when enabled, and is
// refused (data kept) when not.
func TestReset(t *testing.T) {
	t.Parallel()
	t.Run("enabled", func(t *testing.T) {
		s := startServer(t, "--ephemeral", "--enable-reset")
		c := s.goClient(t, withNoRetries())
		b := uniqueBucket("reset")
		createBucketGo(t, c, b)
		putGo(t, c, b, "k", []byte("data"))
		status, _, body := httpDo(t, http.MethodPost, s.endpoint+"/_tributary/reset", nil)
		if status < 200 || status > 299 {
			t.Fatalf("POST /_tributary/reset: %d %s", status, truncate(string(body), 300))
		}
		out, err := c.ListBuckets(ctxT(t), &s3.ListBucketsInput{})
		if err != nil || len(out.Buckets) != 0 {
			t.Errorf("after reset: err=%v buckets=%d", err, len(out.Buckets))
		}
		_, err = c.HeadBucket(ctxT(t), &s3.HeadBucketInput{Bucket: aws.String(b)})
		wantAPIError(t, err, "NotFound", 404)
		createBucketGo(t, c, b) // still usable after a reset
		putGo(t, c, b, "k2", []byte("after"))
		if got := getGo(t, c, b, "k2"); string(got) != "after" {
			t.Errorf("after reset, get = %q", got)
		}
		if keys := listKeysGo(t, c, b, ""); len(keys) != 1 {
			t.Errorf("after reset and re-create, keys = %q", keys)
		}
	})
	t.Run("disabled by default", func(t *testing.T) {
		s := startServer(t, "--ephemeral")
		c := s.goClient(t, withNoRetries())
		b := uniqueBucket("noreset")
		createBucketGo(t, c, b)
		status, _, _ := httpDo(t, http.MethodPost, s.endpoint+"/_tributary/reset", nil)
		if status >= 200 && status < 300 {
			t.Errorf("reset answered %d without --enable-reset", status)
		}
		if _, err := c.HeadBucket(ctxT(t), &s3.HeadBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Errorf("bucket gone after a refused reset: %v", err)
		}
	})
}

// TestConfiguration: credentials, account id, the TRIBUTARY_* environment
// and `serve` as the default command, and SIGINT.
func TestConfiguration(t *testing.T) {
	t.Parallel()
	t.Run("extra credential", func(t *testing.T) {
		s := startServer(t, "--ephemeral", "--credential", "AKIDALICE:alice-secret:alice")
		c := s.goClient(t, withNoRetries(), withCredentials("AKIDALICE", "alice-secret"))
		if _, err := c.ListBuckets(ctxT(t), &s3.ListBucketsInput{}); err != nil {
			t.Errorf("ListBuckets as alice: %v", err)
		}
		bad := s.goClient(t, withNoRetries(), withCredentials("AKIDALICE", "wrong"))
		_, err := bad.ListBuckets(ctxT(t), &s3.ListBucketsInput{})
		wantAPIError(t, err, "SignatureDoesNotMatch", 403)
		out := s.awsCLI(t, []string{"AWS_ACCESS_KEY_ID=AKIDALICE", "AWS_SECRET_ACCESS_KEY=alice-secret"}, "sts", "get-caller-identity", "--output", "json")
		if out.err != nil {
			t.Fatalf("sts get-caller-identity as alice: %v %s", out.err, out.stderr)
		}
		var id map[string]any
		_ = json.Unmarshal([]byte(out.stdout), &id)
		if str(id, "Account") != "000000000000" || !strings.HasSuffix(str(id, "Arn"), "alice") {
			t.Errorf("get-caller-identity as alice: %v", id)
		}
	})
	t.Run("any credentials and account id", func(t *testing.T) {
		s := startServer(t, "--ephemeral", "--allow-any-credentials", "--account-id", "123456789012")
		c := s.goClient(t, withNoRetries(), withCredentials("AKIDWHATEVER", "whatever"))
		if _, err := c.ListBuckets(ctxT(t), &s3.ListBucketsInput{}); err != nil {
			t.Errorf("ListBuckets with --allow-any-credentials: %v", err)
		}
		out := s.awsCLI(t, nil, "sts", "get-caller-identity", "--output", "json")
		if out.err != nil {
			t.Fatalf("sts get-caller-identity: %v %s", out.err, out.stderr)
		}
		var id map[string]any
		_ = json.Unmarshal([]byte(out.stdout), &id)
		if str(id, "Account") != "123456789012" {
			t.Errorf("get-caller-identity with --account-id 123456789012: %v", id)
		}
	})
	t.Run("default root identity", func(t *testing.T) {
		s := sharedServer(t)
		id := s.awsJSON(t, "sts", "get-caller-identity")
		if str(id, "Account") != "000000000000" || str(id, "Arn") != "arn:aws:iam::000000000000:root" {
			t.Errorf("get-caller-identity for test/test: %v", id)
		}
	})
	t.Run("environment and default command", func(t *testing.T) {
		dataDir := filepath.Join(t.TempDir(), "env-data")
		s, err := launchCmd(harness.binary, filepath.Join(t.TempDir(), "env.log"),
			[]string{"TRIBUTARY_ADDR=127.0.0.1:0", "TRIBUTARY_DATA_DIR=" + dataDir})
		if err != nil {
			t.Fatalf("`tributary` with TRIBUTARY_ADDR/TRIBUTARY_DATA_DIR: %v", err)
		}
		defer func() {
			if err := s.stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
		}()
		c := s.goClient(t, withNoRetries())
		b := uniqueBucket("envcfg")
		createBucketGo(t, c, b)
		if !s.waitOutput(dataDir, 5*time.Second) {
			t.Errorf("TRIBUTARY_DATA_DIR %s not used (not in the startup output):\n%s", dataDir, s.outputTail(20))
		}
	})
	t.Run("SIGINT stops cleanly", func(t *testing.T) {
		s, err := launch(harness.binary, filepath.Join(t.TempDir(), "sigint.log"), "--ephemeral")
		if err != nil {
			t.Fatal(err)
		}
		exited, exitErr := s.signalAndWait(syscall.SIGINT, 20*time.Second)
		if !exited {
			s.kill()
			t.Fatalf("no exit within 20s of SIGINT")
		}
		if exitErr != nil {
			t.Errorf("exit after SIGINT: %v\n%s", exitErr, s.outputTail(20))
		}
	})
}

// TestUnbuiltOperations: an operation or service not built yet answers the
// protocol's "unknown operation" error, never a 500 or a fake success.
func TestUnbuiltOperations(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	c := s.goClient(t, withNoRetries())
	b := uniqueBucket("unbuilt")
	createBucketGo(t, c, b)
	_, err := c.GetBucketVersioning(ctxT(t), &s3.GetBucketVersioningInput{Bucket: aws.String(b)})
	wantAPIError(t, err, "NotImplemented", 501)
	for _, args := range [][]string{
		{"kinesis", "get-resource-policy", "--resource-arn", "arn:aws:kinesis:us-east-1:000000000000:stream/unbuilt"},
		{"lambda", "list-layers"},
		{"glue", "get-databases"},
	} {
		r := s.awsCLI(t, nil, args...)
		m := cliErrorRe.FindStringSubmatch(r.stderr)
		if r.err == nil || m == nil || (m[1] != "UnknownOperationException" && m[1] != "NotImplemented") {
			t.Errorf("aws %s: want an UnknownOperationException/NotImplemented error, got err=%v stdout=%s stderr=%s",
				strings.Join(args, " "), r.err, truncate(r.stdout, 300), truncate(r.stderr, 300))
		}
	}
}
