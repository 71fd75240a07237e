package filterpattern

import (
	"maps"
	"testing"
)

// docCase is one example from AWS's documentation: a pattern, the events it
// is shown against, and which of them match.
type docCase struct {
	source  string   // where the example comes from
	pattern string   // the filter pattern
	kind    Kind     // the form Compile must choose
	match   []string // events the pattern matches
	noMatch []string // events it does not
}

func runDocCases(t *testing.T, cases []docCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			p, err := Compile(c.pattern)
			if err != nil {
				t.Fatalf("%s: Compile(%q): %v", c.source, c.pattern, err)
			}
			if p.Kind() != c.kind {
				t.Errorf("%s: Kind() = %v, want %v", c.source, p.Kind(), c.kind)
			}
			for _, e := range c.match {
				if !p.Match(e) {
					t.Errorf("%s: %q should match %q", c.source, c.pattern, e)
				}
				if ok, _ := p.MatchExtract(e); !ok {
					t.Errorf("%s: MatchExtract: %q should match %q", c.source, c.pattern, e)
				}
			}
			for _, e := range c.noMatch {
				if p.Match(e) {
					t.Errorf("%s: %q should not match %q", c.source, c.pattern, e)
				}
				if ok, x := p.MatchExtract(e); ok || x != nil {
					t.Errorf("%s: MatchExtract: %q should not match %q (got %v)", c.source, c.pattern, e, x)
				}
			}
		})
	}
}

// Events of CWL-UG FilterAndPatternSyntax, "unstructured log events".
var (
	err400 = "[ERROR 400] BAD REQUEST"
	err401 = "[ERROR 401] UNAUTHORIZED REQUEST"
	err419 = "[ERROR 419] MISSING ARGUMENTS"
	err420 = "[ERROR 420] INVALID ARGUMENTS"
	err500 = "[ERROR 500] INTERNAL SERVER ERROR"
)

func TestDocsUnstructuredTerms(t *testing.T) {
	const ug = "CWL-UG FilterAndPatternSyntax (current)"
	const ug2018 = "CWL-UG FilterAndPatternSyntax (2018-2020)"
	runDocCases(t, []docCase{
		{ug, `ERROR`, Terms, []string{err400, err401, err419, err420}, []string{"[INFO] all good", "error lowercase"}},
		{ug, `ERROR ARGUMENTS`, Terms, []string{err419, err420}, []string{err400, err401}},
		{ug, `?ERROR ?ARGUMENTS`, Terms, []string{err400, err401, err419, err420, "[INFO] INVALID ARGUMENTS PROVIDED"}, []string{"[INFO] nothing"}},
		{ug + ": ?terms are ignored beside other terms", `?ERROR ?ARGUMENTS REQUEST`, Terms,
			[]string{"[INFO] REQUEST FAILED", "[WARN] UNAUTHORIZED REQUEST", "[ERROR] 400 BAD REQUEST"},
			[]string{err419, err420}},
		{ug, `"INTERNAL SERVER ERROR"`, Terms, []string{err500}, []string{"[ERROR 500] INTERNAL ERROR SERVER"}},
		{ug, `ERROR -ARGUMENTS`, Terms, []string{err400, err401}, []string{err419, err420}},
		{ug + ": match everything", `" "`, MatchAll, []string{err400, "x", ""}, nil},
		{ug2018, `"ERROR"`, Terms, []string{"[ERROR] A fatal exception has occurred", "Exiting with ERRORCODE: -1"}, nil},
		{ug2018, `"ERROR" -"Exiting"`, Terms, []string{"[ERROR] A fatal exception has occurred"}, []string{"Exiting with ERRORCODE: -1"}},
		{ug2018, `"ERROR" "Exception"`, Terms, []string{"[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception"}, nil},
		{ug2018, `ERROR Exception`, Terms, []string{"[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception"}, []string{"[ERROR] Unhandled"}},
		{ug2018, `Failed to process the request`, Terms,
			[]string{"[WARN] Failed to process the request", "[ERROR] Unable to continue: Failed to process the request"},
			[]string{"[WARN] Failed to process"}},
		{ug2018 + ": OR", `ERROR`, Terms, []string{"ERROR WARN message", "ERROR message"}, []string{"WARN message"}},
		{ug2018 + ": OR", `?ERROR ?WARN`, Terms, []string{"ERROR WARN message", "ERROR message", "WARN message"}, []string{"INFO message"}},
		{ug2018 + ": OR", `ERROR WARN`, Terms, []string{"ERROR WARN message"}, []string{"ERROR message", "WARN message"}},
		{ug2018 + ": OR", `ERROR -WARN`, Terms, []string{"ERROR message"}, []string{"ERROR WARN message", "WARN message"}},
		{"CWL-API TestMetricFilter example", `"[ERROR]"`, Terms,
			[]string{"02 May 2014 00:34:16,142 [ERROR] Unhanded exception: InvalidQueryException", "02 May 2014 00:34:16,224 [ERROR] Terminating the application"},
			[]string{"02 May 2014 00:34:12,525 [INFO] Starting the application", "02 May 2014 00:35:14,245 [DEBUG] Database connection established", "02 May 2014 00:34:14,663 [INFO] Executing SQL Query"}},
		{"CWL-API TestMetricFilter example", `"[ERROR]" Exception`, Terms,
			[]string{"02 May 2014 00:34:16,142 [ERROR] Unhanded exception: InvalidQueryException"},
			[]string{"02 May 2014 00:34:16,224 [ERROR] Terminating the application", "02 May 2014 00:34:12,525 [INFO] Starting the application"}},
		{"CWL-API StartLiveTail: error 404", `error 404`, Terms, []string{"GET /x error 404"}, []string{"GET /x error 500", "ERROR 404"}},
		{"observed (blog, tested on AWS)", `"ERROR][grpc"`, Terms, []string{"2025-03-28 [ERROR][grpc] failed"}, []string{"[ERROR] [grpc]"}},
		{"observed (blog, tested on AWS)", `?"clean up" ?xyz`, Terms, []string{"map clean up", "xyz", "xyz will do clean up"}, []string{"abc xy yz xz", "map is cleaned up"}},
		{"observed (blog, tested on AWS)", `ERROR`, Terms, []string{"ERRORNEOUS PROGRAM"}, []string{"error=cannot process ticket", "NotFoundError", "ErRoR"}},
	})
}

