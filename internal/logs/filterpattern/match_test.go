package filterpattern

import (
	"strings"
	"testing"
)

// matchCase is a pattern and events it must and must not match, beyond the
// documented examples: the edges the documentation implies.
type matchCase struct {
	name    string
	pattern string
	match   []string
	noMatch []string
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile(c.pattern)
			if err != nil {
				t.Fatalf("Compile(%q): %v", c.pattern, err)
			}
			for _, e := range c.match {
				if !p.Match(e) {
					t.Errorf("%q should match %q", c.pattern, e)
				}
			}
			for _, e := range c.noMatch {
				if p.Match(e) {
					t.Errorf("%q should not match %q", c.pattern, e)
				}
			}
		})
	}
}

func TestKinds(t *testing.T) {
	for pattern, want := range map[string]Kind{
		"":               MatchAll,
		"  \t ":          MatchAll,
		`" "`:            MatchAll,
		`" " "  "`:       MatchAll,
		"ERROR":          Terms,
		` -DEBUG`:        Terms,
		"{ $.a = 1 }":    JSON,
		"  {$.a=1}  ":    JSON,
		"[a, b]":         SpaceDelimited,
		"[]":             SpaceDelimited,
		"%ab+c%":         Regex,
		" %ab+c% ":       Regex,
		`"%not regex%"`:  Terms,
		`?"%" ?"{json}"`: Terms,
	} {
		p, err := Compile(pattern)
		if err != nil {
			t.Errorf("Compile(%q): %v", pattern, err)
			continue
		}
		if p.Kind() != want {
			t.Errorf("Compile(%q).Kind() = %v, want %v", pattern, p.Kind(), want)
		}
		if p.String() != pattern {
			t.Errorf("String() = %q, want %q", p.String(), pattern)
		}
	}
}

func TestTermsEdges(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"empty pattern matches all", ``, []string{"", "anything", "{}"}, nil},
		{"case-sensitive", `ERROR`, []string{"ERROR"}, []string{"error", "Error"}},
		{"substring inside a word", `Exception`, []string{"IllegalArgumentException"}, []string{"Except"}},
		{"phrase is a substring", `"ERROR 4"`, []string{"[ERROR 419]"}, []string{"[ERROR  419]"}},
		{"quoted non-alphanumerics", `"req-123" "a@b.c"`, []string{"id=req-123 from a@b.c"}, []string{"id=req-124 from a@b.c"}},
		{"escaped quote in phrase", `"say \"hi\""`, []string{`they say "hi" loud`}, []string{`they say hi`}},
		{"dot and dash inside words", `v1.2-rc`, []string{"release v1.2-rc ok"}, []string{"release v1.2"}},
		{"exclusion only", `-DEBUG`, []string{"INFO x", ""}, []string{"DEBUG x"}},
		{"two exclusions", `-DEBUG -TRACE`, []string{"INFO"}, []string{"a TRACE", "a DEBUG"}},
		{"excluded phrase", `ERROR -"user error"`, []string{"ERROR disk"}, []string{"ERROR user error"}},
		{"?terms ignored beside an exclusion", `?ERROR ?WARN -DEBUG`, []string{"INFO only"}, []string{"DEBUG ERROR"}},
		{"blank phrase beside a term", `ERROR " "`, []string{"ERROR"}, []string{"WARN"}},
		{"unicode in a quoted phrase", `"héllo wörld"`, []string{"say héllo wörld!"}, []string{"say hello world"}},
		{"tabs separate terms", "ERROR\tdisk", []string{"disk ERROR"}, []string{"ERROR"}},
		{"underscore and digits", `err_42`, []string{"code err_42"}, []string{"code err-42"}},
	})
}

func TestRegexEdges(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"case-sensitive", `%error%`, []string{"an error"}, []string{"ERROR"}},
		{"multi-byte events", `%h.llo%`, []string{"héllo"}, []string{"hllo"}},
		{"anchors bind to the message", `%^a$%`, []string{"a"}, []string{"a\nb", "ba"}},
		{"symbols AWS allows", `%key=v_1/x;y,z-w:#@%`, []string{"key=v_1/x;y,z-w:#@"}, []string{"key=v_1/x;y,z-w:#"}},
	})
}

