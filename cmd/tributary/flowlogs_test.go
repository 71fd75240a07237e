package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/tributary-dev/tributary/internal/awstest"
)

// `tributary flowlogs` against a running server: the group, a stream per
// interface, and --count records in it.
func TestFlowLogsCommand(t *testing.T) {
	srv := awstest.Start(t)
	env := map[string]string{"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
	var stdout, stderr bytes.Buffer
	code := runFlowLogs(context.Background(), []string{"--endpoint", srv.Endpoint, "--log-group", "vpc", "--enis", "5",
		"--rate", "50000", "--count", "2000", "--reject-ratio", "0.2", "--seed", "9"}, func(k string) string { return env[k] }, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "wrote 2000 flow records (") {
		t.Fatalf("stdout %q", stdout.String())
	}
	ctx := context.Background()
	cwl := srv.Logs(t)
	streams, err := cwl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("vpc")})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range streams.LogStreams {
		name := aws.ToString(s.LogStreamName)
		if !strings.HasPrefix(name, "eni-") || !strings.HasSuffix(name, "-all") {
			t.Fatalf("stream %s", name)
		}
		out, err := cwl.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("vpc"), LogStreamName: s.LogStreamName, StartFromHead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			if f := strings.Fields(aws.ToString(e.Message)); len(f) != 14 || f[0] != "2" || f[2]+"-all" != name {
				t.Fatalf("record %q in stream %s", aws.ToString(e.Message), name)
			}
		}
		total += len(out.Events)
	}
	if len(streams.LogStreams) != 5 || total != 2000 {
		t.Fatalf("%d streams with %d events, want 5 with 2000", len(streams.LogStreams), total)
	}
}

func TestFlowLogsCommandErrors(t *testing.T) {
	getenv := func(string) string { return "" }
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"--help"}, 0},
		{[]string{"--rate", "x"}, 2},
		{[]string{"extra"}, 2},
		{[]string{"--rate", "0", "--count", "1"}, 1},
		{[]string{"--endpoint", "http://127.0.0.1:1", "--count", "1"}, 1}, // nothing listens on port 1
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		if code := runFlowLogs(context.Background(), tc.args, getenv, &stdout, &stderr); code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, stderr.String())
		}
	}
}
