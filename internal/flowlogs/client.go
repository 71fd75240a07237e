package flowlogs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/auth"
)

// Client speaks the CloudWatch Logs JSON 1.1 protocol, signed with SigV4,
// for the three calls the writer needs. The product binary keeps the AWS
// SDK out (internal/archtest), and these calls are a small, fixed shape.
type Client struct {
	Endpoint     string // e.g. http://localhost:4566
	Region       string
	AccessKeyID  string
	SecretKey    string
	SessionToken string
	HTTP         *http.Client
	now          func() time.Time
}

// APIError is an error answer of the service.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message) }

// InputEvent is one event of PutLogEvents.
type InputEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// CreateLogGroup creates the group; one that exists already is fine.
func (c *Client) CreateLogGroup(ctx context.Context, group string) error {
	return ignoreExists(c.call(ctx, "CreateLogGroup", map[string]any{"logGroupName": group}, nil))
}

// CreateLogStream creates the stream; one that exists already is fine.
func (c *Client) CreateLogStream(ctx context.Context, group, stream string) error {
	return ignoreExists(c.call(ctx, "CreateLogStream", map[string]any{"logGroupName": group, "logStreamName": stream}, nil))
}

// PutLogEvents writes events (chronological) to a stream.
func (c *Client) PutLogEvents(ctx context.Context, group, stream string, events []InputEvent) error {
	var out struct {
		RejectedLogEventsInfo map[string]any `json:"rejectedLogEventsInfo"`
	}
	err := c.call(ctx, "PutLogEvents", map[string]any{"logGroupName": group, "logStreamName": stream, "logEvents": events}, &out)
	if err == nil && len(out.RejectedLogEventsInfo) > 0 {
		return fmt.Errorf("PutLogEvents %s: events rejected: %v", stream, out.RejectedLogEventsInfo)
	}
	return err
}

func ignoreExists(err error) error {
	if e, ok := err.(*APIError); ok && e.Code == "ResourceAlreadyExistsException" {
		return nil
	}
	return err
}

func (c *Client) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	u, err := url.Parse(strings.TrimSuffix(c.Endpoint, "/") + "/")
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", c.Endpoint, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Logs_20140328."+op)
	if err := c.sign(req, body); err != nil {
		return err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e) // a body that is not JSON still gives the status
		code := e.Type[strings.LastIndexByte(e.Type, '#')+1:]
		if code == "" {
			code = http.StatusText(resp.StatusCode)
		}
		return &APIError{Status: resp.StatusCode, Code: code, Message: e.Message}
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// sign adds the session token, if any, and a SigV4 Authorization header
// (service "logs") over the host, target, content type and body hash.
func (c *Client) sign(req *http.Request, body []byte) error {
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	if c.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	cred := auth.Credential{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretKey}
	return auth.SignV4(req, sha256Hex(body), cred, "logs", c.Region, now())
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
