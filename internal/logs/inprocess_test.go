package logs

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

func TestPutLogEventsInProcess(t *testing.T) {
	e := newEnv(t)
	now := time.UnixMilli(e.clock.Ms())
	group, stream := "/aws/lambda/f", "2026/11/24/[$LATEST]0123456789abcdef0123456789abcdef"
	put := func(msgs ...string) {
		t.Helper()
		evs := make([]InProcessEvent, len(msgs))
		for i, m := range msgs {
			evs[i] = InProcessEvent{Timestamp: now.Add(time.Duration(i) * time.Millisecond), Message: m}
		}
		if err := e.svc.PutLogEventsInProcess(ctx, group, stream, evs); err != nil {
			t.Fatal(err)
		}
	}
	// Creates the group and the stream, skips empty lines; a second call
	// reuses them.
	put("START RequestId: 1 Version: $LATEST", "", "hello")
	put("END RequestId: 1")
	out, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String(group),
		LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range out.Events {
		got = append(got, *ev.Message)
	}
	if len(got) != 3 || got[0] != "START RequestId: 1 Version: $LATEST" || got[1] != "hello" || got[2] != "END RequestId: 1" {
		t.Fatalf("events %q", got)
	}
}
