package pii

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func redactString(t *testing.T, p *Policy, f Format, in string) (string, Report) {
	t.Helper()
	r, err := NewRedactor(p)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep, err := r.Redact(&out, strings.NewReader(in), f)
	if err != nil {
		t.Fatalf("Redact: %v", err)
	}
	if rep.BytesIn != int64(len(in)) || rep.BytesOut != int64(out.Len()) {
		t.Errorf("bytes in/out %d/%d, want %d/%d", rep.BytesIn, rep.BytesOut, len(in), out.Len())
	}
	return out.String(), rep
}

func scanString(t *testing.T, p *Policy, f Format, in string) []Finding {
	t.Helper()
	r, err := NewRedactor(p)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Scan(strings.NewReader(in), f, nil)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return rep.Findings
}

// sameShape: b has a's structure and keys; a scalar of a may differ in b only by becoming a redacted string.
func sameShape(a, b any, path string) error {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return fmt.Errorf("%s: object %v became %v", path, a, b)
		}
		for k, v := range av {
			if err := sameShape(v, bv[k], path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return fmt.Errorf("%s: array %v became %v", path, a, b)
		}
		for i := range av {
			if err := sameShape(av[i], bv[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	default:
		if !reflect.DeepEqual(a, b) {
			if s, ok := b.(string); !ok || !strings.ContainsAny(s, "[*") {
				return fmt.Errorf("%s: %v became %v", path, a, b)
			}
		}
	}
	return nil
}

func checkJSONShape(t *testing.T, in, out string) {
	t.Helper()
	var a, b any
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatalf("input: %v", err)
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if err := sameShape(a, b, "$"); err != nil {
		t.Error(err)
	}
}

func TestRedactJSONKeyPaths(t *testing.T) {
	cases := []struct {
		in   string
		want map[string]string // path → type
	}{
		{`{"customer":{"id":7,"name":"Jane Doe","email":"jane@example.com"}}`,
			map[string]string{"customer.name": TypeName, "customer.email": TypeEmail}},
		{`{"name":{"first":"Jane","last":"Doe"}}`, map[string]string{"name.first": TypeName, "name.last": TypeName}},
		{`{"shipping":{"address":"42 Wallaby Way, Sydney"}}`, map[string]string{"shipping.address": TypeAddress}},
		{`{"birthDate":"1980-01-02","dob":19800102}`, map[string]string{"birthDate": TypeDateTime, "dob": TypeDateTime}},
		{`{"cardNumber":4111111111111111,"cvv":"123"}`, map[string]string{"cardNumber": TypeCreditDebitNumber, "cvv": TypeCreditDebitCVV}},
		{`{"주문자":{"이름":"홍길동","연락처":"010-1234-5678"},"배송지":"서울특별시 강남구 테헤란로 152","주민번호":"800101-1234560"}`,
			map[string]string{"주문자.이름": TypeName, "주문자.연락처": TypePhone, "배송지": TypeAddress, "주민번호": TypeKRResidentNumber}},
		{`{"users":[{"login":{"username":"jdoe42","password":"hunter2!"}}]}`,
			map[string]string{"users[0].login.username": TypeUsername, "users[0].login.password": TypePassword}},
		{`{"emails":["a@example.com","b@example.com"]}`, map[string]string{"emails[0]": TypeEmail, "emails[1]": TypeEmail}},
		{`[{"ip":"10.1.2.3"}]`, map[string]string{"[0].ip": TypeIPAddress}},
		{`"jane@example.com"`, map[string]string{"": TypeEmail}},
		// Hard negatives: identifiers, timestamps, prices, product names stay.
		{`{"order_id":"ORD-2024-000123","ts":1700000000123,"price":129.99,"sku":"SKU-00042-XL","name":"Widget 7","uuid":"123e4567-e89b-12d3-a456-426614174000"}`,
			map[string]string{}},
	}
	for _, tc := range cases {
		got := map[string]string{}
		for _, f := range scanString(t, nil, FormatJSON, tc.in) {
			got[f.Path] = f.Type
			if raw := tc.in[f.Start:f.End]; raw != f.Text && `"`+raw+`"` != f.Text {
				t.Errorf("%s: finding %q at %d:%d is %q in the input", tc.in, f.Text, f.Start, f.End, raw)
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.in, got, tc.want)
		}
		out, rep := redactString(t, nil, FormatJSON, tc.in)
		if rep.Fallback || rep.Format != FormatJSON {
			t.Errorf("%s: report %+v", tc.in, rep)
		}
		checkJSONShape(t, tc.in, out)
	}
}

func TestRedactJSONOutput(t *testing.T) {
	in := "{\n  \"card\": 4111111111111111,\n  \"note\": \"mail \\u006aane@example.com \\\"now\\\"\\n\",\n  \"ok\": true\n}\n"
	out, _ := redactString(t, nil, FormatJSON, in)
	want := "{\n  \"card\": \"[CREDIT_DEBIT_NUMBER]\",\n  \"note\": \"mail [EMAIL] \\\"now\\\"\\n\",\n  \"ok\": true\n}\n"
	if out != want {
		t.Errorf("got %q\nwant %q", out, want)
	}
	fs := scanString(t, nil, FormatJSON, in)
	if len(fs) != 2 || fs[1].Text != "jane@example.com" || in[fs[1].Start:fs[1].End] != `\u006aane@example.com` ||
		fs[1].Line != 3 || fs[1].Path != "note" || fs[0].Line != 2 {
		t.Errorf("findings %+v", fs)
	}
}

func TestRedactModes(t *testing.T) {
	lookup := func(string) (string, bool) { return "secret-key", true }
	p, err := ParsePolicyEnv([]byte(`{"version":1,"types":{"CREDIT_DEBIT_NUMBER":{"mode":"mask","keep":4},
		"EMAIL":{"mode":"pseudonym"},"PASSWORD":{"mode":"remove"},"PHONE":{"mode":"remove"},"IP_ADDRESS":{"mode":"none"}}}`), lookup)
	if err != nil {
		t.Fatal(err)
	}
	pseudo := "EMAIL_" + Pseudonym([]byte("secret-key"), TypeEmail, "jane@example.com")
	cases := []struct{ in, want string }{
		{`{"card":"4111 1111 1111 1111","n":4111111111111111}`, `{"card":"**** **** **** 1111","n":"************1111"}`},
		{`{"email":"jane@example.com","contact":"Jane@Example.com"}`, `{"email":"` + pseudo + `","contact":"` + pseudo + `"}`},
		{`{"ip":"10.1.2.3"}`, `{"ip":"10.1.2.3"}`},
		// remove: the member and its comma, wherever it is.
		{`{"password":"hunter2!"}`, `{}`},
		{`{"password":"hunter2!","a":1}`, `{"a":1}`},
		{`{"a":1,"password":"hunter2!"}`, `{"a":1}`},
		{`{"a":1,"password":"hunter2!","b":2}`, `{"a":1,"b":2}`},
		{`{"password":"x1y2z3!","pwd":"hunter2!","a":{"b":1}}`, `{"a":{"b":1}}`},
		{`{"a":[1],"password":"x1y2z3!","pwd":"hunter2!"}`, `{"a":[1]}`},
		{`{ "password" : "x1y2z3!" , "a" : 1 }`, `{   "a" : 1 }`},
		{`{"phones":["010-1234-5678","keep me","02-312-4567"]}`, `{"phones":["keep me"]}`},
		{`{"phones":["010-1234-5678","02-312-4567"]}`, `{"phones":[]}`},
		// An entity inside a longer value is cut out of it.
		{`{"note":"call 010-1234-5678 today"}`, `{"note":"call  today"}`},
	}
	for _, tc := range cases {
		out, _ := redactString(t, p, FormatJSON, tc.in)
		if out != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.in, out, tc.want)
		}
		if !json.Valid([]byte(out)) {
			t.Errorf("%s: invalid output %s", tc.in, out)
		}
	}
	out, _ := redactString(t, p, FormatNDJSON, "{\"password\":\"x1y2z3!\"}\n{\"a\":1,\"pwd\":\"x1y2z3!\"}\n")
	if out != "{}\n{\"a\":1}\n" {
		t.Errorf("ndjson remove: %q", out)
	}
	out, _ = redactString(t, p, FormatCSV, "user,password,phone,email\njd,hunter2!,\"010-1234-5678\",jane@example.com\n")
	if out != "user,password,phone,email\njd,,\"\","+pseudo+"\n" {
		t.Errorf("csv remove: %q", out)
	}
	out, _ = redactString(t, p, FormatText, "password: hunter2! call 010-1234-5678.\n")
	if out != "password:  call .\n" {
		t.Errorf("text remove: %q", out)
	}
}