// TestRegexLiteralFastPath checks that regexes of literals joined by |,
// which match by substring search, agree with Go's regexp.
func TestRegexLiteralFastPath(t *testing.T) {
	events := []string{"", "REJECT", "a NODATA b", "REJECTED", "reject", "ACCEPT OK", "x.y", "xzy", "a|b"}
	for _, body := range []string{`REJECT|NODATA`, `AUTHORIZED`, `x\.y`, `[a]`, `REJECT|`, `a\|b`, `^REJECT|NODATA$`, `REJ[A-Z]+`} {
		r, err := compileRegexBody(body, 1)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		for _, e := range events {
			if got, want := r.match(e), r.re.MatchString(e); got != want {
				t.Errorf("%%%s%% on %q: fast path %v, regexp %v", body, e, got, want)
			}
		}
	}
	if r, _ := compileRegexBody(`REJECT|NODATA`, 1); r.literals == nil {
		t.Error("an alternation of literals did not take the fast path")
	}
}

func TestJSONEdges(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"invalid JSON never matches", `{ $.a NOT EXISTS }`,
			[]string{`{}`, ` {"b": 1} `, "{\n\"b\":1}\n"},
			[]string{``, `not json`, `{"b": 1`, `{"b": 1} trailing`, `{"b": 1}{}`, `[1, 2]`, `"str"`, `{"b": tru}`,
				`{"b": 01}`, `{"b": 1.}`, `{"b": "\x"}`, "{\"b\": \"tab\there\"}", `{"b" 1}`, `{"b": 1,}`, `{b: 1}`, `{"b": [1,]}`}},
		{"invalid JSON after the selected value", `{ $.a = 1 }`, []string{`{"a": 1, "b": [true]}`}, []string{`{"a": 1, "b": [true}`, `{"a": 1, "b": ]}`}},
		{"selector on an object never matches", `{ $.a = * }`, []string{`{"a": 1}`, `{"a": "x"}`, `{"a": true}`}, []string{`{"a": {"b": 1}}`, `{"a": [1]}`, `{"a": null}`}},
		{"!= on an object never matches", `{ $.a != "x" }`, []string{`{"a": "y"}`, `{"a": 1}`}, []string{`{"a": {}}`, `{"a": []}`, `{"a": "x"}`, `{}`, `{"a": null}`}},
		{"IS NULL on other kinds", `{ $.a IS NULL }`, []string{`{"a": null}`}, []string{`{"a": "null"}`, `{"a": {}}`, `{}`, `{"a": 0}`}},
		{"IS TRUE is the boolean", `{ $.a IS TRUE }`, []string{`{"a": true}`}, []string{`{"a": "true"}`, `{"a": 1}`, `{"a": false}`}},
		{"keywords are case-insensitive", `{ $.a is null || $.b not exists }`, []string{`{"a": null, "b": 1}`, `{"a": 1}`}, []string{`{"a": 1, "b": 2}`}},
		{"NOT EXISTS through a scalar", `{ $.a.b NOT EXISTS }`, []string{`{"a": 1}`, `{"a": [{"b": 1}]}`, `{"a": {"c": 1}}`}, []string{`{"a": {"b": null}}`, `{"a": {"b": {}}}`}},
		{"relational needs a JSON number", `{ $.a > 5 }`, []string{`{"a": 6}`, `{"a": 5.5}`, `{"a": 1e1}`}, []string{`{"a": "10"}`, `{"a": true}`, `{"a": "abc"}`, `{"a": 5}`}},
		{"= number against a string compares text", `{ $.status = 200 }`, []string{`{"status": 200}`, `{"status": "200"}`, `{"status": 2e2}`}, []string{`{"status": "200.0"}`, `{"status": 201}`}},
		{"quoted number is text", `{ $.status = "200" }`, []string{`{"status": "200"}`, `{"status": 200}`}, []string{`{"status": 200.0}`}},
		{"negative and exponent", `{ $.t < -1.5E+2 }`, []string{`{"t": -151}`, `{"t": -1e3}`}, []string{`{"t": -150}`, `{"t": 0}`}},
		{"wildcard on a number", `{ $.code = 4* }`, []string{`{"code": 404}`, `{"code": "4xx"}`}, []string{`{"code": 500}`}},
		{"suffix wildcard", `{ $.e = "*Event" }`, []string{`{"e": "PutEvent"}`, `{"e": "Event"}`}, []string{`{"e": "EventX"}`, `{"e": "PutEvents"}`}},
		{"prefix wildcard", `{ $.e = Event* }`, []string{`{"e": "EventId"}`}, []string{`{"e": "MyEventId"}`}},
		{"contains wildcard", `{ $.e = "*ven*" }`, []string{`{"e": "Event"}`}, []string{`{"e": "Evan"}`}},
		{"!= wildcard", `{ $.e != "Get*" }`, []string{`{"e": "PutX"}`}, []string{`{"e": "GetX"}`, `{}`}},
		{"empty string", `{ $.e = "" }`, []string{`{"e": ""}`}, []string{`{"e": " "}`, `{}`}},
		{"escaped string value", `{ $.msg = "say \"hi\"" }`, []string{`{"msg": "say \"hi\""}`, `{"msg": "say \u0022hi\u0022"}`}, []string{`{"msg": "say hi"}`}},
		{"unicode escapes decode", `{ $.name = "café 😀" }`, []string{`{"name": "caf\u00e9 \ud83d\ude00"}`, `{"name": "café 😀"}`}, []string{`{"name": "cafe"}`}},
		{"escaped key", `{ $.['a b'] = 1 && $.c = 2 }`, []string{`{"a b": 1, "\u0063": 2}`}, []string{`{"a b": 2, "c": 2}`}},
		{"dotted key by brackets", `{ $['k.v'] = x }`, []string{`{"k.v": "x"}`}, []string{`{"k": {"v": "x"}}`}},
		{"nested path", `{ $.a.b.c = 1 }`, []string{`{"a": {"b": {"c": 1}}}`, `{"x": [1, {"y": 2}], "a": {"z": null, "b": {"c": 1.0}}}`}, []string{`{"a": {"b": [{"c": 1}]}}`, `{"a.b.c": 1}`}},
		{"index past the end", `{ $.a[3] = 1 }`, []string{`{"a": [0, 0, 0, 1]}`}, []string{`{"a": [1, 1, 1]}`, `{"a": {"3": 1}}`}},
		{"index into a string", `{ $.a[0] = x }`, nil, []string{`{"a": "x"}`}},
		{"duplicate keys: the last wins", `{ $.a = 2 }`, []string{`{"a": 1, "a": 2}`}, []string{`{"a": 2, "a": 1}`}},
		{"wildcard index: any element", `{ $.a[*].id = 3 }`, []string{`{"a": [{"id": 1}, {"id": 3}]}`}, []string{`{"a": [{"id": 1}]}`, `{"a": {"x": {"id": 3}}}`}},
		{"wildcard field: any property", `{ $.o.* = "hit" }`, []string{`{"o": {"x": 1, "y": "hit"}}`}, []string{`{"o": ["hit"]}`, `{"o": {"x": {"y": "hit"}}}`}},
		{"wildcard != holds for some element", `{ $.a[*] != 1 }`, []string{`{"a": [1, 2]}`}, []string{`{"a": [1, 1]}`, `{"a": []}`}},
		{"wildcard NOT EXISTS", `{ $.a[*] NOT EXISTS }`, []string{`{"a": []}`, `{}`, `{"a": {}}`}, []string{`{"a": [null]}`}},
		{"precedence: && over ||", `{ $.a = 1 || $.b = 1 && $.c = 1 }`, []string{`{"a": 1}`, `{"b": 1, "c": 1}`}, []string{`{"b": 1}`}},
		{"parentheses override", `{ ($.a = 1 || $.b = 1) && $.c = 1 }`, []string{`{"a": 1, "c": 1}`}, []string{`{"a": 1}`}},
		{"nested parentheses", `{ ((($.a = 1))) }`, []string{`{"a": 1}`}, []string{`{"a": 2}`}},
		{"the same selector twice", `{ $.a > 1 && $.a < 3 }`, []string{`{"a": 2}`}, []string{`{"a": 3}`, `{"a": 1}`}},
		{"regex !=", `{ $.m != %^GET% }`, []string{`{"m": "PUT /"}`}, []string{`{"m": "GET /"}`, `{}`}},
		{"regex on a number", `{ $.n = %^4[0-9]{2}$% }`, []string{`{"n": 404}`}, []string{`{"n": 4040}`}},
		{"booleans compare as text", `{ $.f = true }`, []string{`{"f": true}`, `{"f": "true"}`}, []string{`{"f": false}`}},
		{"selector names with - and _", `{ $.x-y_z = 1 }`, []string{`{"x-y_z": 1}`}, []string{`{"x": 1}`}},
		{"deep nesting is skipped, not decoded", `{ $.z = 1 }`,
			[]string{`{"a": ` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `, "z": 1}`},
			[]string{`{"a": ` + strings.Repeat("[", 500) + strings.Repeat("]", 499) + `, "z": 1}`}},
		{"beyond encoding/json's depth limit is invalid", `{ $.z NOT EXISTS }`,
			[]string{`{"a": ` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`},
			[]string{`{"a": ` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`}},
	})
}

