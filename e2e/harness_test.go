package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// suite is what TestMain prepares once for every test: the built binary and
// one shared server that tests needing no isolation use with unique bucket
// names. It is the package's only mutable state, set before m.Run.
type suite struct {
	binary     string // the built tributary binary
	moduleRoot string
	tmp        string // removed after the run
	emptyFile  string // an empty AWS config/credentials file for clients

	sharedOnce sync.Once
	shared     *server
	sharedErr  error
}

var harness *suite

func TestMain(m *testing.M) {
	code, err := runSuite(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runSuite(m *testing.M) (int, error) {
	root, err := moduleRoot()
	if err != nil {
		return 1, err
	}
	tmp, err := os.MkdirTemp("", "tributary-e2e-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(tmp)

	// AWS_CA_BUNDLE is set on these machines; aws-sdk-go-v2 refuses a custom
	// http.Client while it is set (spec Part C 9). Clear every AWS_* and proxy
	// variable so no client of this process picks up the machine's settings.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if isClientEnv(name) {
			os.Unsetenv(name)
		}
	}

	s := &suite{moduleRoot: root, tmp: tmp}
	s.emptyFile = filepath.Join(tmp, "empty-aws-config")
	if err := os.WriteFile(s.emptyFile, nil, 0o600); err != nil {
		return 1, err
	}
	s.binary = filepath.Join(tmp, "tributary")
	if err := buildBinary(root, s.binary); err != nil {
		return 1, err
	}
	harness = s

	// Most of the suite waits on subprocesses and fsyncs, not CPU: run four
	// tests at a time unless -parallel was given.
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", "4")
	}

	code := m.Run()

	if s.shared != nil {
		if code != 0 {
			fmt.Fprintf(os.Stderr, "--- shared server output (tail) ---\n%s\n", s.shared.outputTail(80))
		}
		if err := s.shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stopping the shared server:", err)
			code = 1
		}
	}
	return code, nil
}

// isClientEnv reports whether an environment variable would change how an AWS
// client or the server behaves, so every process the suite starts gets a
// clean environment (a developer's TRIBUTARY_DATA_DIR must not leak in).
func isClientEnv(name string) bool {
	upper := strings.ToUpper(name)
	return strings.HasPrefix(upper, "AWS_") || upper == "HTTP_PROXY" || upper == "HTTPS_PROXY" ||
		upper == "NO_PROXY" || upper == "ALL_PROXY" || strings.HasPrefix(upper, "BOTO_") ||
		strings.HasPrefix(upper, "TRIBUTARY_")
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the e2e directory")
		}
		dir = parent
	}
}

func buildBinary(root, out string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goTool, "build", "-o", out, "./cmd/tributary")
	cmd.Dir = root
	output, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build ./cmd/tributary: %w\n%s", err, output)
	}
	return nil
}

// sharedServer returns the suite's shared ephemeral server, starting it on
// first use. Tests using it must not reset it and must use unique buckets.
func sharedServer(t testing.TB) *server {
	t.Helper()
	h := harness
	h.sharedOnce.Do(func() {
		h.shared, h.sharedErr = launch(h.binary, filepath.Join(h.tmp, "shared.log"), "--ephemeral", "--enable-reset")
	})
	if h.sharedErr != nil {
		t.Fatalf("starting the shared server: %v", h.sharedErr)
	}
	return h.shared
}

// server is one running tributary process.
type server struct {
	cmd      *exec.Cmd
	port     int
	endpoint string // http://127.0.0.1:PORT
	logPath  string
	stdout   *lockedBuffer
	stderr   *lockedBuffer
	exited   chan struct{}
	exitErr  error
	stopOnce sync.Once
	// listenOnStderr records a contract deviation: the listening line was
	// printed on stderr instead of stdout.
	listenOnStderr bool
}

// startServer starts a dedicated server for one test with the given extra
// flags and stops it (gracefully) when the test ends.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "server.log")
	s, err := launch(harness.binary, logPath, args...)
	if err != nil {
		t.Fatalf("starting server %v: %v", args, err)
	}
	if s.listenOnStderr {
		t.Errorf("the `listening on` line was printed on stderr; the contract says stdout")
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server %v output (tail):\n%s", args, s.outputTail(60))
		}
		if err := s.stop(); err != nil {
			t.Errorf("stopping server: %v", err)
		}
	})
	return s
}

var listeningLine = regexp.MustCompile(`listening on http://127\.0\.0\.1:(\d+)`)

