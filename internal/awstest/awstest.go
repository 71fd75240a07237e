// Package awstest starts the whole Tributary server in-process on
// 127.0.0.1:0 with a temporary data directory, and hands out real
// aws-sdk-go-v2 clients configured for it. For tests only.
package awstest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tributary-dev/tributary/internal/app"
	"github.com/tributary-dev/tributary/internal/config"
)

// Server is a running Tributary.
type Server struct {
	// Endpoint is http://127.0.0.1:PORT.
	Endpoint string
	// Port is the listening port.
	Port    string
	DataDir string
	Config  config.Config
	stop    func() error
}

var listening = regexp.MustCompile(`listening on (http://[0-9.]+:(\d+))`)

// Start runs a server until the test ends. edit may adjust the configuration
// (defaults: 127.0.0.1:0, a temp data dir, reset enabled, warn-level logs).
func Start(t testing.TB, edit ...func(*config.Config)) *Server {
	t.Helper()
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.EnableReset = true
	cfg.LogLevel = "warn"
	for _, e := range edit {
		e(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("awstest: config: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := app.Run(ctx, cfg, "test", pw, os.Stderr)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	s := &Server{DataDir: cfg.DataDir, Config: cfg}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			s.Endpoint, s.Port = m[1], m[2]
			break
		}
	}
	if s.Endpoint == "" {
		cancel()
		t.Fatalf("awstest: server did not start: %v", <-done)
	}
	go io.Copy(io.Discard, pr) // keep the banner writer from blocking
	var stopped bool
	var stopErr error
	s.stop = func() error {
		if stopped {
			return stopErr
		}
		stopped = true
		cancel()
		select {
		case stopErr = <-done:
		case <-time.After(40 * time.Second):
			stopErr = errors.New("awstest: server did not stop")
		}
		return stopErr
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("awstest: server exit: %v", err)
		}
	})
	return s
}

// Stop shuts the server down gracefully (as SIGTERM does) and waits for it;
// the test's cleanup does the same if Stop was not called.
func (s *Server) Stop() error { return s.stop() }

// HTTPClient returns a client whose dialer maps *.localhost to loopback, so
// virtual-host and host-prefixed requests reach the server without DNS.
func HTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 64,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, port, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(host, ".localhost") {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}}
}

// AWSConfig returns an SDK config for the server with the default test/test
// credentials and the SDK's default settings otherwise.
func (s *Server) AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	t.Setenv("AWS_CA_BUNDLE", "") // set on these machines; breaks a custom http.Client
	os.Unsetenv("AWS_CA_BUNDLE")
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(),
		awsconfig.WithRegion(s.Config.Region),
		awsconfig.WithHTTPClient(HTTPClient()),
		awsconfig.WithBaseEndpoint("http://localhost:"+s.Port),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
	)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// S3 returns an S3 client in the SDK's default (virtual-host) addressing.
func (s *Server) S3(t testing.TB) *s3.Client {
	return s3.NewFromConfig(s.AWSConfig(t))
}

// Kinesis returns a Kinesis client.
func (s *Server) Kinesis(t testing.TB) *kinesis.Client {
	return kinesis.NewFromConfig(s.AWSConfig(t))
}

// Logs returns a CloudWatch Logs client.
func (s *Server) Logs(t testing.TB) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(s.AWSConfig(t))
}
