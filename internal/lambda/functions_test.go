package lambda

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreateFunctionValidation(t *testing.T) {
	e := newTestEnv(t)
	bigEnv := map[string]any{"Variables": map[string]string{"BIG": strings.Repeat("x", 4100)}}
	tests := []struct {
		name   string
		extra  map[string]any
		status int
		code   string
		msg    string
	}{
		{"unknown runtime", map[string]any{"Runtime": "PYTHON3.9"}, 400, codeInvalidParameter,
			"Value PYTHON3.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs, "},
		{"deprecated runtime", map[string]any{"Runtime": "go1.x"}, 400, codeInvalidParameter,
			"The runtime parameter of go1.x is no longer supported for creating or updating AWS Lambda functions."},
		{"deprecated python", map[string]any{"Runtime": "python3.7"}, 400, codeInvalidParameter, "python3.7 is no longer supported"},
		{"no runtime", map[string]any{"Runtime": nil}, 400, codeInvalidParameter,
			"Runtime and Handler are mandatory parameters for functions created with deployment packages."},
		{"no role", map[string]any{"Role": nil}, 400, codeValidation,
			"1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null"},
		{"bad role", map[string]any{"Role": "arn:aws:iam::1:user/x"}, 400, codeValidation,
			"at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"timeout high", map[string]any{"Timeout": 901}, 400, codeValidation,
			"Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"timeout zero", map[string]any{"Timeout": 0}, 400, codeValidation, "greater than or equal to 1"},
		{"memory low", map[string]any{"MemorySize": 64}, 400, codeValidation,
			"Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"},
		{"memory high", map[string]any{"MemorySize": 10241}, 400, codeValidation, "less than or equal to 10240"},
		{"reserved env", map[string]any{"Environment": map[string]any{"Variables": map[string]string{"AWS_REGION": "x", "OK": "y"}}},
			400, codeInvalidParameter, "Reserved keys used in this request: AWS_REGION"},
		{"env key", map[string]any{"Environment": map[string]any{"Variables": map[string]string{"1BAD": "x"}}},
			400, codeValidation, "Map keys must satisfy constraint"},
		{"env 4KB", map[string]any{"Environment": bigEnv}, 400, codeInvalidParameter, "exceeded the 4KB limit"},
		{"not a zip", map[string]any{"Code": map[string]any{"ZipFile": base64.StdEncoding.EncodeToString([]byte("hello"))}},
			400, codeInvalidParameter, "Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"no code source", map[string]any{"Code": map[string]any{}}, 400, codeInvalidParameter, "Please provide a source for function code."},
		{"bad name", map[string]any{"FunctionName": "bad name"}, 400, codeValidation, "at 'functionName' failed to satisfy constraint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call("POST", "CreateFunction", nil, nil, nil, createBody(t, "f", tc.extra))
			wantErr(t, r, tc.status, tc.code, tc.msg)
		})
	}
	// Nothing was stored by the refused calls.
	r := e.call("GET", "GetFunction", fnParam("f"), nil, nil, nil)
	wantErr(t, r, 404, codeNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f")
}

func TestZipChecks(t *testing.T) {
	slip := makeZip(t, map[string]string{"../evil.py": "x"})
	if _, err := checkZip(slip); err == nil {
		t.Fatal("zip slip accepted")
	}
	abs := makeZip(t, map[string]string{"/etc/evil": "x"})
	if _, err := checkZip(abs); err == nil {
		t.Fatal("absolute path accepted")
	}
	big := make([]byte, maxZippedBytes+1)
	_, err := checkZip(big)
	if e, ok := err.(interface{ Error() string }); !ok || !strings.Contains(e.Error(), "Zipped size must be smaller than 52428800 bytes") {
		t.Fatalf("oversize zip: %v", err)
	}
}

func TestLifecycle(t *testing.T) {
	e := newTestEnv(t)
	zipData := makeZip(t, map[string]string{"bootstrap*": "#!/bin/sh\n", "lib/data.txt": "d"})
	created := e.create("f", map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap",
		"Code":        map[string]any{"ZipFile": base64.StdEncoding.EncodeToString(zipData)},
		"Environment": map[string]any{"Variables": map[string]string{"AB": "1"}}})
	if created["State"] != "Pending" || created["StateReasonCode"] != "Creating" || created["LastUpdateStatus"] != nil {
		t.Fatalf("create response state: %v", created)
	}
	if created["Timeout"] != 3.0 || created["MemorySize"] != 128.0 || created["Version"] != "$LATEST" ||
		created["LastModified"] != "2026-11-24T10:00:00.123+0000" || created["PackageType"] != "Zip" {
		t.Fatalf("create defaults: %v", created)
	}
	if lg := created["LoggingConfig"].(map[string]any); lg["LogGroup"] != "/aws/lambda/f" || lg["LogFormat"] != "Text" {
		t.Fatalf("logging config: %v", lg)
	}
	// The code is unpacked with its mode bits.
	fi, err := os.Stat(filepath.Join(e.svc.codeDir("f", created["CodeSha256"].(string)), "bootstrap"))
	if err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Fatalf("bootstrap not executable: %v %v", fi, err)
	}
	wantErr(t, e.call("POST", "CreateFunction", nil, nil, nil, createBody(t, "f", nil)), 409, codeConflict, "Function already exist: f")

	for _, op := range []string{"GetFunctionConfiguration", "GetFunction"} {
		r := e.call("GET", op, fnParam("arn:aws:lambda:us-east-1:123456789012:function:f"), nil, nil, nil)
		m := r.json(t)
		if op == "GetFunction" {
			m = m["Configuration"].(map[string]any)
		}
		if r.status != 200 || m["State"] != "Active" || m["LastUpdateStatus"] != "Successful" {
			t.Fatalf("%s: %d %v", op, r.status, m)
		}
	}
	rev := created["RevisionId"].(string)
	// Update configuration: InProgress in the response, stale revision 412.
	upd := e.call("PUT", "UpdateFunctionConfiguration", fnParam("f"), nil, nil, []byte(`{"Timeout":10,"RevisionId":"`+rev+`"}`))
	m := upd.json(t)
	if upd.status != 200 || m["LastUpdateStatus"] != "InProgress" || m["Timeout"] != 10.0 || m["RevisionId"] == rev {
		t.Fatalf("update config: %d %v", upd.status, m)
	}
	wantErr(t, e.call("PUT", "UpdateFunctionCode", fnParam("f"), nil, nil,
		[]byte(`{"ZipFile":"`+base64.StdEncoding.EncodeToString(pyZip(t))+`","RevisionId":"`+rev+`"}`)),
		412, codePrecondition, "The Revision Id provided does not match the latest Revision Id")
	code := e.call("PUT", "UpdateFunctionCode", fnParam("f"), nil, nil,
		[]byte(`{"ZipFile":"`+base64.StdEncoding.EncodeToString(pyZip(t))+`","Publish":true}`))
	cm := code.json(t)
	if code.status != 200 || cm["Version"] != "1" || cm["CodeSha256"] == created["CodeSha256"] {
		t.Fatalf("update code: %d %v", code.status, cm)
	}
	if len(e.exec.evicted) != 2 {
		t.Fatalf("evictions: %v", e.exec.evicted)
	}
	// The old code is gone from disk, the new one is there.
	if _, err := os.Stat(e.svc.codeDir("f", created["CodeSha256"].(string))); !os.IsNotExist(err) {
		t.Fatalf("old code still on disk: %v", err)
	}
	// Delete: 204, then 404.
	if r := e.call("DELETE", "DeleteFunction", fnParam("f"), nil, nil, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantErr(t, e.call("GET", "GetFunctionConfiguration", fnParam("f"), url.Values{"Qualifier": {"1"}}, nil, nil),
		404, codeNotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f:1")
	wantErr(t, e.call("DELETE", "DeleteFunction", fnParam("f"), nil, nil, nil), 404, codeNotFound, "Function not found")
	if _, err := os.Stat(e.svc.functionDir("f")); !os.IsNotExist(err) {
		t.Fatalf("function dir left: %v", err)
	}
}

func TestListFunctionsPaging(t *testing.T) {
	e := newTestEnv(t)
	for i := 0; i < 57; i++ {
		e.create(fmt.Sprintf("fn-%03d", i), nil)
	}
	var names []string
	marker := ""
	pages := 0
	for {
		q := url.Values{"MaxItems": {"100"}}
		if marker != "" {
			q.Set("Marker", marker)
		}
		r := e.call("GET", "ListFunctions", nil, q, nil, nil)
		var out ListFunctionsOutput
		if err := json.Unmarshal(r.body, &out); err != nil || r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		if len(out.Functions) > 50 {
			t.Fatalf("page of %d", len(out.Functions))
		}
		for _, f := range out.Functions {
			names = append(names, f.FunctionName)
		}
		pages++
		if out.NextMarker == "" {
			break
		}
		marker = out.NextMarker
	}
	if len(names) != 57 || pages != 2 || names[0] != "fn-000" || names[56] != "fn-056" {
		t.Fatalf("listed %d in %d pages", len(names), pages)
	}
	wantErr(t, e.call("GET", "ListFunctions", nil, url.Values{"MaxItems": {"0"}}, nil, nil), 400, codeValidation,
		"Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
}

func TestPermissions(t *testing.T) {
	e := newTestEnv(t)
	e.create("f", nil)
	add := func(body string) resp { return e.call("POST", "AddPermission", fnParam("f"), nil, nil, []byte(body)) }
	r := add(`{"StatementId":"s3","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com","SourceArn":"arn:aws:s3:::orders"}`)
	if r.status != 201 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	var st map[string]any
	json.Unmarshal([]byte(r.json(t)["Statement"].(string)), &st)
	want := `{"Action":"lambda:InvokeFunction","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::orders"}},"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Sid":"s3"}`
	if got, _ := json.Marshal(st); string(got) != want {
		t.Fatalf("statement\n got %s\nwant %s", got, want)
	}
	wantErr(t, add(`{"StatementId":"s3","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com"}`), 409, codeConflict,
		"The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.")
	wantErr(t, add(`{"StatementId":"x y","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com"}`), 400, codeValidation,
		"at 'statementId' failed to satisfy constraint")
	add(`{"StatementId":"logs","Action":"lambda:InvokeFunction","Principal":"logs.amazonaws.com"}`)

	pol := e.call("GET", "GetPolicy", fnParam("f"), nil, nil, nil).json(t)
	var doc policyDocument
	if err := json.Unmarshal([]byte(pol["Policy"].(string)), &doc); err != nil || len(doc.Statement) != 2 || pol["RevisionId"] == "" {
		t.Fatalf("policy: %v %v", pol, err)
	}
	rec, _ := e.svc.loadFunction("f")
	for _, tc := range []struct {
		service, source string
		want            bool
	}{
		{"s3.amazonaws.com", "arn:aws:s3:::orders", true},
		{"s3.amazonaws.com", "arn:aws:s3:::other", false},
		{"logs.amazonaws.com", "arn:aws:logs:us-east-1:123456789012:log-group:/x:*", true},
		{"sns.amazonaws.com", "", false},
	} {
		if got := rec.allows("", tc.service, tc.source, testAccount); got != tc.want {
			t.Errorf("allows(%s, %s) = %v", tc.service, tc.source, got)
		}
	}
	rm := func(sid string) resp {
		return e.call("DELETE", "RemovePermission", map[string]string{"FunctionName": "f", "StatementId": sid}, nil, nil, nil)
	}
	wantErr(t, rm("nope"), 404, codeNotFound, "Statement nope is not found in resource policy.")
	if r := rm("s3"); r.status != 204 {
		t.Fatalf("remove: %d", r.status)
	}
	rm("logs")
	wantErr(t, e.call("GET", "GetPolicy", fnParam("f"), nil, nil, nil), 404, codeNotFound, "No policy is associated with the given resource.")
}

func TestVersionsAliasesConcurrency(t *testing.T) {
	e := newTestEnv(t)
	e.create("f", nil)
	v1 := e.call("POST", "PublishVersion", fnParam("f"), nil, nil, nil)
	if v1.status != 201 || v1.json(t)["Version"] != "1" {
		t.Fatalf("publish: %d %s", v1.status, v1.body)
	}
	// Publishing an unchanged $LATEST returns the same version.
	if again := e.call("POST", "PublishVersion", fnParam("f"), nil, nil, nil).json(t); again["Version"] != "1" {
		t.Fatalf("republish: %v", again)
	}
	a := e.call("POST", "CreateAlias", fnParam("f"), nil, nil, []byte(`{"Name":"live","FunctionVersion":"1"}`))
	if a.status != 201 || a.json(t)["AliasArn"] != "arn:aws:lambda:us-east-1:123456789012:function:f:live" {
		t.Fatalf("alias: %d %s", a.status, a.body)
	}
	wantErr(t, e.call("POST", "CreateAlias", fnParam("f"), nil, nil, []byte(`{"Name":"live","FunctionVersion":"1"}`)), 409, codeConflict, "Alias already exists")
	wantErr(t, e.call("POST", "CreateAlias", fnParam("f"), nil, nil, []byte(`{"Name":"x","FunctionVersion":"9"}`)), 404, codeNotFound, "function:f:9")
	wantErr(t, e.call("GET", "GetAlias", map[string]string{"FunctionName": "f", "Name": "nope"}, nil, nil, nil), 404, codeNotFound, "Alias not found")
	wantErr(t, e.call("DELETE", "DeleteFunction", fnParam("f"), url.Values{"Qualifier": {"1"}}, nil, nil), 409, codeConflict,
		"Unable to delete version because the following aliases reference it: [live]")

	// Invoke by alias runs version 1.
	r := e.call("POST", "Invoke", fnParam("f:live"), nil, nil, []byte(`{"a":1}`))
	if r.status != 200 || r.header.Get("X-Amz-Executed-Version") != "1" {
		t.Fatalf("invoke alias: %d %v", r.status, r.header)
	}
	if c := e.exec.calls[0]; c.fn.Version != "1" || c.inv.InvokedARN != "arn:aws:lambda:us-east-1:123456789012:function:f:live" || c.fn.ReservedConcurrency != -1 {
		t.Fatalf("proc call: %+v", c)
	}

	if r := e.call("PUT", "PutFunctionConcurrency", fnParam("f"), nil, nil, []byte(`{"ReservedConcurrentExecutions":5}`)); r.status != 200 {
		t.Fatalf("put concurrency: %d %s", r.status, r.body)
	}
	if g := e.call("GET", "GetFunctionConcurrency", fnParam("f"), nil, nil, nil).json(t); g["ReservedConcurrentExecutions"] != 5.0 {
		t.Fatalf("get concurrency: %v", g)
	}
	wantErr(t, e.call("PUT", "PutFunctionConcurrency", fnParam("f"), nil, nil, []byte(`{"ReservedConcurrentExecutions":950}`)), 400,
		codeInvalidParameter, "decreases account's UnreservedConcurrentExecution below its minimum value of [100]")
	e.call("POST", "Invoke", fnParam("f"), nil, nil, nil)
	if c := e.exec.calls[1]; c.fn.ReservedConcurrency != 5 {
		t.Fatalf("reserved not passed: %+v", c.fn)
	}
	if r := e.call("DELETE", "DeleteFunctionConcurrency", fnParam("f"), nil, nil, nil); r.status != 204 {
		t.Fatalf("delete concurrency: %d", r.status)
	}
	if g := e.call("GET", "GetFunctionConcurrency", fnParam("f"), nil, nil, nil); strings.TrimSpace(string(g.body)) != "{}" {
		t.Fatalf("get concurrency after delete: %s", g.body)
	}
	lv := e.call("GET", "ListVersionsByFunction", fnParam("f"), nil, nil, nil).json(t)
	if len(lv["Versions"].([]any)) != 2 {
		t.Fatalf("versions: %v", lv)
	}
	la := e.call("GET", "ListAliases", fnParam("f"), nil, nil, nil).json(t)
	if len(la["Aliases"].([]any)) != 1 {
		t.Fatalf("aliases: %v", la)
	}
	_ = http.StatusOK
}
