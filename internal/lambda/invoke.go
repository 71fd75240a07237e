package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/lambda/proc"
)

// Payload limits (spec §1.5).
const (
	maxSyncPayload    = 6291456
	maxAsyncPayload   = 1048576
	maxClientContext  = 3583
	throttleRetrySecs = 1
)

var (
	// ErrFunctionNotFound: the function (or qualifier) an in-process caller
	// named does not exist.
	ErrFunctionNotFound = errors.New("lambda: function not found")
	// ErrAccessDenied: the function's policy does not let the calling
	// service invoke it.
	ErrAccessDenied = errors.New("lambda: the function's resource policy does not allow this service")
)

// procFunction is the revision as proc runs it.
func (s *Service) procFunction(t target) (proc.Function, error) {
	dir, err := s.ensureUnpacked(t.rec.Name, t.ver.CodeSha256)
	if err != nil {
		return proc.Function{}, err
	}
	reserved := -1
	if t.rec.Reserved != nil {
		reserved = int(*t.rec.Reserved)
	}
	return proc.Function{
		Key:                 t.rec.Name + "|" + t.ver.Version + "|" + t.ver.RevisionId,
		Name:                t.rec.Name,
		Version:             t.ver.Version,
		ARN:                 s.functionARN(t.rec.Name),
		Runtime:             t.ver.Runtime,
		Handler:             t.ver.Handler,
		CodeDir:             dir,
		MemoryMB:            t.ver.MemorySize,
		Timeout:             time.Duration(t.ver.Timeout) * time.Second,
		Env:                 t.ver.Env,
		Region:              s.cfg.Region,
		Credentials:         s.cfg.Credentials,
		Endpoint:            s.cfg.Endpoint(),
		ReservedConcurrency: reserved,
	}, nil
}

// run invokes a resolved revision synchronously.
func (s *Service) run(ctx context.Context, t target, inv proc.Invocation) (proc.Result, error) {
	fn, err := s.procFunction(t)
	if err != nil {
		return proc.Result{}, awsproto.Internal(err)
	}
	if inv.RequestID == "" {
		inv.RequestID = newUUID()
	}
	if inv.InvokedARN == "" {
		inv.InvokedARN = s.qualifiedARN(t.rec.Name, t.qualifier)
	}
	return s.cfg.Exec.Invoke(ctx, fn, inv)
}

// execError maps proc's Go errors to the API's.
func execError(err error, runtime string) error {
	var te *proc.ThrottleError
	switch {
	case errors.As(err, &te):
		return errThrottled(te.Reason, throttleRetrySecs)
	case errors.Is(err, proc.ErrUnsupportedRuntime):
		return apiErrorf(http.StatusBadGateway, codeInvalidRuntime,
			"The runtime parameter of %s is not supported by Tributary: it runs python, nodejs and provided runtimes", runtime)
	}
	return err
}

