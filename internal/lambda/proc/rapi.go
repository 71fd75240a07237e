package proc

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Lambda Runtime API (spec §2.1–2.2), served per instance. A listener
// belongs to one instance, so no request names its instance.

const runtimePrefix = "/2018-06-01/runtime/"

var (
	statusOK         = []byte(`{"status":"OK"}`)
	errInvalidID     = []byte(`{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`)
	errTooLarge      = []byte(`{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`)
	errTransition    = []byte(`{"errorMessage":"State transition is not allowed","errorType":"InvalidStateTransition"}`)
	errNotFound      = []byte(`{"errorMessage":"Not Found","errorType":"NotFound"}`)
	errMethod        = []byte(`{"errorMessage":"Method Not Allowed","errorType":"MethodNotAllowed"}`)
	errReadBody      = []byte(`{"errorMessage":"Failed to read the request body","errorType":"InvalidRequest"}`)
	headerJSON       = []string{"application/json"}
	headerRequestID  = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline   = "Lambda-Runtime-Deadline-Ms"
	headerInvokedARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTrace      = "Lambda-Runtime-Trace-Id"
	headerClientCtx  = "Lambda-Runtime-Client-Context"
	headerCognito    = "Lambda-Runtime-Cognito-Identity"
)

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = headerJSON
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}

func (inst *instance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, runtimePrefix)
	if !ok {
		writeJSON(w, http.StatusNotFound, errNotFound)
		return
	}
	switch {
	case rest == "invocation/next":
		if r.Method != http.MethodGet {
			writeJSON(w, http.StatusMethodNotAllowed, errMethod)
			return
		}
		inst.next(w, r)
	case rest == "init/error":
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, errMethod)
			return
		}
		inst.initError(w, r)
	case strings.HasPrefix(rest, "invocation/"):
		id, verb, ok := strings.Cut(rest[len("invocation/"):], "/")
		if !ok || (verb != "response" && verb != "error") {
			writeJSON(w, http.StatusNotFound, errNotFound)
			return
		}
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, errMethod)
			return
		}
		inst.answer(w, r, id, verb == "error")
	default:
		writeJSON(w, http.StatusNotFound, errNotFound)
	}
}

// next blocks until an event exists; never times out (the runtime waits
// between invocations for as long as the instance is warm).
func (inst *instance) next(w http.ResponseWriter, r *http.Request) {
	inst.mu.Lock()
	if !inst.nextSeen {
		inst.nextSeen = true
		inst.initDoneAt = time.Now()
	}
	inst.mu.Unlock()
	var c *call
	select {
	case c = <-inst.pending:
	case <-r.Context().Done():
		return
	}
	now := time.Now()
	inst.mu.Lock()
	c.dispatchedAt = now
	c.deadline = now.Add(c.timeout)
	inst.cur = c
	inst.mu.Unlock()
	// Output printed before this point (init, or after the previous answer)
	// precedes START.
	inst.out.drain()
	inst.out.line("START RequestId: " + c.inv.RequestID + " Version: " + inst.version())
	close(c.dispatched)

	h := w.Header()
	h["Content-Type"] = headerJSON
	h[headerRequestID] = []string{c.inv.RequestID}
	h[headerDeadline] = []string{strconv.FormatInt(c.deadline.UnixMilli(), 10)}
	arn := c.inv.InvokedARN
	if arn == "" {
		arn = inst.fn.ARN
	}
	h[headerInvokedARN] = []string{arn}
	h[headerTrace] = []string{c.trace}
	if c.inv.ClientContext != "" {
		h[headerClientCtx] = []string{c.inv.ClientContext}
	}
	if c.inv.CognitoIdentity != "" {
		h[headerCognito] = []string{c.inv.CognitoIdentity}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(c.inv.Payload))}
	w.WriteHeader(http.StatusOK)
	w.Write(c.inv.Payload)
}

// readBody reads a body (Content-Length or chunked with trailers) up to
// maxResponse bytes; tooLarge reports a longer one. A longer body is still read
// to its end: answering before would close the connection under a runtime
// that is still sending, and it would treat the broken pipe as fatal.
func readBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > maxResponse {
		_, err := io.Copy(io.Discard, r.Body)
		return nil, true, err
	}
	size := 512
	if r.ContentLength >= 0 {
		size = int(r.ContentLength) + 1
	}
	buf := make([]byte, 0, size)
	lr := io.LimitReader(r.Body, maxResponse+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
	}
	if len(buf) > maxResponse {
		_, err := io.Copy(io.Discard, r.Body)
		return nil, true, err
	}
	return buf, false, nil
}

// answer handles POST /invocation/{id}/response and /error. Error bodies are
// passed to the caller byte for byte; Lambda-Runtime-Function-Error-Type is
// optional (awslambdaric never sends it here).
func (inst *instance) answer(w http.ResponseWriter, r *http.Request, id string, isErr bool) {
	body, tooLarge, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errReadBody)
		return
	}
	inst.mu.Lock()
	c := inst.cur
	if c == nil || c.inv.RequestID != id {
		again := id != "" && id == inst.answered
		inst.mu.Unlock()
		if again {
			writeJSON(w, http.StatusForbidden, errTransition)
		} else {
			writeJSON(w, http.StatusBadRequest, errInvalidID)
		}
		return
	}
	inst.cur = nil
	inst.answered = id
	inst.mu.Unlock()
	if tooLarge {
		c.result <- answer{tooLarge: true, at: time.Now()}
		writeJSON(w, http.StatusRequestEntityTooLarge, errTooLarge)
		return
	}
	c.result <- answer{body: body, isErr: isErr, at: time.Now()}
	writeJSON(w, http.StatusAccepted, statusOK)
}

// initError handles POST /runtime/init/error, allowed only before the first /next.
func (inst *instance) initError(w http.ResponseWriter, r *http.Request) {
	body, _, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errReadBody)
		return
	}
	inst.mu.Lock()
	if inst.nextSeen || inst.initErr != nil {
		inst.mu.Unlock()
		writeJSON(w, http.StatusForbidden, errTransition)
		return
	}
	if len(body) == 0 {
		body = errorPayload("Runtime.Unknown", "Unknown init error")
	}
	inst.initErr = body
	close(inst.initErrCh)
	inst.mu.Unlock()
	writeJSON(w, http.StatusAccepted, statusOK)
}
