// Package app is the composition root: it opens the storage backends, builds
// every service, wires them to the server and runs the HTTP listener until
// its context ends, then shuts down in reverse order.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tributary-dev/tributary/internal/auth"
	"github.com/tributary-dev/tributary/internal/comprehend"
	"github.com/tributary-dev/tributary/internal/config"
	"github.com/tributary-dev/tributary/internal/kinesis"
	"github.com/tributary-dev/tributary/internal/lambda"
	"github.com/tributary-dev/tributary/internal/lambda/esm"
	"github.com/tributary-dev/tributary/internal/lambda/proc"
	"github.com/tributary-dev/tributary/internal/logs"
	"github.com/tributary-dev/tributary/internal/s3"
	"github.com/tributary-dev/tributary/internal/server"
	"github.com/tributary-dev/tributary/internal/storage"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
	"github.com/tributary-dev/tributary/internal/sts"
)

// shutdownGrace bounds how long in-flight requests may take to finish after
// SIGINT/SIGTERM.
const shutdownGrace = 30 * time.Second

// Run serves until ctx is done. It prints the endpoint banner to stdout and
// logs to stderr.
func Run(ctx context.Context, cfg config.Config, version string, stdout, stderr io.Writer) error {
	logger := newLogger(cfg, stderr)

	dataDir := cfg.DataDir
	if cfg.Ephemeral {
		tmp, err := os.MkdirTemp("", "tributary-")
		if err != nil {
			return fmt.Errorf("ephemeral data directory: %w", err)
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}

	backend := cfg.KVBackend
	if backend == "" {
		backend = storage.DefaultKVBackend
	}
	meta, err := storage.OpenKV(filepath.Join(dataDir, "meta"), backend)
	if err != nil {
		return fmt.Errorf("open metadata store in %s: %w", dataDir, err)
	}
	defer func() {
		if err := meta.Close(); err != nil {
			logger.Error("closing metadata store", "err", err)
		}
	}()
	blobs, err := storage.OpenBlob(filepath.Join(dataDir, "blobs"), cfg.BlobBackend)
	if err != nil {
		return fmt.Errorf("open blob store in %s: %w", dataDir, err)
	}
	defer func() {
		if err := blobs.Close(); err != nil {
			logger.Error("closing blob store", "err", err)
		}
	}()

	s3svc := s3.New(meta, blobs, s3.Config{Region: cfg.Region, AccountID: cfg.AccountID, Logger: logger})
	if err := s3svc.Recover(ctx); err != nil {
		return fmt.Errorf("s3 recovery: %w", err)
	}
	streams, err := streamlog.Open(filepath.Join(dataDir, "streams"), streamlog.Options{})
	if err != nil {
		return fmt.Errorf("open stream logs in %s: %w", dataDir, err)
	}
	defer func() {
		if err := streams.Close(); err != nil {
			logger.Error("closing stream logs", "err", err)
		}
	}()
	kinesisSvc := kinesis.New(meta, streams, kinesis.Config{Region: cfg.Region, AccountID: cfg.AccountID,
		Logger: logger, Throttle: cfg.KinesisThrottling})
	if err := kinesisSvc.Start(ctx); err != nil {
		return fmt.Errorf("kinesis start: %w", err)
	}
	stopKinesis := stopOnce(logger, "kinesis", kinesisSvc)
	defer stopKinesis() // before the stream logs close (defers run in reverse)
	// Lambda: functions log into Logs and Logs' subscriptions invoke
	// functions, so the pool's log sink gets the Logs service right after
	// it is built (before anything runs). Lambda starts after Logs and
	// stops before it; the pool closes after Lambda stopped.
	workDir, codeDir := lambdaDirs(dataDir)
	sink := &logSink{}
	pool, err := proc.New(proc.Config{WorkDir: workDir, Logs: sink, Logger: logger})
	if err != nil {
		return fmt.Errorf("lambda process pool: %w", err)
	}
	defer func() {
		if err := pool.Close(); err != nil {
			logger.Error("closing lambda process pool", "err", err)
		}
	}()
	var endpointURL endpointHolder
	// Event source mappings invoke through the Lambda service, which
	// serves their API over the manager: the invoker gets the service
	// once it is built (nothing polls before Start).
	invoker := &lambdaInvoker{}
	mappings := esm.New(esm.Config{Streams: newKinesisReader(kinesisSvc), Invoke: invoker, KV: meta, Logger: logger})
	lambdaSvc, err := lambda.New(meta, lambda.Config{Region: cfg.Region, AccountID: cfg.AccountID, Logger: logger,
		CodeDir: codeDir, Exec: pool, Objects: s3svc, Credentials: functionCredentials(cfg), Endpoint: endpointURL.get,
		Mappings: mappings})
	if err != nil {
		return err
	}
	invoker.svc = lambdaSvc
	// Logs delivers subscription payloads into Kinesis, so it starts after
	// Kinesis and stops before it (defers run in reverse), and both stop
	// before the stream logs close.
	logsSvc := logs.New(meta, streams, logs.Config{Region: cfg.Region, AccountID: cfg.AccountID,
		Logger: logger, Destinations: logsDestinations{kinesis: kinesisSvc, lambda: lambdaSvc, account: cfg.AccountID}})
	sink.logs = logsSvc
	if err := logsSvc.Start(ctx); err != nil {
		return fmt.Errorf("logs start: %w", err)
	}
	stopLogs := stopOnce(logger, "logs", logsSvc)
	defer stopLogs()
	services := []server.Service{s3svc, sts.New(), kinesisSvc, logsSvc, comprehend.New(), lambdaSvc}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	endpoint := "http://" + ln.Addr().String()
	endpointURL.set(endpoint)
	// Queued Event invocations resume once functions can be given the endpoint.
	if err := lambdaSvc.Start(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("lambda start: %w", err)
	}
	stopLambda := stopOnce(logger, "lambda", lambdaSvc)
	defer stopLambda()
	// Mappings read Kinesis and invoke functions: they start last and stop first.
	if err := mappings.Start(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("event source mappings start: %w", err)
	}
	stopMappings := stopOnce(logger, "event source mappings", mappings)
	defer stopMappings()

	srv := server.New(server.Options{
		Services:      services,
		Authenticator: auth.NewVerifier(verifierOptions(cfg, ln.Addr())),
		BaseHosts:     baseHosts(cfg, ln.Addr()),
		Logger:        logger,
		Version:       version,
		EnableReset:   cfg.EnableReset,
		EnablePprof:   cfg.EnablePprof,
		Region:        cfg.Region,
		AccountID:     cfg.AccountID,
	})
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// HTTP/2 cleartext (h2c) too: the Java SDK v2 and KCL subscribe to
	// Kinesis shards (SubscribeToShard) over HTTP/2 even on plain http.
	httpSrv.Protocols = new(http.Protocols)
	httpSrv.Protocols.SetHTTP1(true)
	httpSrv.Protocols.SetUnencryptedHTTP2(true)
	// Long-lived subscription streams end when shutdown starts, so they do
	// not hold it up for the whole grace period.
	// Logs' delivery into Kinesis stops first.
	httpSrv.RegisterOnShutdown(func() {
		stopMappings()
		stopLambda()
		stopLogs()
		stopKinesis()
	})
	printBanner(stdout, cfg, version, endpoint, dataDir)
	logger.Info("tributary started", "endpoint", endpoint, "data_dir", dataDir, "ephemeral", cfg.Ephemeral)

	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := httpSrv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("shutdown", "err", err)
	}
	logger.Info("stopped")
	return nil
}