func TestDocsRegex(t *testing.T) {
	const ug = "CWL-UG regex-expressions"
	runDocCases(t, []docCase{
		{ug, `%AUTHORIZED%`, Regex, []string{"[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST"}, []string{"[SUCCESS 200] OK"}},
		{ug, `%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`, Regex, []string{"from 10.0.0.1 port 22"}, []string{"from host-a"}},
		{ug, `%[Ee]rror|[Ff]ail%`, Regex, []string{"Error", "an error", "Fail", "will fail"}, []string{"ERROR", "FAIL"}},
		{ug, `%^[hc]at%`, Regex, []string{"hat", "cat food"}, []string{"that", "a cat"}},
		{ug, `%[hc]at$%`, Regex, []string{"hat", "the cat"}, []string{"cats"}},
		{ug, `%colou?r%`, Regex, []string{"color", "colour"}, []string{"colouur", "colr"}},
		{ug, `%[abc]%`, Regex, []string{"a", "b", "c"}, []string{"xyz"}},
		{ug, `%[a-z]%`, Regex, []string{"q"}, []string{"Q9"}},
		{ug, `%[abcx-z]%`, Regex, []string{"a", "y"}, []string{"d"}},
		{ug, `%a{3,5}%`, Regex, []string{"aaa", "aaaa", "aaaaa"}, []string{"aa"}},
		{ug, `%gra|ey%`, Regex, []string{"gray", "grey"}, []string{"gr"}},
		{ug, `%^starting|^initializing|^shutting down%`, Regex,
			[]string{"starting ...", "initializing ...", "shutting down"}, []string{"skipping initializing ..."}},
		{ug + " (the doc omits the closing %)", `%abcc|ab[^c]$%`, Regex, []string{"abcc ...", "aba"}, []string{"aac ..."}},
		{ug, `%\[.\]%`, Regex, []string{"[a]", "[b]", "[7]", "[@]", "[]]", "[ ]"}, []string{"[ab]"}},
		{ug, `%10\.10\.0\.1%`, Regex, []string{"10.10.0.1"}, []string{"10010,051"}},
		{ug + ": an unescaped . matches anything", `%10.10.0.1%`, Regex, []string{"10.10.0.1", "10010,051"}, nil},
		{ug, `%ab*c%`, Regex, []string{"ac", "abc", "abbbc"}, []string{"ab"}},
		{ug, `%ab[0-9]*%`, Regex, []string{"ab", "ab0", "ab129"}, []string{"a b"}},
		{ug, `%ab+c%`, Regex, []string{"abc", "abbc", "abbbc"}, []string{"ac"}},
		{ug, `%.at%`, Regex, []string{"hat", "cat", "bat", "4at", "#at", " at"}, []string{"at"}},
		{ug, `%\d%`, Regex, []string{"a1"}, []string{"ab"}},
		{ug, `%[0-9]%`, Regex, []string{"a1"}, []string{"ab"}},
		{ug, `%\D%`, Regex, []string{"1a"}, []string{"12"}},
		{ug, `%[^0-9]%`, Regex, []string{"1a"}, []string{"12"}},
		{ug, `%\s%`, Regex, []string{"a b", "a\tb"}, []string{"ab"}},
		{ug, `%\S%`, Regex, []string{" a "}, []string{"  "}},
		{ug, `%\w%`, Regex, []string{"_", "a"}, []string{"!!"}},
		{ug, `%[a-zA-Z_0-9]%`, Regex, []string{"_"}, []string{"!!"}},
		{ug, `%\W%`, Regex, []string{"a-b"}, []string{"ab_9"}},
		{ug, `%\x3A%`, Regex, []string{"a:b"}, []string{"ab"}},
		{ug, `%\x28%`, Regex, []string{"f(x)"}, []string{"fx"}},
		{"aws/aws-cdk#36901 (accepted by AWS)", `%Task timed out after|^REPORT\s.+\sStatus: timeout%`, Regex,
			[]string{"2024-01-01 Task timed out after 3.00 seconds", "REPORT RequestId: 1 Duration: 3000 ms Status: timeout"},
			[]string{"REPORT RequestId: 1 Duration: 12 ms"}},
	})
}

