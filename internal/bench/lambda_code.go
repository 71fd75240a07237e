package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The benchmark's Python functions. The echo handler does nothing but return its event, so a warm
// invoke's round trip is Tributary's overhead; the count handler logs one line per Kinesis batch
// that names its first and last record, which the benchmark reads back from CloudWatch Logs.
const (
	pythonEchoHandler  = "echo.handler"
	pythonEchoSource   = "def handler(event, context): return event\n"
	pythonCountHandler = "count.handler"
	pythonCountSource  = "def handler(event, context):\n" +
		"    r = event[\"Records\"]\n" +
		"    print(\"COUNT %d %s %s\" % (len(r), r[0][\"eventID\"], r[-1][\"eventID\"]))\n"
)

// zipEntry is one file of a deployment package.
type zipEntry struct {
	Name string
	Mode os.FileMode
	Data []byte
}

// buildZip returns a deployment package holding entries, with their modes (a provided runtime's
// bootstrap must stay executable).
func buildZip(entries []zipEntry) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		h.SetMode(e.Mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(e.Data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func pythonZip(file, source string) ([]byte, error) {
	return buildZip([]zipEntry{{Name: file, Mode: 0o644, Data: []byte(source)}})
}

// goBootstrap returns the Go function's linux bootstrap: the prebuilt file, or one built from
// cfg.GoSource with cfg.Go as the Lambda docs say (GOOS=linux CGO_ENABLED=0, -tags lambda.norpc).
func goBootstrap(ctx context.Context, cfg LambdaConfig, dir string) ([]byte, string, error) {
	if cfg.GoBootstrap != "" {
		data, err := os.ReadFile(cfg.GoBootstrap)
		if err != nil {
			return nil, "", fmt.Errorf("--go-bootstrap: %w", err)
		}
		return data, "prebuilt " + cfg.GoBootstrap, nil
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, cfg.Go, "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, ".")
	cmd.Dir = cfg.GoSource
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("building the Go function (%s build in %s): %v\n%s", cfg.Go, cfg.GoSource, err, strings.TrimSpace(string(msg)))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return nil, "", err
	}
	return data, "built from " + cfg.GoSource + " with " + goVersion(cfg.Go), nil
}

func goVersion(goBin string) string {
	out, err := exec.Command(goBin, "env", "GOVERSION").Output()
	if err != nil {
		return goBin
	}
	return strings.TrimSpace(string(out))
}

// hostPython names the python3 on PATH, which a Tributary started from here runs Python functions
// on ("" when there is none).
func hostPython() string {
	out, err := exec.Command("python3", "--version").CombinedOutput()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func goZip(bootstrap []byte) ([]byte, error) {
	return buildZip([]zipEntry{{Name: "bootstrap", Mode: 0o755, Data: bootstrap}})
}

// ---- what the functions answer ------------------------------------------------------------------

// echoPayload is the event of invoke number seq; both functions hand its value back.
func echoPayload(runtime string, seq int64) []byte {
	if runtime == runtimeGo {
		return []byte(fmt.Sprintf(`{"value":%d}`, seq))
	}
	return []byte(fmt.Sprintf(`{"i":%d}`, seq))
}

// checkEcho verifies a function's answer to echoPayload(runtime, seq): the Python handler returns the
// event itself; go-echo returns {"event":{"value":seq},"function_name":name,"request_id":...}.
func checkEcho(runtime, function string, seq int64, body []byte) error {
	switch runtime {
	case runtimePython:
		var got struct {
			I *int64 `json:"i"`
		}
		if err := json.Unmarshal(body, &got); err != nil || got.I == nil || *got.I != seq {
			return fmt.Errorf("answer %s, want {\"i\": %d}", truncateBytes(body, 200), seq)
		}
	case runtimeGo:
		var got struct {
			Event struct {
				Value *int64 `json:"value"`
			} `json:"event"`
			FunctionName string `json:"function_name"`
			RequestID    string `json:"request_id"`
		}
		if err := json.Unmarshal(body, &got); err != nil || got.Event.Value == nil || *got.Event.Value != seq {
			return fmt.Errorf("answer %s, want event.value %d", truncateBytes(body, 200), seq)
		}
		if got.FunctionName != function || got.RequestID == "" {
			return fmt.Errorf("answer names function %q, request %q; want %q and a request id", got.FunctionName, got.RequestID, function)
		}
	default:
		return fmt.Errorf("unknown runtime %q", runtime)
	}
	return nil
}
