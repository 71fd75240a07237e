package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// `aws logs tail` exists only in the aws CLI v2, which formats what
// FilterLogEvents returns on the client side. The machine's default `aws` is
// v1 (pip); Debian's awscli package (v2, /usr/bin/aws) is installed by
// .ci/run. These tests compare its output line for line with what the CLI
// prints for the same events against AWS: the formats below are the CLI's
// own (awscli/customizations/logs/tail.py), so equal lines mean the API
// answered as AWS does (interleaving, ordering, paging, follow polling).

// awsV2 returns the path of an aws CLI v2; a missing one fails the test.
func awsV2(t testing.TB) string {
	t.Helper()
	for _, candidate := range []string{"/usr/bin/aws", "/usr/local/bin/aws"} {
		out, err := exec.Command(candidate, "--version").CombinedOutput()
		if err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
			return candidate
		}
	}
	t.Fatalf("the aws CLI v2 is required for `aws logs tail` (Debian: apt-get install awscli; .ci/run installs it)")
	return ""
}

// tailCmd builds `aws logs tail` for the server (CLI v2.9 predates
// AWS_ENDPOINT_URL, so the endpoint is a flag).
func (s *server) tailCmd(ctx context.Context, t testing.TB, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, awsV2(t), append([]string{"--endpoint-url", s.endpoint, "logs", "tail"}, args...)...)
	cmd.Env = s.clientEnv("AWS_PAGER=")
	return cmd
}

func (s *server) tail(t testing.TB, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := s.tailCmd(ctx, t, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("aws logs tail %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

// TestLogsTail: events of two streams, interleaved by time, in each of the
// CLI's formats and selections.
func TestLogsTail(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	g := uniqueLogGroup("tail")
	s.aws(t, "logs", "create-log-group", "--log-group-name", g)
	base := time.Now().Add(-3 * time.Minute).Truncate(time.Second).UnixMilli()
	type ev struct {
		stream string
		at     int64
		msg    string
	}
	events := []ev{
		{"web-1", base, "GET /orders 200"},
		{"web-2", base + 1500, "ERROR payment declined for order 1001"},
		{"web-1", base + 2250, `{"level":"ERROR","order":1002}`},
		{"web-2", base + 3000, "GET /health 200"},
		{"web-1", base + 4007, "ERROR timeout calling inventory"},
	}
	for _, st := range []string{"web-1", "web-2"} {
		s.aws(t, "logs", "create-log-stream", "--log-group-name", g, "--log-stream-name", st)
		var batch []logEvent
		for _, e := range events {
			if e.stream == st {
				batch = append(batch, logEvent{Timestamp: e.at, Message: e.msg})
			}
		}
		s.aws(t, "logs", "put-log-events", "--log-group-name", g, "--log-stream-name", st,
			"--log-events", logEventsJSON(t, batch))
	}
	stamp := func(ms int64, layout string) string { return time.UnixMilli(ms).UTC().Format(layout) }
	detailed := func(e ev) string {
		return stamp(e.at, "2006-01-02T15:04:05.000000") + "+00:00 " + e.stream + " " + e.msg
	}
	short := func(e ev) string { return stamp(e.at, "2006-01-02T15:04:05") + " " + e.msg }
	render := func(pick func(ev) bool, f func(ev) string) []string {
		var lines []string
		for _, e := range events {
			if pick(e) {
				lines = append(lines, f(e))
			}
		}
		return lines
	}
	all := func(ev) bool { return true }
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"detailed", []string{"--since", "10m"}, render(all, detailed)},
		{"short", []string{"--since", "10m", "--format", "short"}, render(all, short)},
		{"one stream", []string{"--since", "10m", "--log-stream-names", "web-2"},
			render(func(e ev) bool { return e.stream == "web-2" }, detailed)},
		{"stream prefix", []string{"--since", "10m", "--log-stream-name-prefix", "web-1"},
			render(func(e ev) bool { return e.stream == "web-1" }, detailed)},
		{"filter pattern", []string{"--since", "10m", "--filter-pattern", "ERROR"},
			render(func(e ev) bool { return strings.Contains(e.msg, "ERROR") }, detailed)},
		{"json pattern", []string{"--since", "10m", "--filter-pattern", `{ $.level = "ERROR" }`},
			render(func(e ev) bool { return e.msg[0] == '{' }, detailed)},
		{"since excludes older events", []string{"--since", time.UnixMilli(base + 2500).UTC().Format(time.RFC3339Nano)},
			render(func(e ev) bool { return e.at >= base+2500 }, detailed)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := s.tail(t, append([]string{g}, tc.args...)...)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("aws logs tail %s\n got:\n%s\nwant:\n%s", strings.Join(tc.args, " "),
					strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	// An unknown group is the API's error, surfaced by the CLI.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := s.tailCmd(ctx, t, g+"-missing").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "ResourceNotFoundException") {
		t.Errorf("tail of a missing group: err %v, output %s", err, out)
	}
}

// TestLogsTailFollow: `--follow` prints what is there, then events put
// later, each once.
func TestLogsTailFollow(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	g := uniqueLogGroup("tail-follow")
	s.aws(t, "logs", "create-log-group", "--log-group-name", g)
	s.aws(t, "logs", "create-log-stream", "--log-group-name", g, "--log-stream-name", "app")
	put := func(msgs ...string) {
		var batch []logEvent
		now := nowMillis()
		for i, m := range msgs {
			batch = append(batch, logEvent{Timestamp: now + int64(i), Message: m})
		}
		s.aws(t, "logs", "put-log-events", "--log-group-name", g, "--log-stream-name", "app", "--log-events", logEventsJSON(t, batch))
	}
	put("before-1", "before-2")

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := s.tailCmd(ctx, t, g, "--follow", "--since", "5m", "--format", "short")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var mu sync.Mutex
	var lines []string
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	waitFor := func(n int) []string {
		deadline := time.Now().Add(45 * time.Second)
		for {
			mu.Lock()
			got := append([]string(nil), lines...)
			mu.Unlock()
			if len(got) >= n || time.Now().After(deadline) {
				return got
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	messagesOf := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			if _, msg, ok := strings.Cut(l, " "); ok {
				out = append(out, msg)
			}
		}
		return out
	}
	if got := messagesOf(waitFor(2)); fmt.Sprint(got) != "[before-1 before-2]" {
		t.Fatalf("tail --follow first lines = %v", got)
	}
	put("after-1", "after-2", "after-3")
	got := messagesOf(waitFor(5))
	// Another poll must not print anything twice.
	time.Sleep(6 * time.Second)
	mu.Lock()
	final := messagesOf(lines)
	mu.Unlock()
	if want := "[before-1 before-2 after-1 after-2 after-3]"; fmt.Sprint(got) != want || fmt.Sprint(final) != want {
		t.Errorf("tail --follow printed %v (after another poll: %v), want %v", got, final, want)
	}
}
