package proc

import (
	"crypto/rand"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

//go:embed bootstrap/bootstrap.py
var pythonBootstrap []byte

//go:embed bootstrap/bootstrap.mjs
var nodeBootstrap []byte

// writeBootstraps writes the embedded runtime files (LAMBDA_RUNTIME_DIR).
// Each file is written to a temporary name and renamed, so a process of
// another pool reading it never sees half a file.
func writeBootstraps(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("proc: runtime dir: %w", err)
	}
	for name, data := range map[string][]byte{"bootstrap.py": pythonBootstrap, "bootstrap.mjs": nodeBootstrap} {
		tmp, err := os.CreateTemp(dir, name+".*")
		if err != nil {
			return fmt.Errorf("proc: write %s: %w", name, err)
		}
		_, werr := tmp.Write(data)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), filepath.Join(dir, name))
		}
		if werr != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("proc: write %s: %w", name, werr)
		}
	}
	return nil
}

// resolveInterpreter finds the real executable behind a command name: version
// manager shims (pyenv, nodenv) are scripts that cost tens of milliseconds per
// start, so the interpreter is asked for its own path. For python3 the lines
// after the executable are its site-packages directories (see bootstrap.py:
// the bootstrap runs with -S and puts them on sys.path itself).
func resolveInterpreter(name string) ([]string, error) {
	var cmd *exec.Cmd
	switch name {
	case "python3":
		cmd = exec.Command("python3", "-c", "import sys,site;print(sys.executable);[print(d) for d in site.getsitepackages()]")
	case "node":
		cmd = exec.Command("node", "-e", "console.log(process.execPath)")
	default:
		return nil, fmt.Errorf("proc: unknown interpreter %q", name)
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("proc: cannot run %s: %w", name, err)
	}
	lines := strings.Fields(strings.TrimSpace(string(out)))
	if len(lines) == 0 {
		return nil, fmt.Errorf("proc: %s did not report its executable", name)
	}
	return lines, nil
}

// newStreamName returns YYYY/MM/DD/[<version>]<32 hex>.
func newStreamName(now time.Time, version string) string {
	var b [16]byte
	rand.Read(b[:])
	return now.UTC().Format("2006/01/02") + "/[" + version + "]" + hex.EncodeToString(b[:])
}

// newRequestID returns a random (version 4) UUID.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newTraceID returns an X-Ray trace header value. Trace ids need to be unique,
// not secret: math/rand/v2 keeps them off crypto/rand's per-invoke cost.
func newTraceID(now time.Time) string {
	var b [20]byte
	binary.LittleEndian.PutUint64(b[0:], mrand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], mrand.Uint64())
	binary.LittleEndian.PutUint32(b[16:], mrand.Uint32())
	var out [72]byte
	buf := append(out[:0], "Root=1-"...)
	buf = strconv.AppendUint(buf, uint64(now.Unix())&0xffffffff, 16)
	buf = append(buf, '-')
	buf = hex.AppendEncode(buf, b[:12])
	buf = append(buf, ";Parent="...)
	buf = hex.AppendEncode(buf, b[12:20])
	buf = append(buf, ";Sampled=0"...)
	return string(buf)
}

// buildEnv returns the clean environment of a function process (spec §2.5).
// TZ, LANG and PATH are defaults the user's variables may override; the
// reserved variables are set last so nothing overrides them.
func buildEnv(fn Function, kind, api, runtimeDir, logGroup, logStream string) []string {
	env := map[string]string{
		"TZ":   ":UTC",
		"LANG": "en_US.UTF-8",
		"PATH": hostPath(),
	}
	for k, v := range fn.Env {
		env[k] = v
	}
	version := fn.Version
	if version == "" {
		version = "$LATEST"
	}
	reserved := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          api,
		"_HANDLER":                        fn.Handler,
		"LAMBDA_TASK_ROOT":                fn.CodeDir,
		"LAMBDA_RUNTIME_DIR":              runtimeDir,
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       logGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME":      logStream,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      fn.Region,
		"AWS_DEFAULT_REGION":              fn.Region,
		"AWS_ACCESS_KEY_ID":               fn.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           fn.Credentials.SecretAccessKey,
	}
	if fn.Credentials.SessionToken != "" {
		reserved["AWS_SESSION_TOKEN"] = fn.Credentials.SessionToken
	}
	if kind != "provided" {
		reserved["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + fn.Runtime
	}
	if _, ok := env["AWS_ENDPOINT_URL"]; !ok && fn.Endpoint != "" {
		env["AWS_ENDPOINT_URL"] = fn.Endpoint
	}
	if kind == "python" {
		// Python would write __pycache__ into the code directory, which the
		// pool never writes into (AWS's /var/task is read-only too). Not
		// PYTHONPYCACHEPREFIX: it would also hide the interpreter's own
		// caches, and compiling botocore costs seconds per cold start.
		if _, ok := env["PYTHONDONTWRITEBYTECODE"]; !ok {
			env["PYTHONDONTWRITEBYTECODE"] = "1"
		}
	}
	for k, v := range reserved {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}
