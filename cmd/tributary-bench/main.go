// Command tributary-bench measures Tributary side by side with the local alternatives:
//
//	tributary-bench s3 [flags]       S3 against moto_server, with aws-sdk-go-v2
//	tributary-bench kinesis [flags]  Kinesis Data Streams against kinesalite and moto_server
//	tributary-bench logs [flags]     CloudWatch Logs against moto_server
//	tributary-bench pii [flags]      PII redaction: MB/s on one core per format, peak memory on 1 GiB NDJSON
//	tributary-bench lambda [flags]   Lambda: warm invoke latency and invokes/s, cold starts, Kinesis → Lambda records/s
//
// See tributary-bench s3 -h, tributary-bench kinesis -h, tributary-bench logs -h, tributary-bench pii -h and
// tributary-bench lambda -h.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tributary-dev/tributary/internal/bench"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = "usage: tributary-bench s3|kinesis|logs|pii|lambda [flags]   (tributary-bench s3 -h, kinesis -h, logs -h, pii -h, lambda -h for the flags)"

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	var measure func(ctx context.Context) error
	var err error
	switch args[0] {
	case "s3":
		var cfg bench.Config
		cfg, err = bench.ParseS3Flags(args[1:], stderr)
		measure = func(ctx context.Context) error { return bench.Run(ctx, cfg, stdout, stderr) }
	case "kinesis":
		var cfg bench.KinesisConfig
		cfg, err = bench.ParseKinesisFlags(args[1:], stderr)
		measure = func(ctx context.Context) error { return bench.RunKinesis(ctx, cfg, stdout, stderr) }
	case "logs":
		var cfg bench.LogsConfig
		cfg, err = bench.ParseLogsFlags(args[1:], stderr)
		measure = func(ctx context.Context) error { return bench.RunLogs(ctx, cfg, stdout, stderr) }
	case "pii":
		var cfg bench.PIIConfig
		cfg, err = bench.ParsePIIFlags(args[1:], stderr)
		measure = func(ctx context.Context) error { return bench.RunPII(ctx, cfg, stdout, stderr) }
	case "lambda":
		var cfg bench.LambdaConfig
		cfg, err = bench.ParseLambdaFlags(args[1:], stderr)
		measure = func(ctx context.Context) error { return bench.RunLambda(ctx, cfg, stdout, stderr) }
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "tributary-bench:", err)
		return 2
	}
	// The machine-wide CA bundle setting has no business in a plain-http loopback benchmark, and the
	// SDK fails if it cannot read it.
	os.Unsetenv("AWS_CA_BUNDLE")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := measure(ctx); err != nil {
		fmt.Fprintln(stderr, "tributary-bench:", err)
		return 1
	}
	return 0
}