// TestRedactNothingSelected: a policy that ignores every type copies the input unchanged.
func TestRedactNothingSelected(t *testing.T) {
	p := DefaultPolicy()
	p.Default = Rule{Ignore: true}
	for _, f := range []Format{FormatJSON, FormatNDJSON, FormatText} {
		in := orderDocuments(20)
		if out, rep := redactString(t, p, f, in); out != in || len(rep.Counts) != 0 {
			t.Errorf("%v: changed the input: %+v", f, rep)
		}
	}
	in := customersCSV(20)
	if out, _ := redactString(t, p, FormatCSV, in); out != in {
		t.Error("csv changed")
	}
}

func TestRedactNDJSONOrders(t *testing.T) {
	in := orderDocuments(300)
	out, rep := redactString(t, nil, FormatNDJSON, in)
	if rep.Fallback {
		t.Fatalf("fallback: %s", rep.FallbackReason)
	}
	inLines, outLines := strings.Split(in, "\n"), strings.Split(out, "\n")
	if len(inLines) != len(outLines) {
		t.Fatalf("%d lines became %d", len(inLines), len(outLines))
	}
	for i := range inLines {
		if inLines[i] == "" {
			continue
		}
		checkJSONShape(t, inLines[i], outLines[i])
		for _, leak := range []string{"@example.com", "4111 1111", "5555555555554444", "010-", "(212) 555-", "Main St", "테헤란로"} {
			if strings.Contains(outLines[i], leak) {
				t.Fatalf("line %d leaks %q: %s", i+1, leak, outLines[i])
			}
		}
		if !strings.Contains(outLines[i], "ORD-2024-") || !strings.Contains(outLines[i], "SKU-") {
			t.Fatalf("line %d lost identifiers: %s", i+1, outLines[i])
		}
	}
	for _, typ := range []string{TypeName, TypeEmail, TypePhone, TypeAddress, TypeCreditDebitNumber, TypeIPAddress} {
		if rep.Counts[typ] != 300 {
			t.Errorf("%s: %d findings, want 300", typ, rep.Counts[typ])
		}
	}
	// The same orders as one indented JSON array.
	arr := ordersJSONArray(300)
	out, rep = redactString(t, nil, FormatJSON, arr)
	if rep.Fallback || rep.Counts[TypeEmail] != 300 {
		t.Errorf("array: %+v", rep)
	}
	checkJSONShape(t, arr, out)
}

