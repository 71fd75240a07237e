package e2e

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// redactCmd runs `tributary redact args...` with stdin and returns stdout, stderr and the exit status.
func redactCmd(t *testing.T, stdin string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(harness.binary, append([]string{"redact"}, args...)...)
	cmd.Env = overrideEnv(cleanEnv(), env)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), 0
}

func TestRedactCommandFormats(t *testing.T) {
	jsonIn := `{"customer":{"id":7,"name":"Jane Doe","email":"jane@example.com","shipping":{"address":"42 Wallaby Way, Sydney"}},` +
		`"payment":{"cardNumber":4111111111111111},"birthDate":"1980-01-02","고객명":"홍길동","order_id":"ORD-2024-000123"}`
	cases := []struct {
		name, in string
		args     []string
		want     string
	}{
		{"json", jsonIn, nil, `{"customer":{"id":7,"name":"[NAME]","email":"[EMAIL]","shipping":{"address":"[ADDRESS]"}},` +
			`"payment":{"cardNumber":"[CREDIT_DEBIT_NUMBER]"},"birthDate":"[DATE_TIME]","고객명":"[NAME]","order_id":"ORD-2024-000123"}`},
		{"ndjson", "{\"email\":\"a@example.com\"}\n{\"phone\":\"010-1234-5678\"}\n", nil,
			"{\"email\":\"[EMAIL]\"}\n{\"phone\":\"[PHONE]\"}\n"},
		{"csv", "first_name,email,note\nJane,jane@example.com,\"call 010-1234-5678, thanks\"\n", nil,
			"first_name,email,note\n[NAME],[EMAIL],\"call [PHONE], thanks\"\n"},
		{"tsv by flag", "name\temail\nJane Doe\tjane@example.com\n", []string{"--format", "tsv"},
			"name\temail\n[NAME]\t[EMAIL]\n"},
		{"text", "2024-01-01 login ok user=jdoe ip=10.1.2.3 mail jane@example.com\n", []string{"--format", "text"},
			"2024-01-01 login ok user=[USERNAME] ip=[IP_ADDRESS] mail [EMAIL]\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := redactCmd(t, tc.in, nil, tc.args...)
			if code != 0 || out != tc.want {
				t.Errorf("exit %d, stderr %s\n got %s\nwant %s", code, stderr, out, tc.want)
			}
		})
	}
	// Structure is kept: same JSON keys, same CSV rows and columns.
	out, _, _ := redactCmd(t, jsonIn, nil)
	var a, b map[string]any
	if json.Unmarshal([]byte(jsonIn), &a) != nil || json.Unmarshal([]byte(out), &b) != nil || len(a) != len(b) {
		t.Fatalf("json shape: %s", out)
	}
	var csvIn strings.Builder
	csvIn.WriteString("id,name,email,phone\n")
	for i := range 500 {
		fmt.Fprintf(&csvIn, "%d,\"Doe, Jane %c\",jane%d@example.com,010-1234-%04d\n", i, 'A'+i%26, i, i)
	}
	out, _, code := redactCmd(t, csvIn.String(), nil, "--name", "customers.csv")
	inRows, _ := csv.NewReader(strings.NewReader(csvIn.String())).ReadAll()
	outRows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(inRows) != len(outRows) || strings.Contains(out, "@example.com") {
		t.Fatalf("csv: exit %d, %v, %d rows of %d", code, err, len(outRows), len(inRows))
	}
	for i := range inRows {
		if len(inRows[i]) != len(outRows[i]) || inRows[i][0] != outRows[i][0] {
			t.Fatalf("row %d: %q became %q", i, inRows[i], outRows[i])
		}
	}
}