// The JSON event of CWL-UG "Using filter patterns to match terms in JSON log
// events" (both revisions' fields), on one line as the doc says to test it.
const docJSONEvent = `{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", "another value"],` +
	` "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": null, "cluster.name": "c", "ThisFlag": true}`

// The JSON object of the doc's compound-condition examples.
const docCompoundEvent = `{"user": {"id": 1, "email": "John.Stiles@example.com"},` +
	` "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],` +
	` "actions": ["GET", "PUT", "DELETE"], "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}`

func TestDocsJSON(t *testing.T) {
	const ug = "CWL-UG FilterAndPatternSyntax JSON"
	ev := docJSONEvent
	other := `{"eventType": "PutEvent", "sourceIPAddress": "123.123.1.1", "arrayKey": "value", "objectList": [{"name": "a"}], "SomeObject": {}, "SomeOtherObject": 1, "ThisFlag": false}`
	runDocCases(t, []docCase{
		{ug, `{ $.eventType = "UpdateTrail" }`, JSON, []string{ev}, []string{other}},
		{ug, `{ $.sourceIPAddress != 123.123.* }`, JSON, []string{ev}, []string{other}},
		{ug + ": if arrayKey is not an array this will be false", `{ $.arrayKey[0] = "value" }`, JSON, []string{ev}, []string{other}},
		{ug + ": false without an id property", `{ $.objectList[1].id = 2 }`, JSON, []string{ev}, []string{other}},
		{ug, `{ $.SomeObject IS NULL }`, JSON, []string{ev}, []string{other}},
		{ug, `{ $.SomeOtherObject NOT EXISTS }`, JSON, []string{ev}, []string{other}},
		{ug, `{ $.ThisFlag IS TRUE }`, JSON, []string{ev}, []string{other}},
		{ug, `{ $.ThisFlag IS FALSE }`, JSON, []string{other}, []string{ev}},
		{ug, `{ $.eventType = %Trail% }`, JSON, []string{ev}, []string{other}},
		{ug, `{ $.arrayKey[*] = %val.{2}% }`, JSON, []string{ev}, []string{other}},
		{ug, `{ $.* = %111\.111\.111\.1[0-9]{1,2}% }`, JSON, []string{ev}, []string{other}},
		{ug, `{ $.['cluster.name'] = "c" }`, JSON, []string{ev}, []string{other}},
		{ug + " (dimensions)", `{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }`, JSON, []string{ev}, []string{other, `{"sourceIPAddress": "1.1.1.1"}`}},
		{ug + " (2025): works with any log with eventType", `{ $.eventType = "UpdateTrail" }`, JSON,
			[]string{`{"eventType": "UpdateTrail", "source": "cloudtrail"}`},
			[]string{`{"eventType": "UserLogin", "userId": "123"}`, `{"eventType": "ConfigUpdate", "component": "database"}`}},
		{ug + " (2018): *Event", `{ $.eventType = "*Event" }`, JSON, []string{other}, []string{ev}},
		{ug + " (2018): Update*", `{ $.eventType = Update* }`, JSON, []string{ev}, []string{other}},
		{ug + " (2018): Ev*ent is literal", `{ $.eventType = "Ev*ent" }`, JSON, []string{`{"eventType": "Ev*ent"}`}, []string{`{"eventType": "Event"}`, `{"eventType": "EvXent"}`}},
		{ug + " (2020): OR", `{$.foo = bar}`, JSON, []string{`{"foo": "bar"}`}, []string{`{"foo": "baz"}`}},
		{ug + " (2020): OR", `{$.foo = baz }`, JSON, []string{`{"foo": "baz"}`}, []string{`{"foo": "bar"}`}},
		{ug + " (2020): OR", `{$.foo = bar || $.foo = baz }`, JSON, []string{`{"foo": "bar"}`, `{"foo": "baz"}`}, []string{`{"foo": "qux"}`}},
		{ug + ": selector on an array never matches", `{$.users = 1}`, JSON, nil, []string{`{"users": [1, 2, 3]}`}},
		{ug + ": selector on an array never matches", `{$.users != 1}`, JSON, nil, []string{`{"users": [1, 2, 3]}`}},
		{ug + ": publishing a value", `{ $.latency = * }`, JSON, []string{`{"latency": 50, "requestType": "GET"}`}, []string{`{"requestType": "GET"}`}},
	})
}

