package logs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

const (
	kinesisARN  = "arn:aws:kinesis:us-east-1:123456789012:stream/logs-out"
	firehoseARN = "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs-out"
	lambdaARN   = "arn:aws:lambda:us-east-1:123456789012:function:logs-out"
	roleARN     = "arn:aws:iam::123456789012:role/cwl"
)

// subscribe puts a filter on group "g", with a role unless dest is a
// Lambda function (AWS refuses one there).
func (e *env) subscribe(name, pattern, dest string, distribution types.Distribution) error {
	role := aws.String(roleARN)
	if strings.HasPrefix(dest, "arn:aws:lambda:") {
		role = nil
	}
	return e.subscribeAs(name, pattern, dest, role, distribution)
}

func (e *env) subscribeAs(name, pattern, dest string, role *string, distribution types.Distribution) error {
	_, err := e.client.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String("g"),
		FilterName: aws.String(name), FilterPattern: aws.String(pattern), DestinationArn: aws.String(dest),
		RoleArn: role, Distribution: distribution})
	return err
}

func TestSubscriptionRoleRules(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.dests.add(kinesisARN, 1<<20)
	e.dests.add(firehoseARN, 1000*1024)
	e.dests.add(lambdaARN, 1<<20)
	cases := []struct {
		name, dest string
		role       *string
		message    string
	}{
		{"kinesis without a role", kinesisARN, nil, "destinationArn for vendor kinesis cannot be used without roleArn"},
		{"firehose without a role", firehoseARN, nil, "destinationArn for vendor firehose cannot be used without roleArn"},
		{"lambda with a role", lambdaARN, aws.String(roleARN), "destinationArn for vendor lambda cannot be used with roleArn"},
		{"kinesis with a role", kinesisARN, aws.String(roleARN), ""},
		{"lambda without a role", lambdaARN, nil, ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := e.subscribeAs(fmt.Sprintf("f%d", i%2), "", tc.dest, tc.role, "")
			if tc.message == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, codeInvalidParameter, tc.message)
		})
	}
}

func TestRegexFilterQuota(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.dests.add(kinesisARN, 1<<20)
	putMetric := func(name, pattern string) error {
		_, err := e.client.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"),
			FilterName: aws.String(name), FilterPattern: aws.String(pattern),
			MetricTransformations: []types.MetricTransformation{{MetricName: aws.String("M"),
				MetricNamespace: aws.String("N"), MetricValue: aws.String("1")}}})
		return err
	}
	for i := range 4 {
		if err := putMetric(fmt.Sprintf("re%d", i), `%ERR[0-9]+%`); err != nil {
			t.Fatal(err)
		}
	}
	if err := putMetric("plain", "ERROR"); err != nil {
		t.Fatal(err)
	}
	if err := e.subscribe("sub-re", `{ $.level = %ERR% }`, kinesisARN, ""); err != nil {
		t.Fatalf("fifth regex filter: %v", err)
	}
	wantCode(t, putMetric("re-sixth", `[ip, user=%adm.*%, ...]`), codeLimitExceeded, msgResourceLimit)
	wantCode(t, putMetric("plain", `%WARN%`), codeLimitExceeded, msgResourceLimit)
	wantCode(t, e.subscribe("sub-2", `%x%`, kinesisARN, ""), codeLimitExceeded, msgResourceLimit)
	// Updating a regex filter, or adding plain ones, stays possible.
	if err := putMetric("re0", `%ERR[0-9]{3}%`); err != nil {
		t.Fatalf("update of a regex filter: %v", err)
	}
	if err := e.subscribe("sub-re", `%FATAL%`, kinesisARN, ""); err != nil {
		t.Fatalf("update of a regex subscription: %v", err)
	}
	if err := e.subscribe("sub-2", "ERROR", kinesisARN, ""); err != nil {
		t.Fatal(err)
	}
}

