package server

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"
)

// capturedRequest is one line of testdata/botocore_requests.py's output.
type capturedRequest struct {
	Service    string            `json:"service"`
	Operation  string            `json:"operation"`
	Addressing string            `json:"addressing"`
	Method     string            `json:"method"`
	URL        string            `json:"url"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	Error      string            `json:"error"`
}

// TestClassifyBotocoreRequests replays the request botocore itself builds
// for every operation of every routed service (its serializers, host
// prefixes, S3 addressing) and checks the classifier names that operation.
func TestClassifyBotocoreRequests(t *testing.T) {
	out, err := exec.Command("python3", "testdata/botocore_requests.py").Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("python3 with botocore unavailable: %v\n%s", err, stderr)
	}
	c := NewClassifier(ClassifierOptions{})
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var cr capturedRequest
		if err := json.Unmarshal(sc.Bytes(), &cr); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		n++
		name := cr.Service + "/" + cr.Operation + "/" + cr.Addressing
		t.Run(name, func(t *testing.T) {
			if cr.Error != "" {
				t.Fatalf("botocore could not build the request: %s", cr.Error)
			}
			u, err := url.Parse(cr.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, err := base64.StdEncoding.DecodeString(cr.Body)
			if err != nil {
				t.Fatal(err)
			}
			target := u.EscapedPath()
			if u.RawPath != "" {
				target = u.RawPath
			}
			if u.RawQuery != "" {
				target += "?" + u.RawQuery
			}
			r := httptest.NewRequest(cr.Method, target, bytes.NewReader(body))
			r.Host = u.Host
			for k, v := range cr.Headers {
				r.Header.Set(k, v)
			}
			rt, err := c.Classify(r)
			if err != nil {
				t.Fatalf("%s %s: %v", cr.Method, cr.URL, err)
			}
			want := cr.Operation
			if twin, ok := s3Twins[want]; ok && cr.Service == "s3" {
				want = twin
			}
			if rt.Service != cr.Service || rt.Operation != want {
				t.Fatalf("%s %s = (%s, %s), want (%s, %s)", cr.Method, cr.URL, rt.Service, rt.Operation, cr.Service, want)
			}
			if cr.Service == "s3" && strings.Contains(cr.URL, "amzn-s3-demo-bucket") && rt.Bucket != "amzn-s3-demo-bucket" {
				t.Errorf("bucket %q", rt.Bucket)
			}
			if cr.Service == "s3" && strings.Contains(cr.URL, "/dir/key") && rt.Key != "dir/key with space+plus.txt" {
				t.Errorf("key %q", rt.Key)
			}
			if cr.Service == "s3control" && rt.AccountID != r.Header.Get("X-Amz-Account-Id") {
				t.Errorf("account %q", rt.AccountID)
			}
		})
	}
	if n < 1000 {
		t.Errorf("botocore produced %d requests; expected every operation of the 10 services", n)
	}
}