func TestDocsJSONCompound(t *testing.T) {
	const ug = "CWL-UG FilterAndPatternSyntax compound"
	ev := docCompoundEvent
	runDocCases(t, []docCase{
		{ug, `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, JSON, []string{ev}, nil},
		{ug, `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, JSON, nil, []string{ev}},
		{ug, `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }`, JSON, []string{ev}, nil},
		{ug, `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }`, JSON, nil, []string{ev}},
		{ug + " (2018)", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, JSON, []string{ev}, nil},
		{ug + " (2018)", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, JSON, nil, []string{ev}},
		{"nested arrays", `{ $.coordinates[1][2] = 6 && $.actions[2] = DELETE }`, JSON, []string{ev}, nil},
	})
}

func TestDocsJSONNumeric(t *testing.T) {
	const ug = "CWL-UG FilterAndPatternSyntax numeric"
	cases := []docCase{
		{ug, `{ $.latency >= 500 }`, JSON, []string{`{"latency": 500}`, `{"latency": 7.5e2}`}, []string{`{"latency": 499.9}`, `{"latency": "900"}`}},
		{ug, `{ $.numbers[0] < 10e3 }`, JSON, []string{`{"numbers": [9999]}`}, []string{`{"numbers": [10000]}`}},
		{ug, `{ $.numbers[0] < 10e-3 }`, JSON, []string{`{"numbers": [0.001]}`, `{"numbers": [-5]}`}, []string{`{"numbers": [0.01]}`}},
		{ug, `{ $.processes[4].averageRuntime <= 55.5 }`, JSON,
			[]string{`{"processes": [0, 1, 2, 3, {"averageRuntime": 55.5}]}`}, []string{`{"processes": [{"averageRuntime": 1}]}`}},
		{ug, `{ $.errorCode = 400 }`, JSON, []string{`{"errorCode": 400}`, `{"errorCode": 4.0e2}`}, []string{`{"errorCode": 401}`}},
		{ug, `{ $.errorCode = 400}`, JSON, []string{`{"errorCode": 400}`}, []string{`{"errorCode": 401}`}},
		{ug, `{ $.errorCode != 500 }`, JSON, []string{`{"errorCode": 400}`}, []string{`{"errorCode": 500}`, `{"other": 1}`}},
		{ug, `{ $.latency > +1000 }`, JSON, []string{`{"latency": 1001}`}, []string{`{"latency": 1000}`}},
		{ug, `{ $.bandwidth > 75 }`, JSON, []string{`{"bandwidth": 76}`}, []string{`{"bandwidth": 75}`}},
		{ug, `{ $.latency < 50 }`, JSON, []string{`{"latency": 49}`}, []string{`{"latency": 50}`}},
		{ug, `{ $.refreshRate >= 60 }`, JSON, []string{`{"refreshRate": 60}`}, []string{`{"refreshRate": 59}`}},
		{ug, `{ $.responseTime <= 5 }`, JSON, []string{`{"responseTime": 5}`}, []string{`{"responseTime": 6}`}},
		{ug, `{ $.number[0] = 1e-3 }`, JSON, []string{`{"number": [0.001]}`, `{"number": [1E-3]}`}, []string{`{"number": [0.002]}`}},
		{ug, `{ $.number[0] != 1e+3 }`, JSON, []string{`{"number": [999]}`}, []string{`{"number": [1000]}`}},
		{ug, `{ $.number[0] = 1e+3 }`, JSON, []string{`{"number": [1000]}`}, []string{`{"number": [999]}`}},
		{ug, `{ $.number[0] != 1e-3 }`, JSON, []string{`{"number": [1]}`}, []string{`{"number": [0.001]}`}},
	}
	runDocCases(t, cases)
}