func TestRedactCSV(t *testing.T) {
	in := customersCSV(200) + "C9,\"Doe, Jane\",Doe,\"multi\nline jane@example.com\",,,,,\"say \"\"hi\"\"\",\r\n"
	out, rep := redactString(t, nil, FormatCSV, in)
	if rep.Fallback {
		t.Fatal(rep.FallbackReason)
	}
	a, err := csv.NewReader(strings.NewReader(in)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	b, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	if len(a) != len(b) {
		t.Fatalf("%d rows became %d", len(a), len(b))
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			t.Fatalf("row %d: %d columns became %d", i, len(a[i]), len(b[i]))
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] && !strings.ContainsAny(b[i][j], "[*") {
				t.Errorf("row %d col %d: %q became %q", i, j, a[i][j], b[i][j])
			}
		}
	}
	if !reflect.DeepEqual(a[0], b[0]) || b[1][3] != "[EMAIL]" || b[1][6] != "[CREDIT_DEBIT_NUMBER]" || b[1][0] != a[1][0] {
		t.Errorf("rows %q", b[:2])
	}
	if last := b[len(b)-1]; last[3] != "multi\nline [EMAIL]" || last[8] != `say "hi"` || last[1] != "[NAME]" {
		t.Errorf("last row %q", last)
	}
	fs := scanString(t, nil, FormatCSV, "id,email\n1,jane@example.com\n")
	if len(fs) != 1 || fs[0].Path != "email" || fs[0].Line != 2 || fs[0].Start != 11 {
		t.Errorf("findings %+v", fs)
	}
	// No header: the first row is data.
	fs = scanString(t, nil, FormatCSV, "jane@example.com,1\njohn@example.com,2\n")
	if len(fs) != 2 || fs[0].Path != "column 1" {
		t.Errorf("headerless findings %+v", fs)
	}
	out, _ = redactString(t, nil, FormatTSV, "name\temail\tnote\nJane Doe\tjane@example.com\tsays \"hi, there\"\n")
	if out != "name\temail\tnote\n[NAME]\t[EMAIL]\tsays \"hi, there\"\n" {
		t.Errorf("tsv %q", out)
	}
}

