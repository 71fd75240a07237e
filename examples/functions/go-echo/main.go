// Command go-echo is a Lambda function for the provided.al2023 runtime, built
// with github.com/aws/aws-lambda-go. It echoes its event with what the
// function sees of its invocation (context, environment) and lets the event
// drive failure cases:
//
//	{"panic": "msg"}     panics (aws-lambda-go posts /error, then exits)
//	{"error": "msg"}     returns errors.New(msg)
//	{"sleep_ms": 500}    sleeps before answering
//	{"print": ["a","b"]} prints each line to stdout
//	{"exit": 3}          exits with that status
//
// Build (the zip's bootstrap):
//
//	GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./examples/functions/go-echo
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Panic   string   `json:"panic,omitempty"`
	Error   string   `json:"error,omitempty"`
	SleepMS int      `json:"sleep_ms,omitempty"`
	Print   []string `json:"print,omitempty"`
	Exit    *int     `json:"exit,omitempty"`
	Value   any      `json:"value,omitempty"`
}

type reply struct {
	Event        event             `json:"event"`
	RequestID    string            `json:"request_id"`
	InvokedARN   string            `json:"invoked_arn"`
	FunctionName string            `json:"function_name"`
	Version      string            `json:"version"`
	MemoryMB     int               `json:"memory_mb"`
	LogGroup     string            `json:"log_group"`
	LogStream    string            `json:"log_stream"`
	RemainingMS  int64             `json:"remaining_ms"`
	Invocations  int               `json:"invocations"`
	Env          map[string]string `json:"env"`
	Build        string            `json:"build"`
}

// invocations counts invocations of this process: warm reuse shows as > 1.
var invocations int

// build labels the binary (go build -ldflags "-X main.build=2"), so a test
// can tell new code from old after UpdateFunctionCode.
var build = "1"

func handle(ctx context.Context, ev event) (reply, error) {
	invocations++
	for _, line := range ev.Print {
		fmt.Println(line)
	}
	if ev.SleepMS > 0 {
		time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
	}
	if ev.Exit != nil {
		os.Exit(*ev.Exit)
	}
	if ev.Panic != "" {
		panic(ev.Panic)
	}
	if ev.Error != "" {
		return reply{}, errors.New(ev.Error)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	r := reply{
		Event:        ev,
		FunctionName: lambdacontext.FunctionName,
		Version:      lambdacontext.FunctionVersion,
		MemoryMB:     lambdacontext.MemoryLimitInMB,
		LogGroup:     lambdacontext.LogGroupName,
		LogStream:    lambdacontext.LogStreamName,
		Invocations:  invocations,
		Env:          map[string]string{},
		Build:        build,
	}
	if lc != nil {
		r.RequestID = lc.AwsRequestID
		r.InvokedARN = lc.InvokedFunctionArn
	}
	if d, ok := ctx.Deadline(); ok {
		r.RemainingMS = time.Until(d).Milliseconds()
	}
	for _, k := range []string{"AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_LAMBDA_RUNTIME_API", "_X_AMZN_TRACE_ID", "TZ", "AWS_EXECUTION_ENV"} {
		if v, ok := os.LookupEnv(k); ok {
			r.Env[k] = v
		}
	}
	return r, nil
}

func main() { lambda.Start(handle) }
