package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/tributary-dev/tributary/internal/flowlogs"
)

// runFlowLogs is `tributary flowlogs`: it writes generated VPC flow log
// records (version 2) into a log group through the public API, the load
// of the issue-5 pipeline (flow logs → subscription filter → Kinesis).
func runFlowLogs(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tributary flowlogs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "http://localhost:4566", "Tributary (or CloudWatch Logs) endpoint")
	region := fs.String("region", envOr(getenv, "us-east-1", "AWS_REGION", "AWS_DEFAULT_REGION"), "signing region (env AWS_REGION)")
	account := fs.String("account", "000000000000", "account id written in the records")
	group := fs.String("log-group", "vpc-flow-logs", "log group to write to (created if missing)")
	enis := fs.Int("enis", 4, "network interfaces: one log stream eni-<id>-all each")
	rate := fs.Float64("rate", 1000, "events per second, all streams together")
	duration := fs.Duration("duration", 0, "stop after this long (0: until --count or Ctrl-C)")
	count := fs.Int("count", 0, "stop after this many events (0: until --duration or Ctrl-C)")
	reject := fs.Float64("reject-ratio", 0.1, "share of traffic records that are REJECT")
	seed := fs.Uint64("seed", 1, "random seed: the same seed writes the same records")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: tributary flowlogs [flags]\n  writes VPC flow log records (version 2) into a log group; credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (default test/test)\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tributary flowlogs: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	c := &flowlogs.Client{Endpoint: *endpoint, Region: *region,
		AccessKeyID: envOr(getenv, "test", "AWS_ACCESS_KEY_ID"), SecretKey: envOr(getenv, "test", "AWS_SECRET_ACCESS_KEY"),
		SessionToken: getenv("AWS_SESSION_TOKEN")}
	st, err := flowlogs.Write(ctx, c, flowlogs.WriteOptions{LogGroup: *group, ENIs: *enis, Rate: *rate, Duration: *duration,
		Count: *count, RejectRatio: *reject, Seed: *seed, AccountID: *account})
	if err != nil {
		fmt.Fprintf(stderr, "tributary flowlogs: %v\n", err)
		return 1
	}
	perSec := 0.0
	if st.Elapsed > 0 {
		perSec = float64(st.Events) / st.Elapsed.Seconds()
	}
	fmt.Fprintf(stdout, "wrote %d flow records (%d rejected SSH) to %s in %d PutLogEvents calls over %s (%.0f events/s)\n",
		st.Events, st.RejectedSSH, *group, st.Calls, st.Elapsed.Round(time.Millisecond), perSec)
	return 0
}

// envOr is the first non-empty variable of names, else def.
func envOr(getenv func(string) string, def string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return def
}
