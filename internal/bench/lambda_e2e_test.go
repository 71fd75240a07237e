package bench

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/awstest"
)

// TestRunLambdaAgainstTributary runs the whole benchmark, tiny, against an in-process Tributary:
// functions are created, invoked warm, in parallel and cold, and a Kinesis stream feeds a mapping.
// It needs python3 and the go toolchain (the Go function is built from examples/functions/go-echo).
func TestRunLambdaAgainstTributary(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Python and Go functions")
	}
	for _, bin := range []string{"python3", "go"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not found", bin)
		}
	}
	srv := awstest.Start(t)
	cfg, err := ParseLambdaFlags([]string{"--endpoint", srv.Endpoint, "--work-dir", t.TempDir(), "--runs", "1",
		"--invokes", "20", "--tail-invokes", "5", "--warmup-invokes", "5", "--concurrency", "2", "--parallel-invokes", "20",
		"--cold-starts", "1", "--kinesis-records", "300", "--kinesis-batch", "100", "--go-source", "../../examples/functions/go-echo",
		"--quiet", "--markdown"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out, progress bytes.Buffer
	if err := RunLambda(context.Background(), cfg, &out, &progress); err != nil {
		t.Fatalf("RunLambda: %v\n%s\n%s", err, out.String(), progress.String())
	}
	report := out.String()
	for _, want := range []string{"warm invoke, Python", "cold start, Go (provided.al2023)", "Kinesis → Lambda", "| target | required | measured | result |"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "not run") || strings.Contains(report, "n/a") || strings.Contains(report, "failed invokes") {
		t.Errorf("a workload did not run cleanly:\n%s", report)
	}
	t.Log(report)
}