// The space-delimited event of the current CWL-UG page.
const docDelimitedEvent = `127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`

// The Apache events of the 2018 page and of the TestMetricFilter examples.
var apacheEvents = []string{
	`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`,
	`127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`,
	`127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355`,
}

// The events of the current page's "match terms in order" examples.
var orderEvents = []string{
	`INFO 09/25/2014 12:00:00 GET /service/resource/67 1200`,
	`INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310`,
	`WARNING 09/25/2014 12:00:02 Invalid user request`,
	`ERROR 09/25/2014 12:00:02 Failed to process request`,
}

func TestDocsSpaceDelimited(t *testing.T) {
	const ug = "CWL-UG FilterAndPatternSyntax space-delimited"
	const ug2018 = "CWL-UG FilterAndPatternSyntax (2018-2020) space-delimited"
	ev := docDelimitedEvent
	a := apacheEvents
	o := orderEvents
	runDocCases(t, []docCase{
		{ug, `[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`, SpaceDelimited,
			[]string{ev}, []string{"127.0.0.0 Prod frank [x] \"GET /index.html HTTP/1.0\" 404 1534"}},
		{ug, `[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`, SpaceDelimited, []string{ev}, a},
		{ug, `[..., request =*.html*, status_code = 4*, bytes]`, SpaceDelimited, []string{ev}, a},
		{ug, `[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]`, SpaceDelimited,
			[]string{ev, `1 2 3 4 /x.html 410 5`}, []string{`1 2 3 4 /x.html 400 5`}},
		{ug + " (dimensions)", `[ip, server, username, timestamp, request, status_code, bytes > 1000]`, SpaceDelimited, []string{ev}, []string{`1 2 3 4 5 6 999`}},
		{ug + ": needs the blank w2 (see TestSpaceDelimitedCountsEveryField)", `[w1=ERROR, w2]`, SpaceDelimited, []string{"ERROR message"}, o},
		{ug + ": with ... for the rest", `[w1=ERROR, ...]`, SpaceDelimited, []string{o[3]}, o[:3]},
		{ug, `[w1=ERROR || w1=WARNING, ...]`, SpaceDelimited, o[2:], o[:2]},
		{ug, `[w1!=ERROR && w1!=WARNING, ...]`, SpaceDelimited, o[:2], o[2:]},
		{ug, `[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]`, SpaceDelimited, o[:1], o[1:]},
		{ug, `[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]`, SpaceDelimited, o[1:2], []string{o[0], o[2], o[3]}},
		{ug2018 + ": OR", `[w1=ERROR, w2]`, SpaceDelimited, []string{"ERROR message"}, []string{"ERROR WARN message", "WARN message"}},
		{ug2018 + ": OR", `[w1=ERROR || w1=WARN, w2]`, SpaceDelimited, []string{"ERROR message", "WARN message"}, []string{"ERROR WARN message"}},
		{ug2018, `[w1!=ERROR && w1!=WARNING, w2]`, SpaceDelimited, []string{"INFO message"}, []string{"ERROR message", "WARNING message", "INFO two words"}},
		{ug2018, `[ip, user, username, timestamp, request, status_code, bytes]`, SpaceDelimited, a, []string{"1 2 3"}},
		{ug2018, `[..., status_code, bytes]`, SpaceDelimited, a, []string{"1"}},
		{ug2018, `[ip, user, ..., status_code, bytes]`, SpaceDelimited, a, []string{"1 2 3"}},
		{ug2018, `[ip, user, ...]`, SpaceDelimited, append([]string{"1 2"}, a...), []string{"1"}},
		{ug2018, `[ip, user, username, timestamp, request, status_code, bytes > 1000]`, SpaceDelimited, a, []string{`1 2 3 4 5 6 1000`}},
		{ug2018, `[ip, user, username, timestamp, request, status_code = 200, bytes]`, SpaceDelimited, []string{a[0], a[2]}, []string{a[1]}},
		{ug2018, `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, SpaceDelimited, []string{ev}, a},
		{ug2018, `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, SpaceDelimited, []string{ev}, a},
		{ug2018, `[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]`, SpaceDelimited,
			[]string{ev}, append([]string{`1 2 3 4 5 403 7`}, a...)},
		{"CWL-API TestMetricFilter", `[..., status_code=200, size]`, SpaceDelimited, []string{a[0], a[2]}, []string{a[1]}},
		{"issue 5: SSH rejects to Kinesis",
			`[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`,
			SpaceDelimited,
			[]string{"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 REJECT OK"},
			[]string{
				"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
				"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 80 6 20 4249 1418530010 1418530070 REJECT OK",
				"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
			}},
	})
}

