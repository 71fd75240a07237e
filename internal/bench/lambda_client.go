package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// lambdaSignedHeaders are the headers the Lambda client signs (REST-JSON: no X-Amz-Target).
const lambdaSignedHeaders = "content-type;host;x-amz-date"

// awsURIEncode is SigV4's URI encoding: every byte but A-Z a-z 0-9 - _ . ~ (and '/' when keepSlash)
// as %XX with upper-case hex.
func awsURIEncode(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && keepSlash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// canonicalQueryString is SigV4's sorted, encoded query.
func canonicalQueryString(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, awsURIEncode(k, false)+"="+awsURIEncode(v, false))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

// signREST sets X-Amz-Date and Authorization on a REST request (any method, path and query) whose
// Content-Type is set, for a body whose hex SHA-256 is bodyHash. Services other than S3 sign the
// path URI-encoded twice: the escaped path encoded once more.
func (s *sigV4Signer) signREST(req *http.Request, bodyHash string, now time.Time) {
	now = now.UTC()
	amzDate := now.Format("20060102T150405Z")
	date := amzDate[:8]
	req.Header.Set("X-Amz-Date", amzDate)
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canonical := req.Method + "\n" + awsURIEncode(path, true) + "\n" + canonicalQueryString(req.URL.Query()) + "\n" +
		"content-type:" + req.Header.Get("Content-Type") + "\n" +
		"host:" + req.Host + "\n" +
		"x-amz-date:" + amzDate + "\n\n" +
		lambdaSignedHeaders + "\n" + bodyHash
	scope := date + "/" + s.region + "/" + s.service + "/aws4_request"
	crSum := sha256.Sum256([]byte(canonical))
	stringToSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crSum[:])
	sig := hmacSum(s.signingKey(date), stringToSign)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.accessKey+"/"+scope+
		", SignedHeaders="+lambdaSignedHeaders+", Signature="+hex.EncodeToString(sig))
}

// lambdaClient sends signed Lambda REST-JSON requests over a keep-alive connection pool.
type lambdaClient struct {
	base    string // endpoint without the trailing slash
	signer  *sigV4Signer
	http    *http.Client
	timeout time.Duration
}

func newLambdaClient(endpoint string, signer *sigV4Signer, transport *http.Transport, timeout time.Duration) (*lambdaClient, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not a URL", endpoint)
	}
	return &lambdaClient{base: strings.TrimRight(endpoint, "/"), signer: signer, http: &http.Client{Transport: transport}, timeout: timeout}, nil
}

// lambdaResponse is a 2xx answer.
type lambdaResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends one request: path starts with "/2015-03-31/...", body nil for none, header extra headers.
// buf receives the body (reset first); a non-2xx answer is a *KinesisError (the JSON error shape and
// X-Amzn-ErrorType header are the same).
func (c *lambdaClient) do(ctx context.Context, op, method, path string, header map[string]string, body []byte, buf *bytes.Buffer) (lambdaResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return lambdaResponse{}, err
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c.signer.signREST(req, payloadHash(body), time.Now())
	resp, err := c.http.Do(req)
	if err != nil {
		return lambdaResponse{}, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return lambdaResponse{}, fmt.Errorf("%s: reading the response: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return lambdaResponse{}, parseKinesisError(op, resp.StatusCode, resp.Header, buf.Bytes(), 600)
	}
	return lambdaResponse{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}, nil
}

// callJSON marshals in (nil: no body), sends it and decodes the answer into out (nil: ignored). For
// setup and control calls, where cost does not matter.
func (c *lambdaClient) callJSON(ctx context.Context, op, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	resp, err := c.do(ctx, op, method, path, nil, body, &buf)
	if err != nil {
		return err
	}
	if out == nil || len(resp.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return fmt.Errorf("%s: decoding the response: %w (%s)", op, err, truncateBytes(resp.Body, 300))
	}
	return nil
}

func functionPath(name string) string { return "/2015-03-31/functions/" + url.PathEscape(name) }

// invokeResult is one synchronous invoke's answer.
type invokeResult struct {
	Latency  time.Duration // request start to the last byte of the answer
	Body     []byte        // aliases the caller's buffer
	Report   reportLine    // from X-Amz-Log-Result (tail invokes only)
	HasTail  bool
	Executed string // X-Amz-Executed-Version
}

// invoke calls the function synchronously (RequestResponse). A function error (X-Amz-Function-Error)
// is an error: the benchmark's functions never fail.
func (c *lambdaClient) invoke(ctx context.Context, name string, payload []byte, tail bool, buf *bytes.Buffer) (invokeResult, error) {
	var header map[string]string
	if tail {
		header = map[string]string{"X-Amz-Log-Type": "Tail"}
	}
	start := time.Now()
	resp, err := c.do(ctx, "Invoke", http.MethodPost, functionPath(name)+"/invocations", header, payload, buf)
	res := invokeResult{Latency: time.Since(start)}
	if err != nil {
		return res, err
	}
	res.Body, res.Executed = resp.Body, resp.Header.Get("X-Amz-Executed-Version")
	if resp.Status != http.StatusOK {
		return res, fmt.Errorf("Invoke: HTTP %d, want 200", resp.Status)
	}
	if fe := resp.Header.Get("X-Amz-Function-Error"); fe != "" {
		return res, fmt.Errorf("Invoke: function error %s: %s", fe, truncateBytes(resp.Body, 300))
	}
	if tail {
		logs, err := base64.StdEncoding.DecodeString(resp.Header.Get("X-Amz-Log-Result"))
		if err != nil {
			return res, fmt.Errorf("Invoke: X-Amz-Log-Result is not base64: %w", err)
		}
		if res.Report, err = parseReport(logs); err != nil {
			return res, fmt.Errorf("Invoke: %w", err)
		}
		res.HasTail = true
	}
	return res, nil
}

// reportLine is what the REPORT line of one invocation says.
type reportLine struct {
	RequestID string
	Duration  time.Duration
	Init      time.Duration // Init Duration: cold starts only
	Cold      bool          // the line has an Init Duration
}

var (
	reportDuration = regexp.MustCompile(`(?:^|\t)Duration: ([0-9.]+) ms`)
	reportInit     = regexp.MustCompile(`(?:^|\t)Init Duration: ([0-9.]+) ms`)
	reportID       = regexp.MustCompile(`^REPORT RequestId: (\S+)`)
)

// parseReport finds the REPORT line in an invocation's log tail:
// "REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\t...\tInit Duration: 85.00 ms\t".
func parseReport(logs []byte) (reportLine, error) {
	var line string
	for _, l := range strings.Split(string(logs), "\n") {
		if strings.HasPrefix(l, "REPORT ") {
			line = l
		}
	}
	if line == "" {
		return reportLine{}, fmt.Errorf("no REPORT line in the log tail %q", truncateBytes(logs, 300))
	}
	var r reportLine
	if m := reportID.FindStringSubmatch(line); m != nil {
		r.RequestID = m[1]
	}
	m := reportDuration.FindStringSubmatch(line)
	if m == nil {
		return reportLine{}, fmt.Errorf("REPORT line without Duration: %q", line)
	}
	var err error
	if r.Duration, err = parseMillis(m[1]); err != nil {
		return reportLine{}, err
	}
	if m := reportInit.FindStringSubmatch(line); m != nil {
		if r.Init, err = parseMillis(m[1]); err != nil {
			return reportLine{}, err
		}
		r.Cold = true
	}
	return r, nil
}

func parseMillis(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad duration %q ms in the REPORT line", s)
	}
	return time.Duration(f * float64(time.Millisecond)), nil
}