func TestPutSubscriptionFilterErrors(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	down := e.dests.add(firehoseARN, 1000*1024)
	down.setFail(true)
	e.dests.add(kinesisARN, 1<<20)
	cases := []struct {
		name, filter, pattern, dest, code, message string
	}{
		{"kinesis stream missing", "f", "", "arn:aws:kinesis:us-east-1:123456789012:stream/missing", codeInvalidParameter,
			"Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state."},
		{"firehose down", "f", "", firehoseARN, codeInvalidParameter,
			"Could not deliver test message to specified Firehose stream. Check if the given Firehose stream is in ACTIVE state."},
		{"lambda missing", "f", "", lambdaARN, codeInvalidParameter,
			"Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function."},
		{"unparsable pattern", "f", `{ $.a = `, kinesisARN, codeInvalidParameter, msgInvalidFilterPattern},
		{"bad regex", "f", `%a(b)%`, kinesisARN, codeInvalidParameter, msgInvalidFilterPattern},
		{"unknown logical destination", "f", "", "arn:aws:logs:us-east-1:123456789012:destination:nope", codeResourceNotFound, msgDestinationNotFound},
		{"not a destination", "f", "", "arn:aws:s3:::bucket", codeInvalidParameter, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := e.subscribe(tc.filter, tc.pattern, tc.dest, "")
			if tc.message != "" {
				wantCode(t, err, tc.code, tc.message)
			} else {
				wantCode(t, err, tc.code)
			}
		})
	}
	out, err := e.client.DescribeSubscriptionFilters(ctx, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SubscriptionFilters) != 0 {
		t.Fatalf("failed creations left %d filters", len(out.SubscriptionFilters))
	}
	// Two filters; a third name is refused; the same name updates.
	for _, n := range []string{"one", "two"} {
		if err := e.subscribe(n, "ERROR", kinesisARN, ""); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, e.subscribe("three", "", kinesisARN, ""), codeLimitExceeded, msgResourceLimit)
	if err := e.subscribe("two", "WARN", kinesisARN, types.DistributionRandom); err != nil {
		t.Fatal(err)
	}
	out, err = e.client.DescribeSubscriptionFilters(ctx, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SubscriptionFilters) != 2 || *out.SubscriptionFilters[1].FilterPattern != "WARN" ||
		out.SubscriptionFilters[1].Distribution != types.DistributionRandom || out.SubscriptionFilters[0].Distribution != types.DistributionByLogStream ||
		*out.SubscriptionFilters[0].DestinationArn != kinesisARN || *out.SubscriptionFilters[0].LogGroupName != "g" {
		t.Fatalf("filters %+v", out.SubscriptionFilters)
	}
	if _, err := e.client.DeleteSubscriptionFilter(ctx, &cwl.DeleteSubscriptionFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("one")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteSubscriptionFilter(ctx, &cwl.DeleteSubscriptionFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("one")})
	wantCode(t, err, codeResourceNotFound)
	if err := e.subscribe("three", "", kinesisARN, ""); err != nil {
		t.Fatalf("after a delete a new filter fits: %v", err)
	}
}

func TestSubscriptionProbeIsControlMessage(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	for _, tc := range []struct{ arn, kind string }{{kinesisARN, "Kinesis stream"}, {firehoseARN, "Firehose"}, {lambdaARN, "Lambda"}} {
		d := e.dests.add(tc.arn, 1<<20)
		if err := e.subscribe("f", "", tc.arn, ""); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":%d,"message":"CWL CONTROL MESSAGE: Checking health of destination %s."}]}`, e.clock.Ms(), tc.kind)
		if len(d.probes) != 1 || string(gunzip(t, d.probes[0])) != want {
			t.Fatalf("probe of %s: %q", tc.arn, d.probes)
		}
	}
}

