package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBoto3 runs each unittest file under python/ with python3 against the
// shared server. A missing python3 or boto3 fails the test.
func TestBoto3(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is required for the e2e suite: %v", err)
	}
	if out, err := exec.Command(py, "-c", "import boto3, botocore").CombinedOutput(); err != nil {
		t.Fatalf("boto3 is required for the e2e suite: %v\n%s", err, out)
	}
	s := sharedServer(t)
	dir := filepath.Join(harness.moduleRoot, "e2e", "python")
	files, err := filepath.Glob(filepath.Join(dir, "test_*.py"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no python tests in %s (%v)", dir, err)
	}
	for _, f := range files {
		module := strings.TrimSuffix(filepath.Base(f), ".py")
		t.Run(module, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, py, "-m", "unittest", "-v", module)
			cmd.Dir = dir
			cmd.Env = s.clientEnv("TRIBUTARY_ENDPOINT="+s.endpoint, "PYTHONDONTWRITEBYTECODE=1")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Errorf("python3 -m unittest %s: %v\nfailing: %s\n%s", module, err,
					strings.Join(failingTests(out.String()), ", "), out.String())
			}
		})
	}
}

var unittestFailure = regexp.MustCompile(`(?m)^(?:FAIL|ERROR): (\S+)`)

func failingTests(output string) []string {
	var names []string
	for _, m := range unittestFailure.FindAllStringSubmatch(output, -1) {
		names = append(names, m[1])
	}
	return names
}
