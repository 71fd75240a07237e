package bench

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// kinesisTargetPrefix is the X-Amz-Target prefix of every Kinesis operation (JSON 1.1).
const kinesisTargetPrefix = "Kinesis_20131202."

const kinesisContentType = "application/x-amz-json-1.1"

// kinesisSignedHeaders are the headers every request signs: the SDKs sign these too (plus ones that
// do not change the result, such as content-length), and every server accepts this set.
const kinesisSignedHeaders = "content-type;host;x-amz-date;x-amz-target"

// sigV4Signer signs Kinesis requests with AWS Signature Version 4. It is built for load generation:
// the caller passes the payload hash (computed once per body, not per request) and the signing key is
// derived once per UTC day, so a signature costs two SHA-256s of a few hundred bytes and one HMAC.
type sigV4Signer struct {
	accessKey, secret, region, service string

	mu      sync.Mutex
	keyDate string // yyyymmdd of key
	key     []byte
}

func newSigV4Signer(accessKey, secret, region, service string) *sigV4Signer {
	return &sigV4Signer{accessKey: accessKey, secret: secret, region: region, service: service}
}

func hmacSum(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func (s *sigV4Signer) signingKey(date string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keyDate != date {
		k := hmacSum([]byte("AWS4"+s.secret), date)
		k = hmacSum(k, s.region)
		k = hmacSum(k, s.service)
		s.key, s.keyDate = hmacSum(k, "aws4_request"), date
	}
	return s.key
}

// payloadHash is the hex SHA-256 of body, the last line of the canonical request.
func payloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// sign sets X-Amz-Date and Authorization on req, a POST to the service root whose Content-Type and
// X-Amz-Target headers are already set, for a body whose hex SHA-256 is bodyHash.
func (s *sigV4Signer) sign(req *http.Request, bodyHash string, now time.Time) {
	now = now.UTC()
	amzDate := now.Format("20060102T150405Z")
	date := amzDate[:8]
	req.Header.Set("X-Amz-Date", amzDate)
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	canonical := "POST\n" + path + "\n\n" +
		"content-type:" + req.Header.Get("Content-Type") + "\n" +
		"host:" + req.Host + "\n" +
		"x-amz-date:" + amzDate + "\n" +
		"x-amz-target:" + req.Header.Get("X-Amz-Target") + "\n\n" +
		kinesisSignedHeaders + "\n" + bodyHash
	scope := date + "/" + s.region + "/" + s.service + "/aws4_request"
	crSum := sha256.Sum256([]byte(canonical))
	stringToSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crSum[:])
	sig := hmacSum(s.signingKey(date), stringToSign)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.accessKey+"/"+scope+
		", SignedHeaders="+kinesisSignedHeaders+", Signature="+hex.EncodeToString(sig))
}

// kinesisBody is a request body with its hash, built once and sent many times.
type kinesisBody struct {
	data []byte
	hash string
}

func newKinesisBody(data []byte) kinesisBody { return kinesisBody{data: data, hash: payloadHash(data)} }

// jsonBody marshals v (a request shape) into a kinesisBody.
func jsonBody(v any) (kinesisBody, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return kinesisBody{}, err
	}
	return newKinesisBody(data), nil
}

// kinesisClient sends signed JSON 1.1 Kinesis requests over one shared connection pool. It is the
// same client for every target, so differences in the numbers are the servers'.
type kinesisClient struct {
	url      string // endpoint + "/"
	host     string
	target   string // X-Amz-Target prefix: kinesisTargetPrefix, or another JSON 1.1 service's (forTarget)
	signer   *sigV4Signer
	http     *http.Client // requests with a deadline
	stream   *http.Client // SubscribeToShard: a response that lasts as long as the subscription
	timeout  time.Duration
	maxError int // bytes of an error body kept in messages
}

// kinesisMaxConns bounds the idle connections per server; above the 8 producers, 4 drain readers and
// the latency pair, so no measured request pays for a new connection.
const kinesisMaxConns = 32

func newKinesisTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:               nil, // the servers are measured directly, whatever HTTP_PROXY says
		DialContext:         dialer.DialContext,
		MaxIdleConns:        4 * kinesisMaxConns,
		MaxIdleConnsPerHost: kinesisMaxConns,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true, // bodies are base64 of random bytes: gzip would only cost CPU
		ForceAttemptHTTP2:   false,
	}
}

func newKinesisClient(label, endpoint string, signer *sigV4Signer, transport *http.Transport, timeout time.Duration) (*kinesisClient, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%s: endpoint %q is not a URL", label, endpoint)
	}
	return &kinesisClient{
		url: strings.TrimRight(endpoint, "/") + "/", host: u.Host, signer: signer, target: kinesisTargetPrefix,
		http: &http.Client{Transport: transport}, stream: &http.Client{Transport: transport},
		timeout: timeout, maxError: 600,
	}, nil
}

// forTarget is a client of the same endpoint and connection pool for another AWS JSON 1.1 service:
// targetPrefix such as "Logs_20140328.", signer for that service's signing name.
func (c *kinesisClient) forTarget(targetPrefix string, signer *sigV4Signer) *kinesisClient {
	other := *c
	other.target, other.signer = targetPrefix, signer
	return &other
}

// noErrorCode is the code of an answer that carries none.
const noErrorCode = "(no error code)"

// KinesisError is an error answer of a Kinesis server.
type KinesisError struct {
	Op      string
	Status  int
	Code    string
	Message string
}

func (e *KinesisError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%s: HTTP %d %s", e.Op, e.Status, e.Code)
	}
	return fmt.Sprintf("%s: HTTP %d %s: %s", e.Op, e.Status, e.Code, e.Message)
}