// TestSubscriptionDelivery: only events ingested after the filter exists
// and matching it are delivered, as AWS's DATA_MESSAGE, one group and
// stream per payload, with a stable partition key per stream.
func TestSubscriptionDelivery(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "eni-1")
	d := e.dests.add(kinesisARN, 1<<20)
	now := e.clock.Ms()
	e.put("g", "eni-1", now-10, "REJECT before the filter")
	if err := e.subscribe("to-kinesis", "REJECT", kinesisARN, ""); err != nil {
		t.Fatal(err)
	}
	e.put("g", "eni-1", now-5, "ACCEPT one", "REJECT two", `REJECT "three"`)
	e.createStream("g", "eni-2")
	e.put("g", "eni-2", now-4, "REJECT four")
	waitFor(t, "delivery", func() bool { return len(deliveredMessages(t, d)) == 3 })

	recs, _ := d.snapshot()
	if len(recs) != 2 {
		t.Fatalf("%d payloads, want one per stream", len(recs))
	}
	ids := map[string]string{}
	f, _ := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g")})
	for _, ev := range f.Events {
		ids[*ev.Message] = *ev.EventId
	}
	byStream := map[string]fakeRecord{}
	for _, r := range recs {
		byStream[decodePayload(t, r.payload).LogStream] = r
	}
	want1 := `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"g","logStream":"eni-1","subscriptionFilters":["to-kinesis"],"logEvents":[` +
		fmt.Sprintf(`{"id":"%s","timestamp":%d,"message":"REJECT two"},`, ids["REJECT two"], now-4) +
		fmt.Sprintf(`{"id":"%s","timestamp":%d,"message":"REJECT \"three\""}]}`, ids[`REJECT "three"`], now-3)
	if got := string(gunzip(t, byStream["eni-1"].payload)); got != want1 {
		t.Fatalf("payload\n got %s\nwant %s", got, want1)
	}
	m2 := decodePayload(t, byStream["eni-2"].payload)
	if m2.LogStream != "eni-2" || len(m2.LogEvents) != 1 || m2.LogEvents[0].Message != "REJECT four" {
		t.Fatalf("eni-2 payload %+v", m2)
	}
	if k1, k2 := byStream["eni-1"].key, byStream["eni-2"].key; k1 == "" || k1 == k2 || k1 != partitionKey("ByLogStream", "g", "eni-1") {
		t.Fatalf("partition keys %q %q", k1, k2)
	}
	// The same stream keeps its key.
	e.put("g", "eni-1", now, "REJECT five")
	waitFor(t, "second delivery", func() bool { return len(deliveredMessages(t, d)) == 4 })
	recs, _ = d.snapshot()
	if recs[2].key != byStream["eni-1"].key {
		t.Fatalf("key changed: %q then %q", byStream["eni-1"].key, recs[2].key)
	}
}

func TestSubscriptionSplitsToFit(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	d := e.dests.add(firehoseARN, 2000)
	if err := e.subscribe("f", "", firehoseARN, ""); err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for i := 0; i < 200; i++ {
		// Random-looking text so gzip cannot squeeze it below the limit.
		msgs = append(msgs, fmt.Sprintf("event %d %x", i, uint64(i)*0x9E3779B97F4A7C15))
	}
	e.put("g", "s", e.clock.Ms(), msgs...)
	waitFor(t, "delivery", func() bool { return len(deliveredMessages(t, d)) == len(msgs) })
	recs, _ := d.snapshot()
	if len(recs) < 2 {
		t.Fatalf("%d payloads: not split", len(recs))
	}
	for _, r := range recs {
		if len(r.payload) > 2000 {
			t.Fatalf("payload of %d bytes over the 2000-byte limit", len(r.payload))
		}
	}
	if got := deliveredMessages(t, d); strings.Join(got, "\n") != strings.Join(msgs, "\n") {
		t.Fatal("split payloads lost or reordered events")
	}
}

// TestSubscriptionRetryAndResume: a destination that is down is retried,
// and delivery resumes after a restart where it stopped, without sending
// acknowledged batches again.
func TestSubscriptionRetryAndResume(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	d := e.dests.add(kinesisARN, 1<<20)
	if err := e.subscribe("f", "", kinesisARN, ""); err != nil {
		t.Fatal(err)
	}
	e.put("g", "s", e.clock.Ms(), "a1", "a2")
	waitFor(t, "first delivery", func() bool { return len(deliveredMessages(t, d)) == 2 })

	d.setFail(true)
	e.put("g", "s", e.clock.Ms(), "b1")
	waitFor(t, "retries", func() bool { _, n := d.snapshot(); return n >= 4 })
	d.setFail(false)
	waitFor(t, "delivery after recovery", func() bool { return len(deliveredMessages(t, d)) == 3 })

	d.setFail(true)
	e.put("g", "s", e.clock.Ms(), "c1", "c2")
	e.restart()
	d.setFail(false)
	waitFor(t, "delivery after restart", func() bool { return len(deliveredMessages(t, d)) == 5 })
	if got := strings.Join(deliveredMessages(t, d), ","); got != "a1,a2,b1,c1,c2" {
		t.Fatalf("delivered %s", got)
	}
}