// stopOnce returns a func that stops a service's background work once,
// waiting at most 5 s. The shutdown hook (run in its own goroutine by
// http.Server) and Run's defers both call it; a second caller waits for
// the first to finish.
func stopOnce(logger *slog.Logger, name string, svc server.Lifecycle) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := svc.Stop(stopCtx); err != nil {
				logger.Error(name+" stop", "err", err)
			}
		})
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func verifierOptions(cfg config.Config, addr net.Addr) auth.Options {
	creds := make([]auth.Credential, 0, len(cfg.Credentials))
	for _, c := range cfg.Credentials {
		account := c.AccountID
		if account == "" {
			account = cfg.AccountID
		}
		creds = append(creds, auth.Credential{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Name: c.User, AccountID: account})
	}
	return auth.Options{
		Credentials:         creds,
		AllowAnyCredentials: cfg.AllowAnyCredentials,
		DefaultAccountID:    cfg.AccountID,
		BaseHosts:           baseHosts(cfg, addr),
	}
}

// baseHosts are the host names that address the endpoint itself; a label in
// front of one of them is a bucket or access point (virtual-host style).
func baseHosts(cfg config.Config, addr net.Addr) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsUnspecified() && !tcp.IP.IsLoopback() {
		hosts = append(hosts, tcp.IP.String())
	}
	if h, _, err := net.SplitHostPort(cfg.Addr); err == nil && h != "" && net.ParseIP(h) == nil {
		hosts = append(hosts, strings.ToLower(h))
	}
	for _, h := range cfg.Hostnames {
		hosts = append(hosts, strings.ToLower(h))
	}
	return hosts
}

func printBanner(w io.Writer, cfg config.Config, version, endpoint, dataDir string) {
	fmt.Fprintf(w, "Tributary %s listening on %s\n", version, endpoint)
	if cfg.Ephemeral {
		fmt.Fprintf(w, "  data directory: %s (ephemeral: removed on exit)\n", dataDir)
	} else {
		fmt.Fprintf(w, "  data directory: %s\n", dataDir)
	}
	key, secret := "<your access key>", "<your secret>"
	if len(cfg.Credentials) > 0 && cfg.Credentials[0].AccessKeyID == "test" && cfg.Credentials[0].SecretAccessKey == "test" {
		key, secret = "test", "test" // the well-known default; anything else stays unprinted
	}
	// localhost rather than 127.0.0.1 so virtual-host names (bucket.localhost) work too.
	local := strings.Replace(endpoint, "127.0.0.1", "localhost", 1)
	fmt.Fprintf(w, "  point the aws CLI at it:\n")
	fmt.Fprintf(w, "    export AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s\n", local, key, secret, cfg.Region)
	fmt.Fprintf(w, "    aws s3 mb s3://my-bucket\n")
	if cfg.AllowAnyCredentials {
		fmt.Fprintf(w, "  WARNING: --allow-any-credentials: signatures are not checked\n")
	}
}
