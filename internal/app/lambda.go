package app

import (
	"context"
	"path/filepath"
	"sync/atomic"

	"github.com/tributary-dev/tributary/internal/config"
	"github.com/tributary-dev/tributary/internal/lambda"
	"github.com/tributary-dev/tributary/internal/lambda/proc"
	"github.com/tributary-dev/tributary/internal/logs"
)

// logSink adapts the Logs service to proc.LogSink: function output goes
// to /aws/lambda/<function> like any other log event (subscriptions,
// FilterLogEvents, retention all apply).
// The Logs service is built after the pool (Logs' subscriptions deliver to
// Lambda), so the field is set right after; nothing is invoked before.
type logSink struct{ logs *logs.Service }

func (l *logSink) PutLogEvents(ctx context.Context, group, stream string, events []proc.LogEvent) error {
	out := make([]logs.InProcessEvent, len(events))
	for i, e := range events {
		out[i] = logs.InProcessEvent{Timestamp: e.Timestamp, Message: e.Message}
	}
	return l.logs.PutLogEventsInProcess(ctx, group, stream, out)
}

// functionCredentials are the keys a function process receives: the
// server's first configured credential, so the SDK inside a function signs
// requests Tributary accepts (spec §2.5; no STS role sessions yet).
func functionCredentials(cfg config.Config) proc.Credentials {
	if len(cfg.Credentials) > 0 {
		c := cfg.Credentials[0]
		return proc.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}
	}
	// --allow-any-credentials without a list: any key signs.
	return proc.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
}

// lambdaDirs are the pool's runtime files and the stored code.
func lambdaDirs(dataDir string) (work, code string) {
	return filepath.Join(dataDir, "lambda", "runtime"), filepath.Join(dataDir, "lambda", "code")
}

// endpointHolder carries the listen URL, known only once the listener is
// open (after the services are built), to the functions' AWS_ENDPOINT_URL.
type endpointHolder struct{ v atomic.Pointer[string] }

func (e *endpointHolder) set(url string) { e.v.Store(&url) }

func (e *endpointHolder) get() string {
	if p := e.v.Load(); p != nil {
		return *p
	}
	return ""
}

// lambdaInvoker is esm.Invoker over the Lambda service, set once built.
type lambdaInvoker struct{ svc *lambda.Service }

func (l *lambdaInvoker) InvokeSync(ctx context.Context, functionARN string, payload []byte) ([]byte, string, error) {
	return l.svc.InvokeSync(ctx, functionARN, payload)
}