func launch(binary, logPath string, args ...string) (*server, error) {
	return launchCmd(binary, logPath, nil, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
}

// launchCmd starts the binary with exactly these arguments and extra
// environment entries, and waits for its listening line.
func launchCmd(binary, logPath string, env []string, args ...string) (*server, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = overrideEnv(cleanEnv(), env)
	s := &server{cmd: cmd, logPath: logPath, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	type found struct {
		port     int
		onStderr bool
	}
	ports := make(chan found, 2)
	var logMu sync.Mutex
	scan := func(r io.Reader, buf *lockedBuffer, onStderr bool, done *sync.WaitGroup) {
		defer done.Done()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			buf.writeLine(line)
			logMu.Lock()
			fmt.Fprintln(logFile, line)
			logMu.Unlock()
			if m := listeningLine.FindStringSubmatch(line); m != nil && !sent {
				p, _ := strconv.Atoi(m[1])
				ports <- found{p, onStderr}
				sent = true
			}
		}
		io.Copy(io.Discard, r)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go scan(outPipe, s.stdout, false, &readers)
	go scan(errPipe, s.stderr, true, &readers)
	go func() {
		readers.Wait()
		s.exitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()

	select {
	case f := <-ports:
		s.port = f.port
		s.listenOnStderr = f.onStderr
	case <-s.exited:
		return nil, fmt.Errorf("server exited before listening (%v); output:\n%s", s.exitErr, s.outputTail(40))
	case <-time.After(30 * time.Second):
		s.kill()
		return nil, fmt.Errorf("no `listening on http://127.0.0.1:PORT` line within 30s; output:\n%s", s.outputTail(40))
	}
	s.endpoint = fmt.Sprintf("http://127.0.0.1:%d", s.port)
	// The line says the listener is bound; confirm a TCP connect succeeds.
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.port), time.Second)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("port %d announced but not connectable: %v", s.port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s, nil
}

// localhostEndpoint is the endpoint as users write it (`http://localhost:PORT`),
// which makes Go use virtual-host addressing (`bucket.localhost`).
func (s *server) localhostEndpoint() string { return fmt.Sprintf("http://localhost:%d", s.port) }

func (s *server) outputTail(lines int) string {
	all := strings.Split(strings.TrimRight(s.stdout.String()+s.stderr.String(), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// waitOutput waits until the server's output contains substr: lines after
// the listening line may still be on their way through the pipe.
func (s *server) waitOutput(substr string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if strings.Contains(s.stdout.String()+s.stderr.String(), substr) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit; a server that needs SIGKILL
// or exits non-zero is an error (the contract is a graceful stop).
func (s *server) stop() error {
	var err error
	s.stopOnce.Do(func() {
		select {
		case <-s.exited:
			return
		default:
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
			if s.exitErr != nil {
				err = fmt.Errorf("server exited with %v after SIGTERM", s.exitErr)
			}
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
			err = errors.New("server did not exit within 20s of SIGTERM; killed")
		}
	})
	return err
}

// signal sends sig and waits up to timeout for the process to exit.
func (s *server) signalAndWait(sig os.Signal, timeout time.Duration) (exited bool, exitErr error) {
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.exited:
		return true, s.exitErr
	case <-time.After(timeout):
		return false, nil
	}
}

// kill SIGKILLs the process (crash simulation) and waits for it to be gone.
func (s *server) kill() {
	s.stopOnce.Do(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
}

// lockedBuffer collects a process's output lines for diagnostics.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) writeLine(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(line)
	b.buf.WriteByte('\n')
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cleanEnv is this process's environment without AWS client settings (the
// suite already removed them in TestMain; this is a copy for subprocesses).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if isClientEnv(name) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// clientEnv is the environment for the aws CLI and python: default test
// credentials, us-east-1, the server as endpoint, and empty config files so
// nothing from the machine's ~/.aws leaks in. extra entries override.
func (s *server) clientEnv(extra ...string) []string {
	env := append(cleanEnv(),
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ENDPOINT_URL="+s.endpoint,
		"AWS_CONFIG_FILE="+harness.emptyFile,
		"AWS_SHARED_CREDENTIALS_FILE="+harness.emptyFile,
		"AWS_EC2_METADATA_DISABLED=true",
		"PYTHONUTF8=1",
		"LC_ALL=C.UTF-8",
	)
	return overrideEnv(env, extra)
}

func overrideEnv(env, extra []string) []string {
	if len(extra) == 0 {
		return env
	}
	names := map[string]bool{}
	for _, kv := range extra {
		name, _, _ := strings.Cut(kv, "=")
		names[name] = true
	}
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !names[name] {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// uniqueBucket returns a fresh valid bucket name starting with prefix.
func uniqueBucket(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	name := prefix + "-" + hex.EncodeToString(b)
	if len(name) > 63 {
		name = name[len(name)-63:]
	}
	return name
}

// httpGet is a plain GET to the server, no AWS signing.
func httpDo(t testing.TB, method, url string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	resp, err := localhostHTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp.StatusCode, resp.Header, data
}
