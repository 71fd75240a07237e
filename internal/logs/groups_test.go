package logs

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func TestGroupLifecycle(t *testing.T) {
	e := newEnv(t)
	e.createGroup("/app/web")
	_, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/app/web")})
	wantCode(t, err, codeResourceExists, msgGroupExists)

	out, err := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 1 {
		t.Fatalf("got %d groups", len(out.LogGroups))
	}
	g := out.LogGroups[0]
	wantARN := "arn:aws:logs:us-east-1:123456789012:log-group:/app/web"
	if aws.ToString(g.Arn) != wantARN+":*" || aws.ToString(g.LogGroupArn) != wantARN || aws.ToInt64(g.CreationTime) != e.clock.Ms() ||
		g.RetentionInDays != nil || aws.ToInt64(g.StoredBytes) != 0 || g.LogGroupClass != types.LogGroupClassStandard {
		t.Fatalf("group: %+v", g)
	}
	if _, err := e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/app/web")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/app/web")})
	wantCode(t, err, codeResourceNotFound, msgGroupNotFound)
}

func TestCreateLogGroupBadInput(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, group, code string
	}{
		{"empty", "", codeValidation},
		{"bad character", "a b", codeValidation},
		{"too long", string(make([]byte, 513)), codeValidation},
		{"aws prefix", "aws/lambda", codeInvalidParameter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(tc.group)})
			wantCode(t, err, tc.code)
		})
	}
}

func TestDescribeLogGroupsFiltersAndPaging(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 7; i++ {
		e.createGroup(fmt.Sprintf("/svc/Alpha-%d", i))
	}
	e.createGroup("/other/beta")
	cases := []struct {
		name string
		in   cwl.DescribeLogGroupsInput
		want int
	}{
		{"all", cwl.DescribeLogGroupsInput{}, 8},
		{"prefix", cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/svc/")}, 7},
		{"pattern is a case-insensitive substring", cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("alpha")}, 7},
		{"pattern", cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("beta")}, 1},
		{"paged", cwl.DescribeLogGroupsInput{Limit: aws.Int32(3)}, 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var names []string
			p := cwl.NewDescribeLogGroupsPaginator(e.client, &tc.in)
			pages := 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, g := range out.LogGroups {
					names = append(names, *g.LogGroupName)
				}
			}
			if len(names) != tc.want {
				t.Fatalf("got %d groups %v, want %d", len(names), names, tc.want)
			}
			for i := 1; i < len(names); i++ {
				if names[i-1] >= names[i] {
					t.Fatalf("not sorted: %v", names)
				}
			}
			if tc.in.Limit != nil && pages != 3 {
				t.Fatalf("got %d pages", pages)
			}
		})
	}
	_, err := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("a"), LogGroupNamePattern: aws.String("b")})
	wantCode(t, err, codeInvalidParameter)
	_, err = e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{NextToken: aws.String("garbage!")})
	wantCode(t, err, codeInvalidParameter)
}

