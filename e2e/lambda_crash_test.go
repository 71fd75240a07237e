package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func (s *server) lambdaGoClient(t testing.TB) *lambda.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithHTTPClient(localhostHTTPClient()),
		config.WithSharedConfigFiles([]string{harness.emptyFile}),
		config.WithSharedCredentialsFiles([]string{harness.emptyFile}),
		config.WithRetryMaxAttempts(1),
	)
	if err != nil {
		t.Fatalf("aws config: %v", err)
	}
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(s.endpoint) })
}

// TestLambdaCrashDurability: what the Lambda API acknowledged survives a
// SIGKILL of the server. A function created (201) is there after the
// restart, and every Event invoke answered 202 runs after it — at least
// once — although the function was still working through the queue when
// the server died (aws-sdk-go-v2 as the client).
func TestLambdaCrashDurability(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	seen := filepath.Join(t.TempDir(), "seen.txt")
	srv, err := launch(harness.binary, filepath.Join(t.TempDir(), "before-crash.log"), "--data-dir", dataDir)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		srv.kill()
		if t.Failed() {
			t.Logf("server output before the crash (tail):\n%s", srv.outputTail(40))
		}
	})
	c := srv.lambdaGoClient(t)

	// The handler records each event's n in a file outside the server's
	// data, slowly, so the queue is still full when the server is killed.
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("app.py")
	fmt.Fprintf(w, "import time\n"+
		"def handler(event, context):\n"+
		"    time.sleep(0.05)\n"+
		"    with open(%q, 'a') as f:\n"+
		"        f.write(str(event['n']) + '\\n')\n"+
		"    return event\n", seen)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	fn := uniqueBucket("crash-fn")
	if _, err := c.CreateFunction(ctxT(t), &lambda.CreateFunctionInput{
		FunctionName: aws.String(fn), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String(e2eRole), Code: &types.FunctionCode{ZipFile: zipped.Bytes()},
	}); err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	const events = 40
	for n := range events {
		out, err := c.Invoke(ctxT(t), &lambda.InvokeInput{FunctionName: aws.String(fn),
			InvocationType: types.InvocationTypeEvent, Payload: []byte(fmt.Sprintf(`{"n":%d}`, n))})
		if err != nil || out.StatusCode != 202 {
			t.Fatalf("Event invoke %d: %v (status %v)", n, err, out)
		}
	}
	srv.kill() // SIGKILL, with most of the queue not yet run
	before := seenNumbers(t, seen)
	t.Logf("%d of %d acknowledged Event invokes had run when the server was killed", len(before), events)

	srv2, err := launch(harness.binary, filepath.Join(t.TempDir(), "after-crash.log"), "--data-dir", dataDir)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	t.Cleanup(func() {
		srv2.kill()
		if t.Failed() {
			t.Logf("server output after the crash (tail):\n%s", srv2.outputTail(40))
		}
	})
	c2 := srv2.lambdaGoClient(t)
	got, err := c2.GetFunction(ctxT(t), &lambda.GetFunctionInput{FunctionName: aws.String(fn)})
	if err != nil || got.Configuration.State != types.StateActive {
		t.Fatalf("GetFunction after the crash: %v %+v", err, got)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		missing := missingNumbers(seenNumbers(t, seen), events)
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart, acknowledged Event invokes never ran: %v (ran before the kill: %d)", missing, len(before))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The function still answers synchronously.
	out, err := c2.Invoke(ctxT(t), &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: []byte(`{"n":-1}`)})
	if err != nil || out.FunctionError != nil || strings.TrimSpace(string(out.Payload)) != `{"n": -1}` {
		t.Fatalf("sync invoke after the crash: %v %+v %s", err, out, out.Payload)
	}
}

func seenNumbers(t *testing.T, path string) map[int]int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	counts := map[int]int{}
	for _, line := range strings.Fields(string(data)) {
		if n, err := strconv.Atoi(line); err == nil {
			counts[n]++
		}
	}
	return counts
}

func missingNumbers(seen map[int]int, total int) []int {
	var missing []int
	for n := range total {
		if seen[n] == 0 {
			missing = append(missing, n)
		}
	}
	sort.Ints(missing)
	return missing
}