// The metric filter and subscription filter walkthroughs of CWL-UG
// (MonitoringPolicyExamples, SubscriptionFilters).
func TestDocsWalkthroughs(t *testing.T) {
	bytesEvents := []string{
		`127.0.0.1 - - [24/Sep/2013:11:49:52 -0700] "GET /index.html HTTP/1.1" 404 287`,
		`127.0.0.1 - - [24/Sep/2013:11:50:51 -0700] "GET /~test/ HTTP/1.1" 200 3`,
		`127.0.0.1 - - [24/Sep/2013:11:50:51 -0700] "GET /favicon.ico HTTP/1.1" 404 308`,
		`127.0.0.1 - - [24/Sep/2013:11:51:34 -0700] "GET /~test/index.html HTTP/1.1" 200 3`,
	}
	runDocCases(t, []docCase{
		{"CountingLogEventsExample", `" "`, MatchAll, bytesEvents, nil},
		{"SubscriptionFilters (Lambda): --filter-pattern \"\"", ``, MatchAll, []string{"Simple Lambda Test"}, nil},
		{"CountOccurrencesExample", `Error`, Terms, []string{"This message contains an Error", "This message also contains an Error"}, []string{"This message contains an ERROR"}},
		{"Counting404Responses", `[IP, UserInfo, User, Timestamp, RequestInfo, StatusCode=404, Bytes]`, SpaceDelimited,
			[]string{`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326`}, nil},
		{"Counting404Responses (CLI)", `[ip, id, user, timestamp, request, status_code=404, size]`, SpaceDelimited,
			[]string{`127.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326`},
			[]string{`127.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /apache_pb2.gif HTTP/1.0" 200 2326`}},
		{"FindCountMetric", `[ip, id, user, timestamp, request, status_code=4*, size]`, SpaceDelimited,
			[]string{bytesEvents[0], bytesEvents[2]}, []string{bytesEvents[1], bytesEvents[3]}},
		{"ExtractBytesExample", `[ip, id, user, timestamp, request, status_code, size]`, SpaceDelimited, bytesEvents, nil},
		{"SubscriptionFilters (Kinesis): root activity", `{$.userIdentity.type = Root}`, JSON,
			[]string{`{"eventVersion":"1.03","userIdentity":{"type":"Root","principalId":"123456789012"},"eventName":"DescribeTrails"}`},
			[]string{`{"eventVersion":"1.03","userIdentity":{"type":"IAMUser"}}`, `{"userIdentity":"Root"}`}},
	})
	if ok, x := MustCompile(`[ip, id, user, timestamp, request, status_code, size]`).MatchExtract(bytesEvents[0]); !ok || x["$size"] != "287" {
		t.Errorf("ExtractBytesExample: metricValue $size = %q, want 287", x["$size"])
	}
}