func TestSpaceDelimitedEdges(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"numeric field compare", `[a > 5]`, []string{"6", "5.5", "1e1", "+7"}, []string{"5", "abc", "0x10", "Inf", "NaN"}},
		{"= number compares numerically when the field is numeric", `[a = 200]`, []string{"200", "200.0", "2e2"}, []string{"201", "200x"}},
		{"= number is text otherwise", `[a = 200, b]`, []string{"200 x"}, []string{"0200x x"}},
		{"!= number on text", `[a != 5]`, []string{"x", "6"}, []string{"5", "5.0"}},
		{"quoted value with blanks", `[a, b = "GET /x HTTP/1.1", c]`, []string{`1 "GET /x HTTP/1.1" 3`}, []string{`1 GET /x HTTP/1.1 3`}},
		{"bracketed field", `[t = "10/Oct/2000:13:25:15 -0700", m]`, []string{`[10/Oct/2000:13:25:15 -0700] msg`}, []string{`10/Oct/2000:13:25:15 -0700 msg`}},
		{"a quote not followed by a blank does not close", `[a, b = "x\"y z", c]`, []string{`1 "x"y z" 3`}, []string{`1 "x"y z" 3 4`}},
		{"unclosed quote is an ordinary field", `[a, b = "\"two", c]`, []string{`1 "two 3`}, []string{`1 "two three 3`}},
		{"runs of blanks separate once", `[a, b]`, []string{"x   y", "  x\ty  ", "x y\n"}, []string{"x y z", "x"}},
		{"empty event has no fields", `[a]`, []string{"x"}, []string{"", "   "}},
		{"[] matches every event", `[]`, []string{"", "a", "a b c"}, nil},
		{"[...] matches every event", `[...]`, []string{"", "a b"}, nil},
		{"ellipsis in the middle", `[a = 1, ..., z = 9]`, []string{"1 9", "1 2 3 9"}, []string{"1 2 3", "2 9", "1"}},
		{"two ellipses", `[..., x = hit, ...]`, []string{"hit", "a hit b", "a b hit"}, []string{"a b c"}},
		{"ellipses around several fields", `[..., a = 1, b = 2, ...]`, []string{"1 2", "0 1 2 3", "1 1 2", "1 1 1 2 2"}, []string{"1 3 2", "2 1"}},
		{"repeated ellipsis is one", `[..., ..., a = 1]`, []string{"1", "0 1"}, []string{"1 0"}},
		{"unnamed fields", `[, b = x, ]`, []string{"1 x 3"}, []string{"1 x", "1 y 3"}},
		{"regex field", `[ip = %^10\.%, rest]`, []string{"10.0.0.1 x"}, []string{"110.0.0.1 x"}},
		{"regex != field", `[m != %^GET%, rest]`, []string{"PUT x"}, []string{"GET x"}},
		{"or of three", `[a = 1 || a = 2 || a = 3]`, []string{"1", "3"}, []string{"4"}},
		{"and binds tighter", `[a = 1 || a > 5 && a < 7]`, []string{"1", "6"}, []string{"8", "5"}},
		{"case-sensitive values", `[a = ERROR]`, []string{"ERROR"}, []string{"error"}},
		{"wildcard only", `[a = *, b]`, []string{"x y"}, []string{"x"}},
		{"unicode fields", `[a = "héllo", b]`, []string{"héllo wörld"}, []string{"hello world"}},
	})
}