func (s *Service) invoke(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	t, err := s.resolve(rt.PathParams["FunctionName"], r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	invType := r.Header.Get("X-Amz-Invocation-Type")
	logType := r.Header.Get("X-Amz-Log-Type")
	var v awsproto.Validation
	switch invType {
	case "", "RequestResponse", "Event", "DryRun":
	default:
		v.Add(invType, "invocationType", awsproto.ConstraintEnum("Event", "RequestResponse", "DryRun"))
	}
	switch logType {
	case "", "None", "Tail":
	default:
		v.Add(logType, "logType", awsproto.ConstraintEnum("None", "Tail"))
	}
	if err := errValidation(&v); err != nil {
		return err
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxSyncPayload+1))
	if err != nil {
		return err
	}
	if invType == "Event" && len(payload) > maxAsyncPayload {
		return apiErrorf(http.StatusRequestEntityTooLarge, codeTooLarge,
			"%d byte payload is too large for the Event invocation type (limit %d bytes)", len(payload), maxAsyncPayload)
	}
	if len(payload) > maxSyncPayload {
		return apiErrorf(http.StatusRequestEntityTooLarge, codeTooLarge,
			"Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload)
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	} else if err := json.Unmarshal(payload, new(json.RawMessage)); err != nil {
		return apiErrorf(http.StatusBadRequest, codeInvalidContent,
			"Could not parse request body into json: Could not parse payload into json: %s", jsonErrorText(err))
	}
	clientContext := ""
	if cc := r.Header.Get("X-Amz-Client-Context"); cc != "" && invType != "Event" {
		if len(cc) > maxClientContext {
			return apiErrorf(http.StatusBadRequest, codeInvalidParameter,
				"Client context must be %d bytes or less", maxClientContext)
		}
		dec, err := base64.StdEncoding.DecodeString(cc)
		if err != nil || !json.Valid(dec) {
			return apiError(http.StatusBadRequest, codeInvalidContent,
				"Client context must be a valid Base64-encoded JSON object.")
		}
		clientContext = string(dec)
	}

	switch invType {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return nil
	case "Event":
		if err := s.enqueue(t, newUUID(), payload); err != nil {
			return err
		}
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusAccepted)
		return nil
	}

	res, err := s.run(r.Context(), t, proc.Invocation{Payload: payload, ClientContext: clientContext,
		Tail: logType == "Tail", InvokedARN: s.qualifiedARN(t.rec.Name, t.qualifier)})
	if err != nil {
		return execError(err, t.ver.Runtime)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", t.ver.Version)
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if logType == "Tail" {
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString(res.LogTail))
	}
	h.Set("Content-Length", strconv.Itoa(len(res.Payload)))
	w.WriteHeader(http.StatusOK)
	w.Write(res.Payload) // a failed write means the client went away
	return nil
}

// jsonErrorText is the parser's complaint without Go's "invalid character" prefix noise.
func jsonErrorText(err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, "json: ")
}

// resolveARN resolves a function ARN (or name), qualified or not, for
// in-process callers.
func (s *Service) resolveARN(functionARN string) (target, error) {
	t, err := s.resolve(functionARN, "")
	if err != nil {
		if e := awsproto.As(err); e != nil && e.Code == codeNotFound {
			return target{}, fmt.Errorf("%w: %s", ErrFunctionNotFound, functionARN)
		}
		return target{}, err
	}
	return t, nil
}

// InvokeSync invokes a function synchronously for an in-process caller
// (event source mappings): it returns the function's answer and
// FunctionError ("" or "Unhandled"). Throttles come back as errors
// (*awsproto.Error TooManyRequestsException); a missing function wraps
// ErrFunctionNotFound.
func (s *Service) InvokeSync(ctx context.Context, functionARN string, payload []byte) ([]byte, string, error) {
	t, err := s.resolveARN(functionARN)
	if err != nil {
		return nil, "", err
	}
	res, err := s.run(ctx, t, proc.Invocation{Payload: payload})
	if err != nil {
		return nil, "", execError(err, t.ver.Runtime)
	}
	return res.Payload, res.FunctionError, nil
}

// InvokeAsyncAs queues an Event invocation on behalf of an AWS service
// principal (logs.amazonaws.com, s3.amazonaws.com) after checking the
// function's resource policy, as AWS does for service invocations.
func (s *Service) InvokeAsyncAs(ctx context.Context, functionARN, service, sourceARN, sourceAccount string, payload []byte) error {
	t, err := s.resolveARN(functionARN)
	if err != nil {
		return err
	}
	if !t.rec.allows(t.qualifier, service, sourceARN, sourceAccount) {
		return fmt.Errorf("%w: %s may not invoke %s", ErrAccessDenied, service, functionARN)
	}
	if len(payload) > maxAsyncPayload {
		return apiErrorf(http.StatusRequestEntityTooLarge, codeTooLarge,
			"%d byte payload is too large for the Event invocation type (limit %d bytes)", len(payload), maxAsyncPayload)
	}
	return s.enqueue(t, newUUID(), payload)
}

// MayInvoke reports whether the function exists and its policy lets the
// service principal invoke it (probes before a subscription is accepted).
func (s *Service) MayInvoke(functionARN, service, sourceARN, sourceAccount string) error {
	t, err := s.resolveARN(functionARN)
	if err != nil {
		return err
	}
	if !t.rec.allows(t.qualifier, service, sourceARN, sourceAccount) {
		return fmt.Errorf("%w: %s may not invoke %s", ErrAccessDenied, service, functionARN)
	}
	return nil
}
