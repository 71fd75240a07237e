// Command tributary-bench measures S3 servers, Tributary and moto_server side by side, with
// aws-sdk-go-v2. Usage: tributary-bench s3 [flags]; see tributary-bench s3 -h.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/tributary-dev/tributary/internal/bench"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 || args[0] != "s3" {
		fmt.Fprintln(os.Stderr, "usage: tributary-bench s3 [flags]   (tributary-bench s3 -h for the flags)")
		return 2
	}
	cfg, err := bench.ParseS3Flags(args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tributary-bench:", err)
		return 2
	}
	// The machine-wide CA bundle setting has no business in a plain-http loopback benchmark, and the
	// SDK fails if it cannot read it.
	os.Unsetenv("AWS_CA_BUNDLE")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench.Run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tributary-bench:", err)
		return 1
	}
	return 0
}