func TestSubscriptionToLogicalDestination(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	d := e.dests.add(kinesisARN, 1<<20)
	out, err := e.client.PutDestination(ctx, &cwl.PutDestinationInput{DestinationName: aws.String("central"),
		TargetArn: aws.String(kinesisARN), RoleArn: aws.String(roleARN)})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Destination.Arn != "arn:aws:logs:us-east-1:123456789012:destination:central" || *out.Destination.TargetArn != kinesisARN {
		t.Fatalf("destination %+v", out.Destination)
	}
	if _, err := e.client.PutDestinationPolicy(ctx, &cwl.PutDestinationPolicyInput{DestinationName: aws.String("central"),
		AccessPolicy: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.PutDestinationPolicy(ctx, &cwl.PutDestinationPolicyInput{DestinationName: aws.String("central"), AccessPolicy: aws.String(`{`)})
	wantCode(t, err, codeInvalidParameter)
	desc, err := e.client.DescribeDestinations(ctx, &cwl.DescribeDestinationsInput{DestinationNamePrefix: aws.String("cen")})
	if err != nil {
		t.Fatal(err)
	}
	if len(desc.Destinations) != 1 || !strings.Contains(aws.ToString(desc.Destinations[0].AccessPolicy), "2012-10-17") {
		t.Fatalf("destinations %+v", desc.Destinations)
	}
	if err := e.subscribe("f", "", *out.Destination.Arn, ""); err != nil {
		t.Fatal(err)
	}
	e.put("g", "s", e.clock.Ms(), "via destination")
	waitFor(t, "delivery", func() bool { return len(deliveredMessages(t, d)) == 1 })
	if _, err := e.client.DeleteDestination(ctx, &cwl.DeleteDestinationInput{DestinationName: aws.String("central")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteDestination(ctx, &cwl.DeleteDestinationInput{DestinationName: aws.String("central")})
	wantCode(t, err, codeResourceNotFound, msgDestinationNotFound)
}

func TestLambdaEvent(t *testing.T) {
	payload := gzipBytes([]byte(`{"messageType":"DATA_MESSAGE"}`))
	got := string(LambdaEvent(payload))
	if !strings.HasPrefix(got, `{"awslogs":{"data":"H4sI`) || !strings.HasSuffix(got, `"}}`) {
		t.Fatalf("lambda event %s", got)
	}
}

// TestSubscriptionDropsWhatAWSDrops: a final destination error drops the
// batch at once; a retryable one is retried for 24 h of the service clock,
// then the batch is dropped; later events flow again.
func TestSubscriptionDropsWhatAWSDrops(t *testing.T) {
	e := newEnv(t)
	e.svc.Stop(ctx) // passes run synchronously below
	e.createGroup("g")
	e.createStream("g", "s")
	d := e.dests.add(kinesisARN, 1<<20)
	if err := e.subscribe("f", "", kinesisARN, ""); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	d.fail, d.failErr = true, fmt.Errorf("stream deleted: %w", ErrUndeliverable)
	d.mu.Unlock()
	e.put("g", "s", e.clock.Ms(), "dropped at once")
	if err := e.svc.DeliverSubscriptions(ctx); err != nil {
		t.Fatalf("final error not dropped: %v", err)
	}

	d.mu.Lock()
	d.failErr = nil // retryable from now on
	d.mu.Unlock()
	e.put("g", "s", e.clock.Ms(), "retried then dropped")
	for i := 0; i < 3; i++ {
		if err := e.svc.DeliverSubscriptions(ctx); err == nil {
			t.Fatal("a retryable failure was not reported")
		}
		e.clock.Advance(8 * time.Hour)
	}
	e.clock.Advance(time.Hour) // 25 h after the first failure
	if err := e.svc.DeliverSubscriptions(ctx); err != nil {
		t.Fatalf("after 24 h the batch is dropped: %v", err)
	}
	d.setFail(false)
	e.put("g", "s", e.clock.Ms(), "delivered")
	if err := e.svc.DeliverSubscriptions(ctx); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(deliveredMessages(t, d), ","); got != "delivered" {
		t.Fatalf("delivered %q", got)
	}
}