// TestSpaceDelimitedCountsEveryField pins down the rule the documentation
// states inconsistently: [w1=ERROR, w2] describes two-field events. The
// 2020 page shows it matching "ERROR message" but not "ERROR WARN message";
// the current page applies it to six-field lines. Tributary follows the
// former (spec §3.4); "..." absorbs the rest.
func TestSpaceDelimitedCountsEveryField(t *testing.T) {
	p := MustCompile(`[w1=ERROR, w2]`)
	if p.Match("ERROR WARN message") {
		t.Error("[w1=ERROR, w2] matched a three-field event")
	}
	if !MustCompile(`[w1=ERROR, ...]`).Match("ERROR WARN message") {
		t.Error("[w1=ERROR, ...] did not match a three-field event")
	}
}

func TestSelectorLookup(t *testing.T) {
	tests := []struct {
		selector, event, want string
		ok                    bool
	}{
		{"$.latency", `{"latency": 50}`, "50", true},
		{"$.latency", `{"latency": 5.0e1}`, "5.0e1", true},
		{"$.a.b", `{"a": {"b": "x\ny"}}`, "x\ny", true},
		{"$.a[1]", `{"a": [true, false]}`, "false", true},
		{"$.a", `{"a": null}`, "", false},
		{"$.a", `{"a": {}}`, "", false},
		{"$.a", `{"b": 1}`, "", false},
		{"$.a", `{"a": 1`, "", false},
		{"$.a", `{"a": 1, "a": 2}`, "2", true},
		{"$.a[*]", `{"a": [7, 8]}`, "7", true},
		{"$['x.y']", `{"x.y": "v"}`, "v", true},
	}
	for _, tt := range tests {
		s, err := ParseSelector(tt.selector)
		if err != nil {
			t.Fatalf("ParseSelector(%q): %v", tt.selector, err)
		}
		if s.String() != tt.selector {
			t.Errorf("String() = %q", s.String())
		}
		got, ok := s.Lookup(tt.event)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s on %s = %q, %v; want %q, %v", tt.selector, tt.event, got, ok, tt.want, tt.ok)
		}
	}
	for _, bad := range []string{"", "$", "latency", "$.", "$[0]", "$.a[x]", "$.a[*].b[*]", "$.a..b", "$.a b"} {
		if _, err := ParseSelector(bad); err == nil {
			t.Errorf("ParseSelector(%q) succeeded", bad)
		}
	}
}