// isUnsupported reports an answer that means "this server does not implement the operation".
func isUnsupported(err error) bool {
	var ke *KinesisError
	if !errors.As(err, &ke) {
		return false
	}
	switch ke.Code {
	case "UnknownOperationException", "NotImplemented", "InvalidAction":
		return true
	case noErrorCode:
		// Not an AWS error at all, such as moto_server's HTML "500 Internal Server Error" page for
		// an operation it has no handler for.
		return ke.Status >= 500 || ke.Status == http.StatusNotFound
	}
	return ke.Status == http.StatusNotImplemented
}

// parseKinesisError reads the JSON error shape {"__type": "...#Code", "message": "..."} (or the
// X-Amzn-ErrorType header), keeping a bit of any other body.
func parseKinesisError(op string, status int, header http.Header, body []byte, maxBody int) *KinesisError {
	e := &KinesisError{Op: op, Status: status}
	var shape struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	if json.Unmarshal(body, &shape) == nil {
		e.Code, e.Message = shape.Type, shape.Message
		if e.Message == "" {
			e.Message = shape.MessageU
		}
	}
	if e.Code == "" {
		e.Code = header.Get("X-Amzn-ErrorType")
	}
	// Clients strip a namespace before '#' and details after ':'.
	if i := strings.LastIndexByte(e.Code, '#'); i >= 0 {
		e.Code = e.Code[i+1:]
	}
	if i := strings.IndexByte(e.Code, ':'); i >= 0 {
		e.Code = e.Code[:i]
	}
	if e.Code == "" {
		e.Code = noErrorCode
		e.Message = strings.Join(strings.Fields(string(body[:min(len(body), maxBody)])), " ")
	}
	return e
}

func (c *kinesisClient) newRequest(ctx context.Context, op string, body kinesisBody) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body.data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", kinesisContentType)
	req.Header.Set("X-Amz-Target", c.target+op)
	c.signer.sign(req, body.hash, time.Now())
	return req, nil
}

// call sends op with body and reads the whole response into buf (reset first), returning buf's
// bytes. A non-200 answer is a *KinesisError.
func (c *kinesisClient) call(ctx context.Context, op string, body kinesisBody, buf *bytes.Buffer) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newRequest(ctx, op, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("%s: reading the response: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, parseKinesisError(op, resp.StatusCode, resp.Header, buf.Bytes(), c.maxError)
	}
	return buf.Bytes(), nil
}

// callJSON marshals in, calls op and decodes the answer into out (nil: ignored). For setup and
// control calls, where cost does not matter.
func (c *kinesisClient) callJSON(ctx context.Context, op string, in, out any) error {
	body, err := jsonBody(in)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	data, err := c.call(ctx, op, body, &buf)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: decoding the response: %w (%s)", op, err, truncateBytes(data, 300))
	}
	return nil
}

// openStream sends op and returns the streaming response (SubscribeToShard) once its headers have
// arrived. The caller closes the body; ctx ends the stream.
func (c *kinesisClient) openStream(ctx context.Context, op string, in any) (*http.Response, error) {
	body, err := jsonBody(in)
	if err != nil {
		return nil, err
	}
	req, err := c.newRequest(ctx, op, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.stream.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		return nil, parseKinesisError(op, resp.StatusCode, resp.Header, data, c.maxError)
	}
	return resp, nil
}

func truncateBytes(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// ---- reading big responses without decoding them ----------------------------------------------
//
// A GetRecords answer of 10,000 one-KiB records is about 14 MB of JSON. Decoding it with
// encoding/json would cost the client more CPU than the server spends producing it, on a machine
// where both share two cores, so the measured loops only count records and pick out the few members
// they need. Bodies are base64 and decimal digits, so a member name in quotes cannot occur inside a
// value. The unmeasured verification passes decode everything.

// countMember counts occurrences of the member name (`"name"`) in a JSON document.
func countMember(doc []byte, name string) int {
	return bytes.Count(doc, []byte(`"`+name+`"`))
}

// memberValue returns the raw JSON value of the first member called name, or ok=false when there is
// none.
func memberValue(doc []byte, name string) (raw []byte, ok bool) {
	key := []byte(`"` + name + `"`)
	for from := 0; ; {
		i := bytes.Index(doc[from:], key)
		if i < 0 {
			return nil, false
		}
		rest := doc[from+i+len(key):]
		from += i + len(key)
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 || rest[0] != ':' {
			continue // the name was a value, not a member
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		end := valueEnd(rest)
		if end <= 0 {
			return nil, false
		}
		return rest[:end], true
	}
}

// valueEnd is the length of the scalar JSON value (string, number, literal) at the start of b, or -1.
func valueEnd(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	if b[0] == '"' {
		for i := 1; i < len(b); i++ {
			switch b[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return -1
	}
	for i, c := range b {
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			return i
		}
	}
	return len(b)
}

// memberString is a string member's value; "" with ok=false when absent or null.
func memberString(doc []byte, name string) (string, bool, error) {
	raw, ok := memberValue(doc, name)
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, fmt.Errorf("member %s is not a string: %s", name, truncateBytes(raw, 80))
	}
	return s, true, nil
}

// memberInt is an integer member's value; ok=false when absent or null.
func memberInt(doc []byte, name string) (int64, bool, error) {
	raw, ok := memberValue(doc, name)
	if !ok || string(raw) == "null" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		// Some servers write integers as floats (1.0).
		f, ferr := strconv.ParseFloat(string(raw), 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, false, fmt.Errorf("member %s is not an integer: %s", name, truncateBytes(raw, 80))
		}
		n = int64(f)
	}
	return n, true, nil
}
