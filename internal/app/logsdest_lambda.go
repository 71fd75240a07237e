package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/tributary-dev/tributary/internal/lambda"
	"github.com/tributary-dev/tributary/internal/logs"
)

// lambdaAsyncMax is the Event invocation payload limit; the awslogs
// wrapper and base64 take a third more than the gzip'd payload.
const lambdaAsyncMax = 1048576

// functionInvoker is what a Lambda log destination needs of the Lambda service.
type functionInvoker interface {
	MayInvoke(functionARN, service, sourceARN, sourceAccount string) error
	InvokeAsyncAs(ctx context.Context, functionARN, service, sourceARN, sourceAccount string, payload []byte) error
}

// logsPrincipal is the service principal CloudWatch Logs invokes as; the
// function's policy must allow it (AddPermission), as at AWS.
const logsPrincipal = "logs.amazonaws.com"

// lambdaDestination delivers each subscription payload as one Event
// invocation with {"awslogs":{"data":base64(gzip payload)}} (spec §3.2).
// The log group is not known here, so a policy's SourceArn condition is
// not checked (the principal is).
type lambdaDestination struct {
	fns     functionInvoker
	arn     string
	account string
}

func (d lambdaDestination) Probe(ctx context.Context, _ []byte) error {
	return d.fns.MayInvoke(d.arn, logsPrincipal, "", d.account)
}

func (d lambdaDestination) Deliver(ctx context.Context, _ string, payloads [][]byte) error {
	for _, p := range payloads {
		var b bytes.Buffer
		b.WriteString(`{"awslogs":{"data":"`)
		b.WriteString(base64.StdEncoding.EncodeToString(p))
		b.WriteString(`"}}`)
		err := d.fns.InvokeAsyncAs(ctx, d.arn, logsPrincipal, "", d.account, b.Bytes())
		if errors.Is(err, lambda.ErrFunctionNotFound) || errors.Is(err, lambda.ErrAccessDenied) {
			return fmt.Errorf("%w: %w", logs.ErrUndeliverable, err)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// MaxRecordBytes leaves room for the wrapper and base64 (4/3).
func (d lambdaDestination) MaxRecordBytes() int { return (lambdaAsyncMax - 64) / 4 * 3 }
