package auth

import (
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBotocore signs and sends requests with botocore and boto3 (the aws
// CLI's signer) against Authenticate: S3 put/get over http (hex payload
// hash) and https (aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER in
// Transfer-Encoding: chunked), virtual-host style through the server as a
// proxy, SigV2 and SigV4 presigned URLs, SigV2 header and query auth, STS,
// Kinesis and Lambda, for keys with spaces, '+', '=' and UTF-8, and wrong
// and unknown keys. The scenarios live in testdata/botocore_client.py.
func TestBotocore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python3 with botocore")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 with boto3/botocore is needed for this test (part of the machine image):", err)
	}
	bob := Credential{AccessKeyID: "AKID+weird=key", SecretAccessKey: "sécret ✓ key/+=", Name: "bob"}
	stub := newS3Stub(NewVerifier(Options{Credentials: []Credential{aliceCred, bob}}))
	plain := httptest.NewServer(stub)
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(stub)
	defer tlsSrv.Close()
	_, port, _ := net.SplitHostPort(plain.Listener.Addr().String())

	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	type jsonCred struct{ AccessKeyID, SecretAccessKey string }
	cfg := map[string]any{
		"http": plain.URL, "https": tlsSrv.URL, "http_localhost": "http://localhost:" + port, "ca_file": caFile,
		"creds": map[string]jsonCred{
			"alice":   {aliceCred.AccessKeyID, aliceCred.SecretAccessKey},
			"bob":     {bob.AccessKeyID, bob.SecretAccessKey},
			"wrong":   {aliceCred.AccessKeyID, "not the secret"},
			"unknown": {"AKIDNOBODY", "whatever"},
		},
		"arns": map[string]string{
			"alice": aliceCred.Principal(DefaultAccountID).ARN,
			"bob":   bob.Principal(DefaultAccountID).ARN,
		},
	}
	cfgFile := filepath.Join(dir, "config.json")
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(cfgFile, b, 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(python, "testdata/botocore_client.py", cfgFile)
	// The machine's AWS settings (AWS_CA_BUNDLE in particular) stay out.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "HTTP_PROXY=") && !strings.HasPrefix(kv, "http_proxy=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "NO_PROXY=", "no_proxy=")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore_client.py: %v\n%s", err, stderr.String())
	}
	if os.Getenv("BOTO_TIMES") != "" {
		t.Log(stderr.String())
	}
	var results map[string]string
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if len(results) < 60 {
		t.Fatalf("only %d scenarios ran", len(results))
	}
	for name, got := range results {
		_, want, ok := strings.Cut(name, " => ")
		if !ok {
			t.Errorf("scenario %q names no expected outcome", name)
			continue
		}
		if got != want {
			t.Errorf("%s: got %s", name, got)
		}
	}

	// boto3 over https streamed aws-chunked bodies with a CRC32 trailer,
	// and the decoder handed over the decoded length and the trailer.
	streamed := 0
	for _, p := range stub.puts {
		if p.contentSHA == streamingUnsignedTrailer {
			if p.trailerCRC == "" || p.contentLength < 0 || p.contentEncoding != "" {
				t.Errorf("streamed put %+v", p)
			}
			streamed++
		}
	}
	if streamed < 8 {
		t.Errorf("only %d aws-chunked puts reached the server", streamed)
	}
}