func TestRedactText(t *testing.T) {
	in := supportText(500)
	out, rep := redactString(t, nil, FormatText, in)
	if strings.Count(out, "\n") != strings.Count(in, "\n") || strings.Contains(out, "support@example.com") ||
		rep.Counts[TypeEmail] != 500 || rep.Counts[TypePhone] != 500 {
		t.Errorf("report %+v", rep)
	}
	// One 10 MB line: windows cut at spaces must not split or miss an entity.
	var line strings.Builder
	n := 0
	for line.Len() < 10<<20 {
		fmt.Fprintf(&line, "user%d@example.com lorem ipsum dolor sit amet %d ", n, n)
		n++
	}
	long := line.String()
	out, rep = redactString(t, nil, FormatText, long)
	if rep.Counts[TypeEmail] != n || strings.Contains(out, "@example.com") || strings.Count(out, "[EMAIL]") != n {
		t.Errorf("long line: %d of %d emails", rep.Counts[TypeEmail], n)
	}
	fs := scanString(t, nil, FormatNDJSON, "{\"a\":\"jane@example.com\"}\n{\"a\":\"x\",\"b\":\"jane@example.com\" oops\n")
	if len(fs) != 2 || fs[1].Line != 2 || fs[1].Path != "b" || fs[0].Line != 1 {
		t.Errorf("fallback findings %+v", fs)
	}
	fs = scanString(t, nil, FormatJSON, "{\"a\": 1,\n\"jane@example.com\"\n x")
	if len(fs) != 1 || fs[0].Line != 2 {
		t.Errorf("finding before the error: %+v", fs)
	}
	fs = scanString(t, nil, FormatText, "a\nb jane@example.com\n")
	if len(fs) != 1 || fs[0].Start != 4 || fs[0].Line != 2 || fs[0].Path != "" {
		t.Errorf("findings %+v", fs)
	}
}

