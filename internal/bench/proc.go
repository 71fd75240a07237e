package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const startTimeout = 60 * time.Second

// server is a process this command started and therefore stops.
type server struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	logFile *os.File
	done    chan struct{} // closed once the process has exited
	waitErr error         // valid after done is closed
	stopped bool          // stop was called: an exit is expected
}

// startTributary runs `bin serve --addr 127.0.0.1:0 --data-dir dataDir [extra...]` and returns the
// endpoint from the "listening on http://..." line it prints on stdout.
func startTributary(ctx context.Context, bin string, extra []string, dataDir, logPath string) (*server, string, error) {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, extra...)
	cmd := exec.Command(bin, args...)
	// TRIBUTARY_* settings in this shell (ephemeral mode, other credentials, a config file) must not
	// change what is measured; --tributary-arg is the way to pass settings.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRIBUTARY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	watch := &lineWatcher{pattern: regexp.MustCompile(`listening on (https?://[^\s,;]+)`), found: make(chan string, 1)}
	srv, err := startServer("tributary", cmd, logPath, watch)
	if err != nil {
		return nil, "", err
	}
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case endpoint := <-watch.found:
		return srv, strings.TrimRight(endpoint, "/."), nil
	case <-srv.done:
		// Wait returns only after stdout is drained: a banner printed before the exit is in found,
		// and the exit is then reported as a crash by the caller.
		select {
		case endpoint := <-watch.found:
			return srv, strings.TrimRight(endpoint, "/."), nil
		default:
		}
		return nil, "", fmt.Errorf("tributary exited before printing \"listening on\" (%v); log %s:\n%s", srv.waitErr, logPath, srv.logTail(20))
	case <-timer.C:
	case <-ctx.Done():
	}
	srv.stop()
	return nil, "", fmt.Errorf("tributary printed no \"listening on http://...\" line within %s; log %s:\n%s", startTimeout, logPath, srv.logTail(20))
}

// startMoto runs `python -m moto.server -p PORT` on a free loopback port and waits until it answers HTTP.
func startMoto(ctx context.Context, python, dir, logPath string) (*server, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(python, "-m", "moto.server", "-p", strconv.Itoa(port))
	cmd.Dir = dir
	srv, err := startServer("moto_server", cmd, logPath, nil)
	if err != nil {
		return nil, "", err
	}
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	probe := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := probe.Get(endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return srv, endpoint, nil
		}
		select {
		case <-srv.done:
			return nil, "", fmt.Errorf("moto_server exited before answering (%v); log %s:\n%s", srv.waitErr, logPath, srv.logTail(20))
		case <-time.After(100 * time.Millisecond):
		}
	}
	srv.stop()
	return nil, "", fmt.Errorf("moto_server did not answer on %s within %s; log %s:\n%s", endpoint, startTimeout, logPath, srv.logTail(20))
}

func startServer(name string, cmd *exec.Cmd, logPath string, stdout *lineWatcher) (*server, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating %s log: %w", name, err)
	}
	cmd.Stderr = logFile
	cmd.Stdout = logFile
	if stdout != nil {
		stdout.log = logFile
		cmd.Stdout = stdout
	}
	// A grandchild holding stdout open must not hang Wait forever.
	cmd.WaitDelay = 5 * time.Second
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	srv := &server{name: name, cmd: cmd, logPath: logPath, logFile: logFile, done: make(chan struct{})}
	go func() {
		srv.waitErr = cmd.Wait()
		close(srv.done)
	}()
	return srv, nil
}

// exited reports an exit that nobody asked for, e.g. a crash under load.
func (s *server) exited() error {
	select {
	case <-s.done:
		if s.stopped {
			return nil
		}
		return fmt.Errorf("%s exited unexpectedly (%v); last lines of %s:\n%s", s.name, s.waitErr, s.logPath, s.logTail(30))
	default:
		return nil
	}
}

// stop asks the server's process group for a graceful shutdown (SIGTERM) and kills it if the server
// has not exited in 15 s. Signalling the group, not just the process, also ends children a wrapper
// script started.
func (s *server) stop() error {
	s.stopped = true
	defer s.logFile.Close()
	_ = signalGroup(s.cmd, syscall.SIGTERM) // also when the server already exited: its children may not have
	select {
	case <-s.done:
		return nil
	case <-time.After(15 * time.Second):
	}
	_ = signalGroup(s.cmd, syscall.SIGKILL)
	<-s.done
	return fmt.Errorf("%s did not stop within 15 s of SIGTERM and was killed", s.name)
}

func (s *server) logTail(n int) string {
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(log unreadable: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// lineWatcher is a process's stdout: it copies everything to the log and reports the first capture of
// pattern on found.
type lineWatcher struct {
	pattern *regexp.Regexp
	found   chan string
	log     *os.File

	mu      sync.Mutex
	partial []byte
	matched bool
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.log.Write(p); err != nil {
		return 0, err
	}
	if w.matched {
		return len(p), nil
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := w.partial[:i]
		w.partial = w.partial[i+1:]
		if m := w.pattern.FindSubmatch(line); m != nil {
			w.matched = true
			w.partial = nil
			w.found <- string(m[1])
			break
		}
	}
	return len(p), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// makeTempDir creates the directory holding the started servers' data and logs.
func makeTempDir(parent string) (string, error) {
	if parent != "" {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return "", fmt.Errorf("creating --work-dir: %w", err)
		}
	}
	dir, err := os.MkdirTemp(parent, "tributary-bench-")
	if err != nil {
		return "", fmt.Errorf("creating temp dir: %w", err)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir, nil
}
