package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

func TestPutRetentionPolicyValues(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	for _, days := range validRetention {
		if _, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(days)}); err != nil {
			t.Fatalf("%d days: %v", days, err)
		}
	}
	for _, days := range []int32{0, 2, -1, 4000} {
		_, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(days)})
		wantCode(t, err, codeInvalidParameter)
	}
	_, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(2)})
	wantCode(t, err, codeInvalidParameter, "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	_, err = e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("nope"), RetentionInDays: aws.Int32(1)})
	wantCode(t, err, codeResourceNotFound)
	if _, err := e.client.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	out, _ := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if out.LogGroups[0].RetentionInDays != nil {
		t.Fatal("retention still reported after DeleteRetentionPolicy")
	}
}

// TestRetentionApplied: with a fake clock, expired events disappear from
// reads and storedBytes at once, and EnforceRetention reclaims their
// segment files.
func TestRetentionApplied(t *testing.T) {
	e := newEnv(t, withSegmentBytes(4096))
	e.createGroup("g")
	e.createStream("g", "s")
	old := strings.Repeat("o", 1000)
	for i := 0; i < 20; i++ { // 20 KB of old events, several segments
		e.put("g", "s", e.clock.Ms(), old)
		e.clock.Advance(time.Second)
	}
	e.clock.Advance(12 * time.Hour)
	fresh := e.clock.Ms()
	e.put("g", "s", fresh, "fresh-1", "fresh-2")
	if _, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	storedBytes := func() int64 {
		out, err := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
		if err != nil {
			t.Fatal(err)
		}
		return *out.LogGroups[0].StoredBytes
	}
	if got := storedBytes(); got != 20*1000+14 {
		t.Fatalf("storedBytes %d before expiry", got)
	}
	e.clock.Advance(13 * time.Hour) // old events are now > 1 day old, fresh ones 13 h
	got, _ := e.filterAll(cwl.FilterLogEventsInput{})
	if strings.Join(got, ",") != "s:fresh-1,s:fresh-2" {
		t.Fatalf("FilterLogEvents after expiry: %d events", len(got))
	}
	ev, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if messages(ev) != "fresh-1,fresh-2" {
		t.Fatalf("GetLogEvents after expiry: %s", messages(ev))
	}
	if got := storedBytes(); got != 14 {
		t.Fatalf("storedBytes %d after expiry, want 14", got)
	}
	segments := func() int {
		n := 0
		filepath.Walk(e.dir, func(path string, info os.FileInfo, err error) error {
			if err == nil && strings.HasSuffix(path, ".seg") {
				n++
			}
			return nil
		})
		return n
	}
	before := segments()
	// Segments go once every record's ingestion is 2 h past the cutoff.
	e.clock.Advance(3 * time.Hour)
	if err := e.svc.EnforceRetention(ctx); err != nil {
		t.Fatal(err)
	}
	after := segments()
	if after >= before {
		t.Fatalf("segments %d before, %d after EnforceRetention", before, after)
	}
	// Removing retention does not bring purged events back, also after a restart.
	if _, err := e.client.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	e.restart()
	if got, _ := e.filterAll(cwl.FilterLogEventsInput{}); len(got) != 2 {
		t.Fatalf("after DeleteRetentionPolicy and restart: %v", got)
	}
	if got := storedBytes(); got != 14 {
		t.Fatalf("storedBytes %d after restart", got)
	}
}

// TestOrphanLogsRemovedOnLoad: an event log no stream names (a crash
// between creating it and committing the stream) is removed at start.
func TestOrphanLogsRemovedOnLoad(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	orphan, err := e.logs.Log("logs/0123456789abcdef0123/7")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orphan.Append([]streamlog.Record{{Time: 1, Data: make([]byte, 9)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.logs.Log("kinesis/x/shardId-000000000000"); err != nil { // another service's log stays
		t.Fatal(err)
	}
	e.restart()
	names, err := e.logs.Names()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "kinesis/x/shardId-000000000000,"+logName(e.svc.groups["g"].meta.ID, 0) {
		t.Fatalf("logs after restart: %v", names)
	}
}
