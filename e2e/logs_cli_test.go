package e2e

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The aws CLI (v1: no `aws logs tail`) against CloudWatch Logs, in parallel
// tests that each own their log groups on the shared server.

// uniqueLogGroup returns a fresh log group name; the slash exercises names
// that are not bucket-like.
func uniqueLogGroup(prefix string) string { return "/e2e/" + uniqueBucket(prefix) }

// logEventsJSON renders events as put-log-events' --log-events argument.
func logEventsJSON(t *testing.T, events []logEvent) string {
	t.Helper()
	data, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

type logEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

func nowMillis() int64 { return time.Now().UnixMilli() }

// messages lists the "message" of each event of a CLI answer, in order.
func messages(events any) []string {
	var out []string
	for _, e := range asList(events) {
		out = append(out, str(e, "message"))
	}
	return out
}

// namesOf lists the given member of each entry, in order.
func namesOf(entries any, member string) []string {
	var out []string
	for _, e := range asList(entries) {
		out = append(out, str(e, member))
	}
	return out
}

// TestLogsCLIGroups: create/describe/delete log groups (prefix, pattern,
// paging), retention and tags.
func TestLogsCLIGroups(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	base := uniqueLogGroup("cli-groups")
	groups := []string{base + "/a", base + "/b", base + "/c"}
	for _, g := range groups {
		s.aws(t, "logs", "create-log-group", "--log-group-name", g)
	}
	s.awsFail(t, "ResourceAlreadyExistsException", "logs", "create-log-group", "--log-group-name", groups[0])
	s.awsFail(t, "InvalidParameterException", "logs", "create-log-group", "--log-group-name", "aws/reserved-"+uniqueBucket("x"))

	// The CLI pages with --page-size (limit) and follows nextToken itself.
	byPrefix := s.awsJSON(t, "logs", "describe-log-groups", "--log-group-name-prefix", base, "--page-size", "1")
	if got := namesOf(byPrefix["logGroups"], "logGroupName"); !reflect.DeepEqual(got, groups) {
		t.Errorf("describe-log-groups --log-group-name-prefix (paged by 1) = %v, want %v", got, groups)
	}
	first := asList(byPrefix["logGroups"])[0]
	if !strings.HasSuffix(str(first, "arn"), ":log-group:"+groups[0]+":*") || strings.HasSuffix(str(first, "logGroupArn"), ":*") ||
		!strings.HasPrefix(str(first, "arn"), "arn:aws:logs:us-east-1:") || num(first, "creationTime") == 0 {
		t.Errorf("log group entry: %v", first)
	}
	// --max-items stops early and hands back a token to resume from.
	page := s.awsJSON(t, "logs", "describe-log-groups", "--log-group-name-prefix", base, "--max-items", "2")
	if got := namesOf(page["logGroups"], "logGroupName"); !reflect.DeepEqual(got, groups[:2]) || str(page, "NextToken") == "" {
		t.Errorf("describe-log-groups --max-items 2 = %v (NextToken %q)", got, str(page, "NextToken"))
	} else {
		rest := s.awsJSON(t, "logs", "describe-log-groups", "--log-group-name-prefix", base, "--starting-token", str(page, "NextToken"))
		if got := namesOf(rest["logGroups"], "logGroupName"); !reflect.DeepEqual(got, groups[2:]) {
			t.Errorf("describe-log-groups --starting-token = %v, want %v", got, groups[2:])
		}
	}
	// A pattern matches anywhere in the name (case-insensitively at AWS).
	suffix := base[strings.LastIndex(base, "-")+1:]
	byPattern := s.awsJSON(t, "logs", "describe-log-groups", "--log-group-name-pattern", strings.ToUpper(suffix)+"/b")
	if got := namesOf(byPattern["logGroups"], "logGroupName"); !reflect.DeepEqual(got, groups[1:2]) {
		t.Errorf("describe-log-groups --log-group-name-pattern = %v, want %v", got, groups[1:2])
	}
	s.awsFail(t, "InvalidParameterException", "logs", "describe-log-groups", "--log-group-name-prefix", base, "--log-group-name-pattern", suffix)

	g := groups[0]
	// Retention.
	s.aws(t, "logs", "put-retention-policy", "--log-group-name", g, "--retention-in-days", "7")
	s.awsFail(t, "InvalidParameterException", "logs", "put-retention-policy", "--log-group-name", g, "--retention-in-days", "8")
	if got := asList(s.awsJSON(t, "logs", "describe-log-groups", "--log-group-name-prefix", g)["logGroups"])[0]; num(got, "retentionInDays") != 7 {
		t.Errorf("retentionInDays after put-retention-policy 7 (and a refused 8): %v", got)
	}
	s.aws(t, "logs", "delete-retention-policy", "--log-group-name", g)
	if got := asList(s.awsJSON(t, "logs", "describe-log-groups", "--log-group-name-prefix", g)["logGroups"])[0]; got["retentionInDays"] != nil {
		t.Errorf("retentionInDays after delete-retention-policy: %v", got)
	}

	// Tags, by name (legacy operations) and by ARN.
	s.aws(t, "logs", "tag-log-group", "--log-group-name", g, "--tags", "team=data,env=test")
	s.aws(t, "logs", "untag-log-group", "--log-group-name", g, "--tags", "env")
	if got := s.awsJSON(t, "logs", "list-tags-log-group", "--log-group-name", g)["tags"]; !reflect.DeepEqual(got, map[string]any{"team": "data"}) {
		t.Errorf("list-tags-log-group = %v", got)
	}
	arn := str(first, "logGroupArn")
	s.aws(t, "logs", "tag-resource", "--resource-arn", arn, "--tags", "owner=e2e")
	s.aws(t, "logs", "untag-resource", "--resource-arn", arn, "--tag-keys", "team")
	if got := s.awsJSON(t, "logs", "list-tags-for-resource", "--resource-arn", arn)["tags"]; !reflect.DeepEqual(got, map[string]any{"owner": "e2e"}) {
		t.Errorf("list-tags-for-resource = %v", got)
	}

	for _, g := range groups {
		s.aws(t, "logs", "delete-log-group", "--log-group-name", g)
	}
	s.awsFail(t, "ResourceNotFoundException", "logs", "delete-log-group", "--log-group-name", groups[0])
	if got := s.awsJSON(t, "logs", "describe-log-groups", "--log-group-name-prefix", base)["logGroups"]; len(asList(got)) != 0 {
		t.Errorf("describe-log-groups after deleting every group: %v", got)
	}
}

// TestLogsCLIStreams: create/describe/delete log streams (orderBy,
// descending, prefix, paging).
func TestLogsCLIStreams(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	g := uniqueLogGroup("cli-streams")
	s.aws(t, "logs", "create-log-group", "--log-group-name", g)
	defer s.aws(t, "logs", "delete-log-group", "--log-group-name", g)
	// Streams: by name by default; by LastEventTime, descending.
	now := nowMillis()
	for i, name := range []string{"stream-b", "stream-a", "stream-c"} {
		s.aws(t, "logs", "create-log-stream", "--log-group-name", g, "--log-stream-name", name)
		s.aws(t, "logs", "put-log-events", "--log-group-name", g, "--log-stream-name", name,
			"--log-events", logEventsJSON(t, []logEvent{{now - int64(10-i)*1000, "event of " + name}}))
	}
	s.awsFail(t, "ResourceAlreadyExistsException", "logs", "create-log-stream", "--log-group-name", g, "--log-stream-name", "stream-a")
	s.awsFail(t, "ResourceNotFoundException", "logs", "create-log-stream", "--log-group-name", g+"-missing", "--log-stream-name", "x")
	streams := s.awsJSON(t, "logs", "describe-log-streams", "--log-group-name", g, "--page-size", "2")
	if got := namesOf(streams["logStreams"], "logStreamName"); !reflect.DeepEqual(got, []string{"stream-a", "stream-b", "stream-c"}) {
		t.Errorf("describe-log-streams = %v", got)
	}
	for _, st := range asList(streams["logStreams"]) {
		if num(st, "firstEventTimestamp") == 0 || num(st, "lastIngestionTime") == 0 ||
			!strings.HasSuffix(str(st, "arn"), ":log-group:"+g+":log-stream:"+str(st, "logStreamName")) {
			t.Errorf("log stream entry: %v", st)
		}
	}
	byTime := s.awsJSON(t, "logs", "describe-log-streams", "--log-group-name", g, "--order-by", "LastEventTime", "--descending")
	if got := namesOf(byTime["logStreams"], "logStreamName"); !reflect.DeepEqual(got, []string{"stream-c", "stream-a", "stream-b"}) {
		t.Errorf("describe-log-streams --order-by LastEventTime --descending = %v", got)
	}
	prefixed := s.awsJSON(t, "logs", "describe-log-streams", "--log-group-name", g, "--log-stream-name-prefix", "stream-b")
	if got := namesOf(prefixed["logStreams"], "logStreamName"); !reflect.DeepEqual(got, []string{"stream-b"}) {
		t.Errorf("describe-log-streams --log-stream-name-prefix = %v", got)
	}
	s.awsFail(t, "InvalidParameterException", "logs", "describe-log-streams", "--log-group-name", g, "--order-by", "LastEventTime", "--log-stream-name-prefix", "s")
	s.aws(t, "logs", "delete-log-stream", "--log-group-name", g, "--log-stream-name", "stream-b")
	s.awsFail(t, "ResourceNotFoundException", "logs", "delete-log-stream", "--log-group-name", g, "--log-stream-name", "stream-b")
	left := s.awsJSON(t, "logs", "describe-log-streams", "--log-group-name", g)
	if got := namesOf(left["logStreams"], "logStreamName"); !reflect.DeepEqual(got, []string{"stream-a", "stream-c"}) {
		t.Errorf("describe-log-streams after delete = %v", got)
	}

}

// eventMix is the events of three streams for the read tests: JSON in
// app-1, access-log lines in app-2, text in web-1; index i of each is at
// base+10i, +1 and +2 ms.
func eventMix(base int64) (app1, app2, web []logEvent) {
	for i := 0; i < 12; i++ {
		ts := base + int64(i)*10
		app1 = append(app1, logEvent{ts, fmt.Sprintf(`{"level":"%s","latency":%d,"n":%d}`, map[bool]string{true: "ERROR", false: "INFO"}[i%3 == 0], i*10, i)})
		app2 = append(app2, logEvent{ts + 1, fmt.Sprintf("10.0.0.%d GET /p%d %d %d", i, i, map[bool]int{true: 404, false: 200}[i%4 == 0], 100+i)})
		web = append(web, logEvent{ts + 2, fmt.Sprintf("web line %d %s", i, map[bool]string{true: "ERROR timeout", false: "ok"}[i%5 == 0])})
	}
	return app1, app2, web
}

// TestLogsCLIPutAndGet: put-log-events with rejects and refusals,
// get-log-events in both directions to the repeated-token end.
func TestLogsCLIPutAndGet(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	g := uniqueLogGroup("cli-get")
	s.aws(t, "logs", "create-log-group", "--log-group-name", g)
	defer s.aws(t, "logs", "delete-log-group", "--log-group-name", g)
	s.aws(t, "logs", "create-log-stream", "--log-group-name", g, "--log-stream-name", "app-1")

	now := nowMillis()
	tooOld := now - 15*24*3600*1000
	tooNew := now + 3*3600*1000
	put := s.awsJSON(t, "logs", "put-log-events", "--log-group-name", g, "--log-stream-name", "app-1", "--log-events", logEventsJSON(t, []logEvent{
		{tooOld, "too old"}, {now - 5000, "kept first"}, {now - 4000, "kept second"}, {tooNew, "too new"},
	}))
	want := map[string]any{"tooOldLogEventEndIndex": float64(1), "tooNewLogEventStartIndex": float64(3)}
	if got := put["rejectedLogEventsInfo"]; !reflect.DeepEqual(got, want) {
		t.Errorf("put-log-events rejectedLogEventsInfo = %v, want %v", got, want)
	}
	s.awsFail(t, "InvalidParameterException", "logs", "put-log-events", "--log-group-name", g, "--log-stream-name", "app-1",
		"--log-events", logEventsJSON(t, []logEvent{{now, "later"}, {now - 1000, "earlier"}}))
	s.awsFail(t, "ResourceNotFoundException", "logs", "put-log-events", "--log-group-name", g, "--log-stream-name", "missing",
		"--log-events", logEventsJSON(t, []logEvent{{now, "x"}}))
	app1, _, _ := eventMix(now - 3000)
	if out := s.awsJSON(t, "logs", "put-log-events", "--log-group-name", g, "--log-stream-name", "app-1", "--log-events", logEventsJSON(t, app1)); out["rejectedLogEventsInfo"] != nil {
		t.Errorf("put-log-events rejected: %v", out)
	}
	app1All := append([]string{"kept first", "kept second"}, messagesOf(app1)...)

	// get-log-events: from the head forward to the end, where the token
	// given comes back; from the tail (the default) backward likewise.
	var forward []string
	token := ""
	for pages := 0; ; pages++ {
		args := []string{"logs", "get-log-events", "--log-group-name", g, "--log-stream-name", "app-1", "--limit", "5"}
		if token == "" {
			args = append(args, "--start-from-head")
		} else {
			args = append(args, "--next-token", token)
		}
		out := s.awsJSON(t, args...)
		forward = append(forward, messages(out["events"])...)
		next := str(out, "nextForwardToken")
		if !strings.HasPrefix(next, "f/") || !strings.HasPrefix(str(out, "nextBackwardToken"), "b/") {
			t.Fatalf("get-log-events tokens: %v", out)
		}
		if next == token {
			if len(asList(out["events"])) != 0 {
				t.Errorf("the repeated-token page has events: %v", out["events"])
			}
			break
		}
		if pages > 10 {
			t.Fatalf("get-log-events forward: no repeated token after %d pages", pages)
		}
		token = next
	}
	if !reflect.DeepEqual(forward, app1All) {
		t.Errorf("get-log-events forward = %v, want %v", forward, app1All)
	}
	var backward [][]string
	token = ""
	for pages := 0; ; pages++ {
		args := []string{"logs", "get-log-events", "--log-group-name", g, "--log-stream-name", "app-1", "--limit", "5", "--no-start-from-head"}
		if token != "" {
			args = append(args, "--next-token", token)
		}
		out := s.awsJSON(t, args...)
		next := str(out, "nextBackwardToken")
		if next == token {
			break
		}
		backward = append([][]string{messages(out["events"])}, backward...) // each page is ascending
		if pages > 10 {
			t.Fatalf("get-log-events backward: no repeated token after %d pages", pages)
		}
		token = next
	}
	var backwardAll []string
	for _, p := range backward {
		backwardAll = append(backwardAll, p...)
	}
	if !reflect.DeepEqual(backwardAll, app1All) || len(backward) == 0 || !reflect.DeepEqual(backward[len(backward)-1], app1All[len(app1All)-5:]) {
		t.Errorf("get-log-events backward pages = %v, want the newest 5 first, then older, %v in all", backward, app1All)
	}

}

// TestLogsCLIFilter: filter-log-events with each kind of pattern, stream
// selection, time range and the CLI's own paging.
func TestLogsCLIFilter(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	g := uniqueLogGroup("cli-filter")
	s.aws(t, "logs", "create-log-group", "--log-group-name", g)
	defer s.aws(t, "logs", "delete-log-group", "--log-group-name", g)
	now := nowMillis()
	app1, app2, web := eventMix(now - 3000)
	for stream, events := range map[string][]logEvent{"app-1": app1, "app-2": app2, "web-1": web} {
		s.aws(t, "logs", "create-log-stream", "--log-group-name", g, "--log-stream-name", stream)
		if out := s.awsJSON(t, "logs", "put-log-events", "--log-group-name", g, "--log-stream-name", stream, "--log-events", logEventsJSON(t, events)); out["rejectedLogEventsInfo"] != nil {
			t.Errorf("put-log-events %s rejected: %v", stream, out)
		}
	}

	// filter-log-events: --page-size 2 makes the CLI follow nextToken
	// through many pages; it must end and give each match exactly once.
	filter := func(extra ...string) []string {
		t.Helper()
		args := append([]string{"logs", "filter-log-events", "--log-group-name", g, "--page-size", "2"}, extra...)
		return messages(s.awsJSON(t, args...)["events"])
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"term", []string{"--filter-pattern", "ERROR"}, matching(interleave(app1, app2, web), `"level":"ERROR"`, "ERROR timeout")},
		{"json", []string{"--filter-pattern", `{ $.level = "ERROR" && $.latency >= 30 }`}, []string{app1[3].Message, app1[6].Message, app1[9].Message}},
		{"space-delimited", []string{"--filter-pattern", "[ip, method, path, status=404, bytes]"}, []string{app2[0].Message, app2[4].Message, app2[8].Message}},
		{"stream names", []string{"--filter-pattern", "ERROR", "--log-stream-names", "web-1"}, []string{web[0].Message, web[5].Message, web[10].Message}},
		{"stream prefix", []string{"--filter-pattern", "?ERROR ?404", "--log-stream-name-prefix", "app-"}, []string{app1[0].Message, app2[0].Message, app1[3].Message, app2[4].Message, app1[6].Message, app2[8].Message, app1[9].Message}},
		// Unlike GetLogEvents, FilterLogEvents' endTime is inclusive ("events
		// with a timestamp later than this time are not returned").
		{"time range", []string{"--start-time", fmt.Sprint(now - 3000 + 20), "--end-time", fmt.Sprint(now - 3000 + 40), "--log-stream-names", "app-1"}, []string{app1[2].Message, app1[3].Message, app1[4].Message}},
		{"everything", nil, interleave(app1, app2, web)},
	}
	for _, c := range cases {
		if got := filter(c.args...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("filter-log-events %s %v:\n got %q\nwant %q", c.name, c.args, got, c.want)
		}
	}
	s.awsFail(t, "InvalidParameterException", "logs", "filter-log-events", "--log-group-name", g, "--log-stream-names", "app-1", "--log-stream-name-prefix", "app")
	stderr := s.awsFail(t, "InvalidParameterException", "logs", "filter-log-events", "--log-group-name", g, "--filter-pattern", `{ $.level = `)
	if !strings.Contains(stderr, "Invalid filter pattern") {
		t.Errorf("an unparsable pattern: %s", stderr)
	}
}

func messagesOf(events []logEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Message)
	}
	return out
}

// matching keeps the messages containing any of the substrings, in order.
func matching(all []string, subs ...string) []string {
	var out []string
	for _, m := range all {
		for _, sub := range subs {
			if strings.Contains(m, sub) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// interleave lists the messages in timestamp order: the streams' events
// were written at ts, ts+1 and ts+2 for each index i.
func interleave(a, b, c []logEvent) []string {
	var out []string
	for i := range a {
		out = append(out, a[i].Message, b[i].Message, c[i].Message)
	}
	return out
}
