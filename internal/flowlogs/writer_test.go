package flowlogs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/tributary-dev/tributary/internal/awstest"
	"github.com/tributary-dev/tributary/internal/flowlogs"
)

func client(srv *awstest.Server, secret string) *flowlogs.Client {
	return &flowlogs.Client{Endpoint: srv.Endpoint, Region: srv.Config.Region, AccessKeyID: "test", SecretKey: secret, HTTP: awstest.HTTPClient()}
}

// Write creates the group and one stream per interface and puts exactly
// Count records through the signed JSON API.
func TestWriteCount(t *testing.T) {
	ctx := context.Background()
	srv := awstest.Start(t)
	st, err := flowlogs.Write(ctx, client(srv, "test"), flowlogs.WriteOptions{LogGroup: "flows", ENIs: 3, Rate: 20_000,
		Count: 1500, RejectRatio: 0.4, Seed: 1, AccountID: srv.Config.AccountID, Tick: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != 1500 || st.Calls < 3 || st.RejectedSSH == 0 {
		t.Fatalf("stats %+v", st)
	}
	cwl := srv.Logs(t)
	streams, err := cwl.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("flows")})
	if err != nil {
		t.Fatal(err)
	}
	if len(streams.LogStreams) != 3 {
		t.Fatalf("%d streams, want 3", len(streams.LogStreams))
	}
	count := func(pattern string) int {
		n := 0
		p := cloudwatchlogs.NewFilterLogEventsPaginator(cwl, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("flows"), FilterPattern: aws.String(pattern)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range out.Events {
				if _, err := flowlogs.Parse(aws.ToString(e.Message)); err != nil {
					t.Fatal(err)
				}
			}
			n += len(out.Events)
		}
		return n
	}
	if n := count(""); n != 1500 {
		t.Fatalf("%d events stored, want 1500", n)
	}
	ssh := `[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`
	if n := count(ssh); n != st.RejectedSSH {
		t.Fatalf("%d rejected SSH events stored, the writer counted %d", n, st.RejectedSSH)
	}
	// Again into the same group: existing group and streams are fine.
	if _, err := flowlogs.Write(ctx, client(srv, "test"), flowlogs.WriteOptions{LogGroup: "flows", ENIs: 3, Rate: 20_000, Count: 10, Seed: 1}); err != nil {
		t.Fatal(err)
	}
}

// The rate holds over a duration.
func TestWriteRate(t *testing.T) {
	srv := awstest.Start(t)
	st, err := flowlogs.Write(context.Background(), client(srv, "test"), flowlogs.WriteOptions{LogGroup: "flows", ENIs: 2, Rate: 400,
		Duration: 500 * time.Millisecond, Tick: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if st.Events < 180 || st.Events > 200 {
		t.Fatalf("%d events in 500 ms at 400/s, want 180..200", st.Events)
	}
}

func TestWriteErrors(t *testing.T) {
	srv := awstest.Start(t)
	_, err := flowlogs.Write(context.Background(), client(srv, "wrong secret"), flowlogs.WriteOptions{LogGroup: "g", ENIs: 1, Rate: 10, Count: 1})
	var ae *flowlogs.APIError
	if !errors.As(err, &ae) || ae.Code != "InvalidSignatureException" && ae.Code != "SignatureDoesNotMatch" {
		t.Fatalf("bad secret: %v", err)
	}
	for _, opts := range []flowlogs.WriteOptions{{ENIs: 1, Rate: 1}, {LogGroup: "g", ENIs: 0, Rate: 1}, {LogGroup: "g", ENIs: 1}, {LogGroup: "g", ENIs: 1, Rate: 1, RejectRatio: 2}} {
		if _, err := flowlogs.Write(context.Background(), client(srv, "test"), opts); err == nil {
			t.Errorf("%+v accepted", opts)
		}
	}
}
