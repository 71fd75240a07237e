//go:build unix

package bench

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeTributary writes a shell script standing in for the tributary binary.
func fakeTributary(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tributary")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStartTributary(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("needs /bin/sh")
	}
	tests := []struct {
		name         string
		script       string
		env          string // set in the benchmark's own environment
		wantEndpoint string
		wantErr      string
		wantLog      string // the script's output must reach the log
		crashes      bool   // exits on its own after the banner
	}{
		{
			name:         "banner on stdout, args and environment as promised",
			script:       `echo "args: $*" >&2; echo "env: ${TRIBUTARY_EPHEMERAL:-unset}" >&2; printf 'Tributary dev listening on http://127.0.0.1:4599\n  data directory: %s\n' "$5"; exec sleep 60`,
			env:          "1",
			wantEndpoint: "http://127.0.0.1:4599",
			wantLog:      "args: serve --addr 127.0.0.1:0 --data-dir DATA --log-level warn\nenv: unset",
		},
		{
			name:         "crashes after the banner",
			script:       `echo "listening on http://127.0.0.1:1"; echo "panic: boom" >&2; exit 3`,
			wantEndpoint: "http://127.0.0.1:1",
			wantLog:      "panic: boom",
			crashes:      true,
		},
		{
			name:    "exits without a banner",
			script:  `echo "tributary: bad flag" >&2; exit 2`,
			wantErr: "exited before printing",
			wantLog: "tributary: bad flag",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("TRIBUTARY_EPHEMERAL", tt.env)
			}
			dir := t.TempDir()
			logPath := filepath.Join(dir, "tributary.log")
			srv, endpoint, err := startTributary(context.Background(), fakeTributary(t, tt.script), []string{"--log-level", "warn"}, "DATA", logPath)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.wantLog) {
					t.Fatalf("err = %v, want %q with the log tail %q", err, tt.wantErr, tt.wantLog)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if endpoint != tt.wantEndpoint {
				t.Errorf("endpoint = %q, want %q", endpoint, tt.wantEndpoint)
			}
			if tt.crashes {
				<-srv.done
				if err := srv.exited(); err == nil || !strings.Contains(err.Error(), "exited unexpectedly") || !strings.Contains(err.Error(), tt.wantLog) {
					t.Errorf("exited() = %v, want the crash with its log tail", err)
				}
				srv.stop()
				return
			}
			if err := srv.exited(); err != nil {
				t.Errorf("running server reported as exited: %v", err)
			}
			start := time.Now()
			if err := srv.stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("stop took %s; SIGTERM should end the process", d)
			}
			if err := srv.exited(); err != nil {
				t.Errorf("a stopped server is not a crash: %v", err)
			}
			data, _ := os.ReadFile(logPath)
			if !strings.Contains(string(data), tt.wantLog) || !strings.Contains(string(data), "data directory: DATA") {
				t.Errorf("log = %q, want it to contain %q and the stdout after the banner", data, tt.wantLog)
			}
		})
	}
}

func TestStopEndsAWrapperScriptsChildren(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("needs /bin/sh")
	}
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	// The wrapper does not forward signals; only signalling the group reaches its child.
	script := `sleep 60 & echo $! > ` + pidFile + `; echo "listening on http://127.0.0.1:3"; wait`
	srv, _, err := startTributary(context.Background(), fakeTributary(t, script), nil, "DATA", filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	child, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(child, 0) == nil {
		if time.Now().After(deadline) {
			syscall.Kill(child, syscall.SIGKILL)
			t.Fatalf("the wrapper's child %d survived stop", child)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