func TestStreamLifecycleAndDescribe(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	_, err := e.client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("s")})
	wantCode(t, err, codeResourceNotFound, msgGroupNotFound)
	for _, s := range []string{"c", "a", "b"} {
		e.createStream("g", s)
	}
	_, err = e.client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a")})
	wantCode(t, err, codeResourceExists, msgStreamExists)
	_, err = e.client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("x:y")})
	wantCode(t, err, codeValidation)

	now := e.clock.Ms()
	e.put("g", "b", now-5000, "one", "two")     // last event now-4999
	e.put("g", "a", now-1000, "three")          // last event now-1000
	e.put("g", "c", now-9000, "four", "x", "y") // last event now-8998

	names := func(in *cwl.DescribeLogStreamsInput) []string {
		t.Helper()
		var out []string
		p := cwl.NewDescribeLogStreamsPaginator(e.client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page.LogStreams {
				out = append(out, *s.LogStreamName)
			}
		}
		return out
	}
	cases := []struct {
		name string
		in   cwl.DescribeLogStreamsInput
		want string
	}{
		{"by name", cwl.DescribeLogStreamsInput{}, "a b c"},
		{"by name descending paged", cwl.DescribeLogStreamsInput{Descending: aws.Bool(true), Limit: aws.Int32(1)}, "c b a"},
		{"prefix", cwl.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("b")}, "b"},
		{"by last event time", cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime}, "c b a"},
		{"by last event time descending paged", cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(2)}, "a b c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.LogGroupName = aws.String("g")
			if got := fmt.Sprint(names(&in)); got != "["+tc.want+"]" {
				t.Fatalf("got %s, want [%s]", got, tc.want)
			}
		})
	}
	_, err = e.client.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("a")})
	wantCode(t, err, codeInvalidParameter)

	out, err := e.client.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:g"), LogStreamNamePrefix: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	s := out.LogStreams[0]
	if aws.ToInt64(s.FirstEventTimestamp) != now-5000 || aws.ToInt64(s.LastEventTimestamp) != now-4999 ||
		aws.ToInt64(s.LastIngestionTime) != now || aws.ToInt64(s.CreationTime) != now ||
		aws.ToString(s.Arn) != "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:b" {
		t.Fatalf("stream: %+v", s)
	}

	if _, err := e.client.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("b")})
	wantCode(t, err, codeResourceNotFound, msgStreamNotFound)
	// A stream created again under the same name starts empty.
	e.createStream("g", "b")
	ev, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Events) != 0 {
		t.Fatalf("recreated stream has %d events", len(ev.Events))
	}
}

func TestMetadataSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	now := e.clock.Ms()
	e.put("g", "s", now, "hello", "world")
	if _, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	e.restart()
	out, err := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 1 || aws.ToInt32(out.LogGroups[0].RetentionInDays) != 7 || aws.ToInt64(out.LogGroups[0].StoredBytes) != 10 {
		t.Fatalf("after restart: %+v", out.LogGroups)
	}
	st, err := e.client.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(st.LogStreams[0].LastEventTimestamp) != now+1 {
		t.Fatalf("stream after restart: %+v", st.LogStreams[0])
	}
	// New events after a restart get new ids: offsets continue.
	e.put("g", "s", now+2, "again")
	f, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, ev := range f.Events {
		if len(*ev.EventId) != 56 || ids[*ev.EventId] {
			t.Fatalf("bad or duplicate event id %q", *ev.EventId)
		}
		ids[*ev.EventId] = true
	}
	if len(ids) != 3 {
		t.Fatalf("got %d events", len(ids))
	}
}

func TestUnbuiltOperation(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.DescribeQueries(ctx, &cwl.DescribeQueriesInput{})
	wantCode(t, err, "UnknownOperationException")
}

func TestDeletionProtection(t *testing.T) {
	e := newEnv(t)
	if _, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g"), DeletionProtectionEnabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.createStream("g", "s")
	_, err := e.client.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")})
	wantCode(t, err, codeValidation)
	_, err = e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("g")})
	wantCode(t, err, codeValidation)
	out, _ := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if !aws.ToBool(out.LogGroups[0].DeletionProtectionEnabled) {
		t.Fatal("deletionProtectionEnabled not reported")
	}
	if _, err := e.client.PutLogGroupDeletionProtection(ctx, &cwl.PutLogGroupDeletionProtectionInput{LogGroupIdentifier: aws.String("g"),
		DeletionProtectionEnabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
}

func TestReset(t *testing.T) {
	e := newEnv(t)
	if _, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g"), DeletionProtectionEnabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.createStream("g", "s")
	e.put("g", "s", e.clock.Ms(), "x")
	e.dests.add(kinesisARN, 1<<20)
	if _, err := e.client.PutDestination(ctx, &cwl.PutDestinationInput{DestinationName: aws.String("d"), TargetArn: aws.String(kinesisARN), RoleArn: aws.String(roleARN)}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	groups, _ := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	dests, _ := e.client.DescribeDestinations(ctx, &cwl.DescribeDestinationsInput{})
	names, _ := e.logs.Names()
	if len(groups.LogGroups) != 0 || len(dests.Destinations) != 0 || len(names) != 0 {
		t.Fatalf("after reset: %d groups, %d destinations, logs %v", len(groups.LogGroups), len(dests.Destinations), names)
	}
	e.createGroup("g") // the name is free again
}
