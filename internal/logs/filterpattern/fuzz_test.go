package filterpattern

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are patterns of every form, valid and not, for the fuzzers.
var fuzzSeeds = []string{
	``, ` `, `" "`, `""`, `ERROR`, `ERROR -ARGUMENTS`, `?ERROR ?WARN`, `?ERROR ?ARGUMENTS REQUEST`,
	`"INTERNAL SERVER ERROR"`, `"[ERROR]" Exception`, `"say \"hi\""`, `email@someemail.com`,
	`%AUTHORIZED%`, `%\d{1,3}\.\d{1,3}%`, `%^starting|^shutting down%`, `%something!%`, `%(x)%`, `%%`, `%[%`,
	`{ $.eventType = "UpdateTrail" }`, `{ $.sourceIPAddress != 123.123.* }`, `{ $.arrayKey[0] = "value" }`,
	`{ $.objectList[1].id = 2 }`, `{ $.SomeObject IS NULL }`, `{ $.SomeOtherObject NOT EXISTS }`,
	`{ $.ThisFlag IS TRUE }`, `{ $.arrayKey[*] = %val.{2}% }`, `{ $.* = %111\.111%  }`, `{ $.['cluster.name'] = "c" }`,
	`{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`,
	`{ $.user.email = "x" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`,
	`{ $.latency >= 500 }`, `{ $.numbers[0] < 10e-3 }`, `{ $.latency > +1000 }`, `{ $.a = * }`, `{ $.a IS NOT NULL }`,
	`{ $.a = 1`, `{}`, `{ $[0] = 1 }`, `{ $.a[*].b[*] = 1 }`,
	`[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`,
	`[..., request=*.html*, status_code=4*,]`, `[]`, `[...]`, `[..., x = hit, ...]`, `[a = 1 || a > 5 && a < 7]`,
	`[w1=ERROR, w2]`, `[ip=%127\.0\.0\.[1-9]%, user]`, `[a, b = "GET /x HTTP/1.1", c]`, `[a, a]`, `[a = 4* && b > 1]`, `[a`,
}

// fuzzEvents are events of every shape for the fuzzers.
var fuzzEvents = []string{
	"", "ERROR WARN message", docJSONEvent, docCompoundEvent, docDelimitedEvent, apacheEvents[0],
	`{"a": [1, {"b": "x\u00e9"}], "a": null}`, `{"a": 1`, `1 "two three" [4 5] 6`,
	"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 REJECT OK",
}

// FuzzCompile checks that Compile never panics, that its errors are
// well-formed *SyntaxErrors, and that compiled patterns never panic on any
// event and agree with themselves (Match vs MatchExtract, JSON validity).
func FuzzCompile(f *testing.F) {
	for i, p := range fuzzSeeds {
		f.Add(p, fuzzEvents[i%len(fuzzEvents)])
	}
	f.Fuzz(func(t *testing.T, pattern, message string) {
		p, err := Compile(pattern)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Msg == "" || se.Pos < 0 || se.Pos > len(pattern) {
				t.Fatalf("Compile(%q): malformed error %#v", pattern, err)
			}
			return
		}
		if p.String() != pattern {
			t.Fatalf("String() = %q, want %q", p.String(), pattern)
		}
		m := p.Match(message)
		if mb := p.MatchBytes([]byte(message)); mb != m {
			t.Fatalf("%q on %q: Match %v, MatchBytes %v", pattern, message, m, mb)
		}
		ok, extracted := p.MatchExtract(message)
		if m != ok || ok != (extracted != nil) {
			t.Fatalf("%q on %q: Match %v, MatchExtract %v %v", pattern, message, m, ok, extracted)
		}
		switch p.Kind() {
		case MatchAll:
			if !m {
				t.Fatalf("MatchAll pattern %q did not match %q", pattern, message)
			}
		case JSON:
			if m && !json.Valid([]byte(message)) {
				t.Fatalf("JSON pattern %q matched invalid JSON %q", pattern, message)
			}
		case SpaceDelimited:
			for k := range extracted {
				if !strings.HasPrefix(k, "$") {
					t.Fatalf("extracted key %q lacks $", k)
				}
			}
		}
	})
}

// FuzzJSONScan compares the JSON scanner with encoding/json: the same
// verdict on validity, and the same value for a selector.
func FuzzJSONScan(f *testing.F) {
	for _, e := range fuzzEvents {
		f.Add(e)
	}
	f.Add(`{"a": "q\"\\\/\b\f\n\r\t\u0041\ud83d\ude00\ud800x"}`)
	f.Add(`{"a": -0.5e-7, "a": 1E+2}`)
	f.Add(` { "b" : [ { } , [ ] , "" , 0 , true , false , null ] , "a" : { } } `)
	sel, err := ParseSelector("$.a")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, message string) {
		sc := &jsonScan{}
		object := strings.HasPrefix(strings.TrimLeft(message, " \t\r\n"), "{")
		if got, want := sc.scan(message), object && json.Valid([]byte(message)); got != want {
			t.Fatalf("scan(%q) = %v, encoding/json says %v", message, got, want)
		}
		got, ok := sel.Lookup(message)
		var doc map[string]any
		if !utf8.ValidString(message) || json.Unmarshal([]byte(message), &doc) != nil {
			if ok && !json.Valid([]byte(message)) {
				t.Fatalf("Lookup on invalid JSON %q = %q", message, got)
			}
			return
		}
		v, present := doc["a"]
		switch v := v.(type) {
		case string:
			if !ok || got != v {
				t.Fatalf("Lookup(%q) = %q, %v; encoding/json has %q", message, got, ok, v)
			}
		case bool:
			if !ok || got != strconv.FormatBool(v) {
				t.Fatalf("Lookup(%q) = %q, %v; encoding/json has %v", message, got, ok, v)
			}
		case float64:
			f, err := strconv.ParseFloat(got, 64)
			if !ok || err != nil || f != v {
				t.Fatalf("Lookup(%q) = %q, %v; encoding/json has %v", message, got, ok, v)
			}
		default: // nil (missing or null), object, array
			if ok {
				t.Fatalf("Lookup(%q) = %q (present %v, %T)", message, got, present, v)
			}
		}
	})
}