func TestRedactCommandPolicy(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.json")
	doc := `{"version":1,"minScore":0.6,"default":{"mode":"type"},"types":{"CREDIT_DEBIT_NUMBER":{"mode":"mask","keep":4},
		"EMAIL":{"mode":"pseudonym"},"PASSWORD":{"mode":"remove"},"URL":{"mode":"none"}},"pseudonymKeyEnv":"REDACT_TEST_KEY"}`
	if err := os.WriteFile(policy, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	in := "{\"email\":\"Jane@Example.com\",\"card\":\"4111111111111111\",\"password\":\"hunter2!\",\"url\":\"https://example.com/x\"}\n" +
		"{\"email\":\"jane@example.com\",\"n\":1}\n"
	out, stderr, code := redactCmd(t, in, []string{"REDACT_TEST_KEY=k-123"}, "--policy", policy)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("exit %d %s: %s", code, stderr, out)
	}
	var first, second map[string]any
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[1]), &second)
	if first["card"] != "************1111" || first["url"] != "https://example.com/x" || first["password"] != nil ||
		len(first) != 3 {
		t.Errorf("first line %s", lines[0])
	}
	p1, _ := first["email"].(string)
	if !strings.HasPrefix(p1, "EMAIL_") || len(p1) != len("EMAIL_")+16 || second["email"] != p1 {
		t.Errorf("pseudonyms %v %v: the same address must give the same pseudonym", first["email"], second["email"])
	}
	if _, err := hex.DecodeString(strings.TrimPrefix(p1, "EMAIL_")); err != nil {
		t.Errorf("pseudonym %q", p1)
	}
	// Another key, another pseudonym.
	out2, _, _ := redactCmd(t, in, []string{"REDACT_TEST_KEY=other"}, "--policy", policy)
	if strings.Contains(out2, p1) {
		t.Error("pseudonym does not depend on the key")
	}
	// No key: a usage error that names the variable and never prints a key.
	_, stderr, code = redactCmd(t, in, nil, "--policy", policy)
	if code != 2 || !strings.Contains(stderr, "REDACT_TEST_KEY") {
		t.Errorf("missing key: exit %d, %s", code, stderr)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"version":1,"types":{"EMAIL":{"mode":"hash"}}}`), 0o600)
	_, stderr, code = redactCmd(t, in, nil, "--policy", bad)
	if code != 2 || !strings.Contains(stderr, `types.EMAIL.mode: unknown mode "hash"`) {
		t.Errorf("bad policy: exit %d, %s", code, stderr)
	}
}

func TestRedactCommandReportAndStatus(t *testing.T) {
	out, _, code := redactCmd(t, "{\"customer\":{\"email\":\"jane@example.com\"}}\n", nil, "--report")
	var rep struct {
		Findings []struct {
			Type       string
			Start, End int
			Path       string
			Line       int
		}
		Format   string
		Fallback bool
		Counts   map[string]int
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("report %s: %v", out, err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Type != "EMAIL" || rep.Findings[0].Path != "customer.email" ||
		rep.Findings[0].Start != 22 || rep.Findings[0].End != 38 || rep.Format != "json" || rep.Counts["EMAIL"] != 1 ||
		strings.Contains(out, "jane@") {
		t.Errorf("report %+v", rep)
	}
	cases := []struct {
		name, in string
		args     []string
		code     int
		stdout   string
		stderr   string
	}{
		{"truncated json", `{"a":"jane@example.com","b":[1,`, []string{"--format", "json"}, 3, `{"a":"[EMAIL]","b":[1,`, "truncated JSON"},
		{"bad ndjson line", "{\"a\":1}\nnot json jane@example.com\n{\"b\":2}\n", []string{"--format", "ndjson"}, 3,
			"{\"a\":1}\nnot json [EMAIL]\n{\"b\":2}\n", "line 2"},
		{"invalid utf-8 text", "caf\xe9 jane@example.com\n", nil, 0, "caf\xe9 [EMAIL]\n", ""},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR jane@example.com", nil, 4, "", "binary"},
		{"binary report", "\x00\x01\x02", []string{"--report"}, 4, "", "binary"},
		{"usage", "", []string{"--format", "xml"}, 2, "", "unknown format"},
		{"usage args", "", []string{"a", "b"}, 2, "", "unexpected argument"},
		{"empty", "", nil, 0, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := redactCmd(t, tc.in, nil, tc.args...)
			if code != tc.code || out != tc.stdout || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d (want %d), stdout %q (want %q), stderr %q", code, tc.code, out, tc.stdout, stderr)
			}
		})
	}
	// A 10 MB single line: redacted as text in windows.
	var line strings.Builder
	n := 0
	for line.Len() < 10<<20 {
		fmt.Fprintf(&line, "user%d@example.com said hello ", n)
		n++
	}
	out, _, code = redactCmd(t, line.String(), nil, "--format", "text")
	if code != 0 || strings.Count(out, "[EMAIL]") != n || strings.Contains(out, "@example.com") {
		t.Errorf("10 MB line: exit %d, %d of %d emails", code, strings.Count(out, "[EMAIL]"), n)
	}
	// The same as one 10 MB NDJSON line.
	var doc strings.Builder
	doc.WriteString(`{"users":[`)
	for i := 0; doc.Len() < 10<<20; i++ {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `{"id":%d,"email":"user%d@example.com"}`, i, i)
	}
	doc.WriteString("]}\n")
	out, stderr, code := redactCmd(t, doc.String(), nil, "--format", "ndjson")
	var v map[string][]map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || strings.Contains(out, "@example.com") {
		t.Errorf("10 MB ndjson line: exit %d %s", code, stderr)
	}
	if !reflect.DeepEqual(v["users"][0], map[string]any{"id": float64(0), "email": "[EMAIL]"}) {
		t.Errorf("first user %v", v["users"][0])
	}
}
