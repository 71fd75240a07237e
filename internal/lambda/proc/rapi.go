package proc

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The Lambda Runtime API (spec §2.1–2.2), served per instance. A listener
// belongs to one instance, so no request names its instance. The HTTP/1.1
// layer is rapiServer (httpconn.go); this file is the API itself.

const runtimePrefix = "/2018-06-01/runtime/"

var (
	statusOK         = []byte(`{"status":"OK"}`)
	errInvalidID     = []byte(`{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`)
	errTooLarge      = []byte(`{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`)
	errTransition    = []byte(`{"errorMessage":"State transition is not allowed","errorType":"InvalidStateTransition"}`)
	errNotFound      = []byte(`{"errorMessage":"Not Found","errorType":"NotFound"}`)
	errMethod        = []byte(`{"errorMessage":"Method Not Allowed","errorType":"MethodNotAllowed"}`)
	errReadBody      = []byte(`{"errorMessage":"Failed to read the request body","errorType":"InvalidRequest"}`)
	headerRequestID  = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline   = "Lambda-Runtime-Deadline-Ms"
	headerInvokedARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTrace      = "Lambda-Runtime-Trace-Id"
	headerClientCtx  = "Lambda-Runtime-Client-Context"
	headerCognito    = "Lambda-Runtime-Cognito-Identity"
)

// serve handles one request whose head has been read; the body is still
// unread. It returns false when the connection must be closed.
func (inst *instance) serve(rc *rconn, req *rreq) bool {
	path := req.target
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if strings.IndexByte(path, '%') >= 0 {
		if p, err := url.PathUnescape(path); err == nil {
			path = p
		}
	}
	rest, ok := strings.CutPrefix(path, runtimePrefix)
	if !ok {
		return rc.reply(req, http.StatusNotFound, errNotFound)
	}
	switch {
	case rest == "invocation/next":
		if req.method != http.MethodGet {
			return rc.reply(req, http.StatusMethodNotAllowed, errMethod)
		}
		if !rc.discardBody(req) {
			return false
		}
		return inst.next(rc, req)
	case rest == "init/error":
		if req.method != http.MethodPost {
			return rc.reply(req, http.StatusMethodNotAllowed, errMethod)
		}
		return inst.initError(rc, req)
	case strings.HasPrefix(rest, "invocation/"):
		id, verb, ok := strings.Cut(rest[len("invocation/"):], "/")
		if !ok || (verb != "response" && verb != "error") {
			return rc.reply(req, http.StatusNotFound, errNotFound)
		}
		if req.method != http.MethodPost {
			return rc.reply(req, http.StatusMethodNotAllowed, errMethod)
		}
		return inst.answer(rc, req, id, verb == "error")
	default:
		return rc.reply(req, http.StatusNotFound, errNotFound)
	}
}

// next registers rc as waiting for an event, or hands it the queued one. The
// wait never times out (the runtime waits between invocations for as long as
// the instance is warm); a waiting connection that closes gives up its place.
func (inst *instance) next(rc *rconn, req *rreq) bool {
	inst.mu.Lock()
	if !inst.nextSeen {
		inst.nextSeen = true
		inst.initDoneAt = time.Now()
	}
	rc.waitNext(req)
	if c := inst.queued; c != nil {
		inst.queued = nil
		inst.deliverLocked(c, rc) // unlocks
	} else {
		inst.waiters = append(inst.waiters, rc)
		inst.mu.Unlock()
	}
	return true
}

// dispatch hands c to a waiting GET /next, writing the event from the calling
// goroutine, or queues it for the next one.
func (inst *instance) dispatch(c *call) {
	inst.mu.Lock()
	if len(inst.waiters) == 0 {
		inst.queued = c
		inst.mu.Unlock()
		return
	}
	rc := inst.waiters[0]
	copy(inst.waiters, inst.waiters[1:])
	inst.waiters[len(inst.waiters)-1] = nil
	inst.waiters = inst.waiters[:len(inst.waiters)-1]
	inst.deliverLocked(c, rc)
}

// dropWaiter removes a connection that closed while waiting for an event.
func (inst *instance) dropWaiter(rc *rconn) {
	inst.mu.Lock()
	for i, w := range inst.waiters {
		if w == rc {
			inst.waiters = append(inst.waiters[:i], inst.waiters[i+1:]...)
			break
		}
	}
	inst.mu.Unlock()
}

// deliverLocked answers rc's GET /next with c. Called with mu held; unlocks it.
func (inst *instance) deliverLocked(c *call, rc *rconn) {
	now := time.Now()
	c.dispatchedAt = now
	c.deadline = now.Add(c.timeout)
	inst.cur = c
	inst.mu.Unlock()
	// Output printed before this point (init, or after the previous answer)
	// precedes START.
	inst.out.drain()
	inst.out.line("START RequestId: " + c.inv.RequestID + " Version: " + inst.version())
	close(c.dispatched)

	arn := c.inv.InvokedARN
	if arn == "" {
		arn = inst.fn.ARN
	}
	b := rc.startResponse(http.StatusOK)
	b = appendHeader(b, headerRequestID, c.inv.RequestID)
	b = appendHeader(b, headerDeadline, strconv.FormatInt(c.deadline.UnixMilli(), 10))
	b = appendHeader(b, headerInvokedARN, arn)
	b = appendHeader(b, headerTrace, c.trace)
	if c.inv.ClientContext != "" {
		b = appendHeader(b, headerClientCtx, c.inv.ClientContext)
	}
	if c.inv.CognitoIdentity != "" {
		b = appendHeader(b, headerCognito, c.inv.CognitoIdentity)
	}
	rc.finishResponse(b, &rc.nextReq, c.inv.Payload)
	rc.nextDelivered()
}

// answer handles POST /invocation/{id}/response and /error. Error bodies are
// passed to the caller byte for byte; Lambda-Runtime-Function-Error-Type is
// optional (awslambdaric never sends it here).
func (inst *instance) answer(rc *rconn, req *rreq, id string, isErr bool) bool {
	body, tooLarge, err := rc.readBody(req)
	if err != nil {
		rc.reply(req, http.StatusBadRequest, errReadBody)
		return false
	}
	inst.mu.Lock()
	c := inst.cur
	if c == nil || c.inv.RequestID != id {
		again := id != "" && id == inst.answered
		inst.mu.Unlock()
		if again {
			return rc.reply(req, http.StatusForbidden, errTransition)
		}
		return rc.reply(req, http.StatusBadRequest, errInvalidID)
	}
	inst.cur = nil
	inst.answered = id
	inst.mu.Unlock()
	if tooLarge {
		c.result <- answer{tooLarge: true, at: time.Now()}
		return rc.reply(req, http.StatusRequestEntityTooLarge, errTooLarge)
	}
	c.result <- answer{body: body, isErr: isErr, at: time.Now()}
	return rc.reply(req, http.StatusAccepted, statusOK)
}

// initError handles POST /runtime/init/error, allowed only before the first /next.
func (inst *instance) initError(rc *rconn, req *rreq) bool {
	body, _, err := rc.readBody(req)
	if err != nil {
		rc.reply(req, http.StatusBadRequest, errReadBody)
		return false
	}
	inst.mu.Lock()
	if inst.nextSeen || inst.initErr != nil {
		inst.mu.Unlock()
		return rc.reply(req, http.StatusForbidden, errTransition)
	}
	if len(body) == 0 {
		body = errorPayload("Runtime.Unknown", "Unknown init error")
	}
	inst.initErr = body
	close(inst.initErrCh)
	inst.mu.Unlock()
	return rc.reply(req, http.StatusAccepted, statusOK)
}