func TestConcurrentMatch(t *testing.T) {
	// Compiled patterns are shared by concurrent requests; the JSON matcher
	// reuses scratch state, which must not leak between goroutines.
	p := MustCompile(`{ $.a[*] = %^x% && $.b = 1 }`)
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func(g int) {
			ok := true
			for i := 0; i < 2000; i++ {
				want := (i+g)%2 == 0
				ev := `{"a": ["y", "x1"], "b": 1}`
				if !want {
					ev = `{"a": ["y", "z1"], "b": 1}`
				}
				if p.Match(ev) != want {
					ok = false
				}
			}
			done <- ok
		}(g)
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Error("concurrent Match gave a wrong answer")
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	cases := map[string]string{
		`ERROR -DEBUG`: "x ERROR y",
		`%REJ[A-Z]+%`:  "a REJECT b",
		`{ $.level = "ERROR" && $.latency > 100 && $.tags[*] = %^a% }`: `{"level":"ERROR","latency":250,"tags":["b","ab"],"x":{"y":[1,2,{"z":"\u00e9"}]}}`,
		`[a, b = "22", ..., c = REJECT, d]`:                            "1 22 x y z REJECT OK",
		`[a, b = "22", c, d]`:                                          "1 22 x y",
	}
	for pattern, event := range cases {
		p := MustCompile(pattern)
		if !p.Match(event) {
			t.Fatalf("%q does not match %q", pattern, event)
		}
		if n := testing.AllocsPerRun(100, func() { p.Match(event) }); n != 0 {
			t.Errorf("Match(%q) allocates %v times per event", pattern, n)
		}
		b := []byte(event)
		if n := testing.AllocsPerRun(100, func() { p.MatchBytes(b) }); n != 0 {
			t.Errorf("MatchBytes(%q) allocates %v times per event", pattern, n)
		}
	}
}

func TestUsesRegex(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{"", false},
		{"ERROR", false},
		{`"a b" ?c -d`, false},
		{`%ERR[0-9]+%`, true},
		{`{ $.level = "ERROR" }`, false},
		{`{ $.level = %ERR% }`, true},
		{`{ $.a = 1 && $.b = %x+% }`, true},
		{`[ip, user, status=404]`, false},
		{`[ip, user=%adm.*%, ...]`, true},
	}
	for _, tt := range tests {
		if got := MustCompile(tt.pattern).UsesRegex(); got != tt.want {
			t.Errorf("UsesRegex(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}