func TestRedactBadInput(t *testing.T) {
	r, _ := NewRedactor(nil)
	var out bytes.Buffer
	if _, err := r.Redact(&out, strings.NewReader("PK\x03\x04\x00\x00binary jane@example.com"), FormatAuto); !errors.Is(err, ErrBinary) ||
		out.Len() != 0 {
		t.Errorf("binary: %v, wrote %d", err, out.Len())
	}
	cases := []struct {
		f            Format
		in, want     string
		fallbackLine string
	}{
		{FormatJSON, `{"a":"jane@example.com","b":[1,2`, `{"a":"[EMAIL]","b":[1,2`, "line 1: truncated JSON"},
		{FormatJSON, `{"a":"jane@example.com"} x john@example.com`, `{"a":"[EMAIL]"} x [EMAIL]`, "line 1: unexpected 'x'"},
		{FormatJSON, `{"a":"jane@example.com`, `{"a":"[EMAIL]`, "truncated JSON"},
		{FormatJSON, "{\"a\":\"caf\xe9 jane@example.com\"}", "{\"a\":\"caf\xe9 [EMAIL]\"}", ""},
		{FormatNDJSON, "{\"a\":\"jane@example.com\"}\nnot json, mail john@example.com\n{\"b\":\"x@example.com\"}\n",
			"{\"a\":\"[EMAIL]\"}\nnot json, mail [EMAIL]\n{\"b\":\"[EMAIL]\"}\n", "line 2: invalid literal"},
		{FormatNDJSON, "{\"a\":\"jane@example.com\",\n\"b\":1}\n{\"c\":2}\n", "{\"a\":\"[EMAIL]\",\n\"b\":1}\n{\"c\":2}\n",
			"line 1: line ends inside a JSON value"},
		{FormatCSV, "a,b\n\"x\"y,jane@example.com\n", "a,b\n\"x\"y,[EMAIL]\n", "line 2: extraneous character"},
		{FormatCSV, "a,b\nx,\"jane@example.com", "a,b\nx,\"[EMAIL]", "unterminated quoted field"},
		{FormatText, "caf\xe9 jane@example.com \xff\xfe", "caf\xe9 [EMAIL] \xff\xfe", ""},
	}
	for _, tc := range cases {
		out, rep := redactString(t, nil, tc.f, tc.in)
		if out != tc.want || rep.Fallback != (tc.fallbackLine != "") || !strings.Contains(rep.FallbackReason, tc.fallbackLine) {
			t.Errorf("%v %q:\n got %q %+v\nwant %q (%s)", tc.f, tc.in, out, rep, tc.want, tc.fallbackLine)
		}
	}
	// A 9 MiB JSON string is over MaxToken: the rest is redacted as text, with bounded memory.
	big := `{"a":"jane@example.com","b":"` + strings.Repeat("x", 9<<20) + ` john@example.com"}`
	outs, rep := redactString(t, nil, FormatJSON, big)
	if !rep.Fallback || strings.Contains(outs, "@example.com") || len(outs) != len(big)-2*len("jane@example.com")+2*len("[EMAIL]") {
		t.Errorf("big token: %+v, %d bytes", rep, len(outs))
	}
	// A 5 MiB JSON string is within MaxToken: still JSON.
	big = `{"a":"jane@example.com","b":"` + strings.Repeat("y", 5<<20) + ` john@example.com"}`
	outs, rep = redactString(t, nil, FormatJSON, big)
	if rep.Fallback || rep.Counts[TypeEmail] != 2 || !json.Valid([]byte(outs)) {
		t.Errorf("5 MiB token: %+v", rep)
	}
}

func FuzzRedactJSON(f *testing.F) {
	for _, s := range []string{orderDocuments(2), `{"a":[1,{"b":"jane@example.com"}],"password":"x1y2z3!"}`, `[`, `{"a":"\u00`,
		"{\"a\":\"\xff\"}", `{"x":-1.5e3,"y":[true,false,null]}`, `"4111111111111111"`, "{}\n[]\n"} {
		f.Add(s)
	}
	p := DefaultPolicy()
	p.Types = map[string]Rule{TypePassword: {Mode: RedactRemove}, TypeEmail: {Mode: RedactMask, Keep: 2, Mask: '*'}}
	r, err := NewRedactor(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, format := range []Format{FormatJSON, FormatNDJSON, FormatCSV, FormatText} {
			var out bytes.Buffer
			rep, err := r.Redact(&out, strings.NewReader(in), format)
			if errors.Is(err, ErrBinary) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if format == FormatJSON && !rep.Fallback && json.Valid([]byte(in)) && !json.Valid(out.Bytes()) {
				t.Fatalf("valid JSON in, invalid out: %q → %q", in, out.String())
			}
		}
	})
}
