// Command tributary runs the AWS data-pipeline services (S3, and more to
// come) on one local endpoint. `tributary serve` (the default) starts the
// server; `tributary flowlogs` writes VPC flow log records into a log group
// (a load generator); `tributary redact` redacts personal data from stdin to
// stdout; `tributary version` prints the version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/tributary-dev/tributary/internal/app"
	"github.com/tributary-dev/tributary/internal/config"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := config.Load(args, os.Getenv, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "tributary: %v\n", err)
			return 2
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := app.Run(ctx, cfg, versionString(), stdout, stderr); err != nil {
			fmt.Fprintf(stderr, "tributary: %v\n", err)
			return 1
		}
		return 0
	case "flowlogs":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runFlowLogs(ctx, args, os.Getenv, stdout, stderr)
	case "redact":
		return runRedact(args, os.LookupEnv, os.Stdin, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "tributary %s\n", versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprintf(stdout, "usage: tributary [serve] [flags]   start the server (tributary serve -help lists the flags)\n       tributary flowlogs [flags] write VPC flow log records into a log group (tributary flowlogs -help)\n       tributary redact [flags]   redact personal data from stdin to stdout (tributary redact -help)\n       tributary version          print the version\n")
		return 0
	default:
		fmt.Fprintf(stderr, "tributary: unknown command %q (want serve, flowlogs, redact or version)\n", cmd)
		return 2
	}
}

// versionString is the -X version, else the module version or VCS revision
// the binary was built from.
func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "dev-" + rev
}