func TestDocsExtractedValues(t *testing.T) {
	a := apacheEvents
	tests := []struct {
		source, pattern, event string
		want                   map[string]string
	}{
		{"CWL-API TestMetricFilter", `[ip, identity, user_id, timestamp, request, status_code, size]`, a[1], map[string]string{
			"$ip": "127.0.0.1", "$identity": "-", "$user_id": "frank", "$timestamp": "10/Oct/2000:13:35:22 -0700",
			"$request": "GET /apache_pb.gif HTTP/1.0", "$status_code": "500", "$size": "5324"}},
		{"CWL-API TestMetricFilter", `[..., size]`, a[0], map[string]string{
			"$1": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:25:15 -0700",
			"$5": "GET /apache_pb.gif HTTP/1.0", "$6": "200", "$size": "1534"}},
		{"CWL-API TestMetricFilter", `[]`, a[2], map[string]string{
			"$1": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:50:35 -0700",
			"$5": "GET /apache_pb.gif HTTP/1.0", "$6": "200", "$7": "4355"}},
		{"CWL-API TestMetricFilter", `[..., status_code=200, size]`, a[2], map[string]string{
			"$1": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:50:35 -0700",
			"$5": "GET /apache_pb.gif HTTP/1.0", "$status_code": "200", "$size": "4355"}},
		{"CWL-API TestMetricFilter", `[..., request=*.html*, status_code=4*,]`,
			`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /products/index.html HTTP/1.0" 400 1534`, map[string]string{
				"$1": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:25:15 -0700",
				"$request": "GET /products/index.html HTTP/1.0", "$status_code": "400", "$7": "1534"}},
		{"CWL-UG space-delimited", `[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`, docDelimitedEvent, map[string]string{
			"$bytes": "1534", "$status_code": "404", "$request": "GET /index.html HTTP/1.0",
			"$timestamp": "10/Oct/2000:13:25:15 -0700", "$username": "frank", "$user": "Prod", "$ip": "127.0.0.1"}},
		{"CWL-UG dimensions", `[ip, server, username, timestamp, request, status_code, bytes > 1000]`, docDelimitedEvent, map[string]string{
			"$bytes": "1534", "$status_code": "404", "$request": "GET /index.html HTTP/1.0",
			"$timestamp": "10/Oct/2000:13:25:15 -0700", "$username": "frank", "$server": "Prod", "$ip": "127.0.0.1"}},
		{"CWL-UG: not space-delimited → empty", `"[ERROR]"`, "x [ERROR] y", map[string]string{}},
		{"CWL-UG: not space-delimited → empty", `{ $.latency = * }`, `{"latency": 50}`, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			ok, got := MustCompile(tt.pattern).MatchExtract(tt.event)
			if !ok {
				t.Fatalf("%s: %q does not match %q", tt.source, tt.pattern, tt.event)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("%s: extracted\n got  %v\n want %v", tt.source, got, tt.want)
			}
		})
	}
}

func TestDocsMetricValueSelector(t *testing.T) {
	// CWL-UG: { $.latency = * } with metricValue $.latency publishes 50.
	s, err := ParseSelector("$.latency")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Lookup(`{"latency": 50, "requestType": "GET"}`); !ok || v != "50" {
		t.Errorf("Lookup = %q, %v; want 50, true", v, ok)
	}
}
