package proc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const (
	// initLimit bounds the init phase (AWS: 10 s), on top of the function's timeout.
	initLimit = 10 * time.Second
	// exitGrace is how long output of an exited process may still arrive
	// (a grandchild may hold the pipe open).
	exitGrace = 200 * time.Millisecond
)

// instance is one function process with its Runtime API listener and log stream.
type instance struct {
	p      *Pool
	fn     Function
	kind   string
	group  string
	stream string

	// Guarded by p.mu.
	retired  bool
	lastUsed time.Time

	// Owned by the goroutine running an invocation on the instance.
	started   bool // written under mu by the owner
	startAt   time.Time
	status    *os.File // /proc/<pid>/status, open while the instance lives; guarded by mu
	statusBuf []byte   // guarded by mu
	cpus      []int    // the CPUs the process is confined to (nil: all), see cpu.go

	srv     *rapiServer // guarded by mu
	cmd     *exec.Cmd
	out     *output
	exited  chan struct{} // closed when the process has been reaped
	exitErr error         // written before exited is closed

	mu         sync.Mutex // Runtime API state
	queued     *call      // the event the runtime's next GET /next takes
	waiters    []*rconn   // connections whose GET /next waits for an event
	cur        *call      // dispatched, not yet answered
	answered   string     // request id of the last answered invocation
	nextSeen   bool
	stopped    bool // kill was called: never start
	initDoneAt time.Time
	initErr    []byte
	initErrCh  chan struct{}

	collect *tail // guarded by out.mu: the current invocation's log text
}

// call is one invocation handed to an instance.
type call struct {
	inv          Invocation
	trace        string
	timeout      time.Duration
	dispatchedAt time.Time // set before dispatched is closed
	deadline     time.Time
	dispatched   chan struct{}
	result       chan answer
}

type answer struct {
	body     []byte
	isErr    bool
	tooLarge bool
	at       time.Time
}

func newInstance(p *Pool, fn Function, kind string) *instance {
	version := fn.Version
	if version == "" {
		version = "$LATEST"
	}
	return &instance{
		p:         p,
		fn:        fn,
		kind:      kind,
		group:     "/aws/lambda/" + fn.Name,
		stream:    newStreamName(p.now(), version),
		exited:    make(chan struct{}),
		initErrCh: make(chan struct{}),
	}
}

func (inst *instance) dead() bool {
	select {
	case <-inst.exited:
		return true
	default:
		return false
	}
}

// emit is output's line callback (out.mu held).
func (inst *instance) emit(msg string, t time.Time) {
	if inst.collect != nil {
		inst.collect.add(msg)
	}
	inst.p.ship.add(inst.group, inst.stream, LogEvent{Timestamp: t, Message: msg})
}

// start launches the process. A missing provided bootstrap is a function
// failure (a payload), not an error.
func (inst *instance) start() error {
	fn := inst.fn
	var path string
	var args []string
	switch inst.kind {
	case "python":
		py, err := inst.p.interpreter("python3")
		if err != nil {
			return err
		}
		// -S: site's .pth hooks cost 50-200 ms per cold start here (one
		// imports certifi); bootstrap.py adds the site directories (argv)
		// and their .pth path lines itself. -u: prints reach the pipe before
		// the answer is posted.
		path, args = py[0], append([]string{"-S", "-u", filepath.Join(inst.p.runtimeDir, "bootstrap.py")}, py[1:]...)
	case "node":
		node, err := inst.p.interpreter("node")
		if err != nil {
			return err
		}
		path, args = node[0], []string{filepath.Join(inst.p.runtimeDir, "bootstrap.mjs")}
	default:
		path = filepath.Join(fn.CodeDir, "bootstrap")
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			return errMissingBootstrap
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("proc: runtime api listener: %w", err)
	}
	r, w, err := newPipe()
	if err != nil {
		ln.Close()
		return err
	}
	srv := newRAPIServer(inst, ln)
	inst.out = newOutput(r, inst.p.now, inst.emit)

	cmd := exec.Command(path, args...)
	cmd.Env = buildEnv(fn, inst.kind, ln.Addr().String(), inst.p.runtimeDir, inst.group, inst.stream)
	cmd.Dir = fn.CodeDir
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	inst.cmd = cmd
	inst.out.line("INIT_START Runtime Version: " + runtimeVersion(fn.Runtime))
	inst.mu.Lock()
	if inst.stopped {
		inst.mu.Unlock()
		ln.Close()
		r.Close()
		w.Close()
		return errClosed
	}
	inst.srv = srv
	go srv.serve()
	inst.cpus = inst.p.cpu.take(fn.MemoryMB)
	inst.startAt = time.Now()
	err = startOn(inst.cpus, cmd.Start)
	w.Close()
	inst.started = err == nil
	inst.mu.Unlock()
	if err != nil {
		inst.p.cpu.put(inst.cpus)
		r.Close()
		srv.Close()
		close(inst.exited)
		if inst.kind == "provided" {
			// Not executable: AWS reports the exec failure as an invalid entrypoint.
			return &entrypointError{err}
		}
		return fmt.Errorf("proc: start %s: %w", inst.kind, err)
	}
	go inst.out.run()
	go func() {
		err := cmd.Wait()
		inst.p.cpu.put(inst.cpus)
		inst.exitErr = err
		close(inst.exited)
		srv.Close()
		inst.mu.Lock()
		inst.closeStatusLocked()
		inst.mu.Unlock()
		inst.p.forget(inst)
	}()
	return nil
}

var errMissingBootstrap = errors.New("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")

type entrypointError struct{ err error }

func (e *entrypointError) Error() string { return e.err.Error() }

// runtimeVersion is the INIT_START line's runtime version.
func runtimeVersion(rt string) string { return rt + ".tributary" }

// kill stops the process group and waits for the process to be reaped. It may
// run on any goroutine (Evict, Close, the idle reaper) and more than once.
func (inst *instance) kill() {
	inst.mu.Lock()
	inst.stopped = true
	inst.closeStatusLocked()
	started, srv := inst.started, inst.srv
	inst.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
	if started {
		if !inst.dead() {
			// The group outlives its leader while a child holds on, and its
			// id cannot be reused until then.
			syscall.Kill(-inst.cmd.Process.Pid, syscall.SIGKILL)
		}
		<-inst.exited
	}
}

func (inst *instance) closeStatusLocked() {
	if inst.status != nil {
		inst.status.Close()
		inst.status = nil
	}
}

// invoke runs one invocation. keep reports whether the instance may serve the
// next one; retry that a warm instance died before taking the event, so the
// caller should run it on a cold instance.
func (inst *instance) invoke(ctx context.Context, inv Invocation) (res Result, keep, retry bool, err error) {
	c := &call{
		inv:        inv,
		trace:      newTraceID(inst.p.now()),
		timeout:    inst.fn.Timeout,
		dispatched: make(chan struct{}),
		result:     make(chan answer, 1),
	}
	if c.timeout <= 0 {
		c.timeout = 3 * time.Second
	}
	cold := !inst.started
	var t *tail
	if inv.Tail {
		t = &tail{}
	}
	if cold {
		// The process does not exist yet, so collect needs no lock; a cold
		// invoke's tail starts with INIT_START.
		inst.collect = t
		if err := inst.start(); err != nil {
			var ee *entrypointError
			if errors.Is(err, errMissingBootstrap) || errors.As(err, &ee) {
				return inst.entrypointFailure(inv, err, t), false, false, nil
			}
			return Result{}, false, false, err
		}
	} else {
		inst.out.locked(func() { inst.collect = t })
	}
	res.Cold = cold
	inst.dispatch(c)

	// Phase 1 (cold only): wait for the runtime to finish init and take the
	// event. A warm invoke goes straight to phase 2: waiting for the dispatch
	// as well cost a goroutine wake-up per invoke whenever the runtime's
	// GET /next came after the event.
	if cold {
		tm := time.NewTimer(initLimit + c.timeout)
		defer tm.Stop()
		select {
		case <-c.dispatched:
		case <-inst.initErrCh:
			return inst.finishInitError(c, t, res), false, false, nil
		case <-inst.exited:
			select {
			case <-c.dispatched:
			default:
				if inst.initFailed() {
					return inst.finishInitError(c, t, res), false, false, nil
				}
				return inst.finishExit(c, t, res), false, false, nil
			}
		case <-tm.C:
			inst.kill()
			return inst.finishTimeout(c, t, res), false, false, nil
		case <-ctx.Done():
			inst.kill()
			return Result{}, false, false, ctx.Err()
		}
		inst.mu.Lock()
		res.InitDuration = inst.initDoneAt.Sub(inst.startAt)
		inst.mu.Unlock()
	}

	// Phase 2: wait for the answer. The deadline counts from the dispatch; a
	// warm invoke may not be dispatched yet, so its timer starts at the
	// timeout from now (never after the deadline) and is re-armed when it
	// fires early. An undispatched warm event waits for as long as the
	// runtime takes to ask for it, as it always did.
	wait := c.timeout
	if cold {
		wait = time.Until(c.deadline)
	}
	tm := time.NewTimer(wait)
	defer tm.Stop()
	var a answer
	for answered := false; !answered; {
		select {
		case a = <-c.result:
			answered = true
		case <-inst.exited:
			select {
			case a = <-c.result:
				answered = true
			default:
				if inst.dispatchTime(c).IsZero() {
					// A warm process that exited before it took the
					// event (aws-lambda-go exits after a panic): the
					// function never saw it, run it on a cold one.
					return Result{}, false, true, nil
				}
				return inst.finishExit(c, t, res), false, false, nil
			}
		case <-tm.C:
			select {
			case a = <-c.result:
				answered = true
			default:
				at := inst.dispatchTime(c)
				if at.IsZero() {
					tm.Reset(c.timeout)
					continue
				}
				if left := time.Until(at.Add(c.timeout)); left > 0 {
					tm.Reset(left)
					continue
				}
				inst.kill()
				return inst.finishTimeout(c, t, res), false, false, nil
			}
		case <-ctx.Done():
			inst.kill()
			return Result{}, false, false, ctx.Err()
		}
	}
	res.Duration = a.at.Sub(c.dispatchedAt)
	switch {
	case a.tooLarge:
		res.Payload = tooLargePayload
		res.FunctionError = "Unhandled"
	case a.isErr:
		res.Payload = a.body
		res.FunctionError = "Unhandled"
	default:
		res.Payload = a.body
	}
	inst.out.drain()
	inst.report(c, &res, t)
	return res, true, false, nil
}

// dispatchTime is when the runtime took c (zero if it did not); the Runtime
// API sets it under mu, possibly while the invoker gives up.
func (inst *instance) dispatchTime(c *call) time.Time {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return c.dispatchedAt
}

func (inst *instance) initFailed() bool {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return inst.initErr != nil
}

// waitOutput waits for the exited process's output to reach EOF (briefly: a
// grandchild may keep the pipe) and emits what is left.
func (inst *instance) waitOutput() {
	select {
	case <-inst.out.done:
	case <-time.After(exitGrace):
	}
	inst.out.drain()
}

func (inst *instance) finishInitError(c *call, t *tail, res Result) Result {
	res.InitDuration = time.Since(inst.startAt)
	// The runtime exits after posting /init/error; give it a moment so its
	// output is complete, then discard it.
	select {
	case <-inst.exited:
	case <-time.After(exitGrace):
	}
	inst.kill()
	inst.waitOutput()
	inst.mu.Lock()
	body := inst.initErr
	inst.mu.Unlock()
	res.Payload = body
	res.FunctionError = "Unhandled"
	inst.startLine(c)
	inst.report(c, &res, t)
	return res
}

func (inst *instance) finishExit(c *call, t *tail, res Result) Result {
	inst.waitOutput()
	reason := "Runtime exited without providing a reason"
	if inst.exitErr != nil {
		reason = "Runtime exited with error: " + inst.exitErr.Error()
	}
	msg := "RequestId: " + c.inv.RequestID + " Error: " + reason
	res.Payload = errorPayload("Runtime.ExitError", msg)
	res.FunctionError = "Unhandled"
	if at := inst.dispatchTime(c); !at.IsZero() {
		res.Duration = time.Since(at)
	} else {
		res.InitDuration = time.Since(inst.startAt)
	}
	inst.startLine(c)
	inst.out.line(msg)
	inst.out.line("Runtime.ExitError")
	inst.report(c, &res, t)
	return res
}

func (inst *instance) finishTimeout(c *call, t *tail, res Result) Result {
	inst.waitOutput()
	secs := strconv.FormatFloat(c.timeout.Seconds(), 'f', 2, 64)
	res.Payload = errorPayload("Sandbox.Timedout", "RequestId: "+c.inv.RequestID+" Error: Task timed out after "+secs+" seconds")
	res.FunctionError = "Unhandled"
	res.Duration = c.timeout
	if inst.dispatchTime(c).IsZero() {
		res.InitDuration = time.Since(inst.startAt)
	}
	inst.startLine(c)
	inst.out.line(inst.p.now().UTC().Format("2006-01-02T15:04:05.000Z") + " " + c.inv.RequestID + " Task timed out after " + secs + " seconds")
	inst.report(c, &res, t)
	return res
}

// entrypointFailure is the outcome of a provided runtime without a runnable bootstrap.
func (inst *instance) entrypointFailure(inv Invocation, err error, t *tail) Result {
	msg := "RequestId: " + inv.RequestID + " Error: " + err.Error()
	res := Result{Cold: true, Payload: errorPayload("Runtime.InvalidEntrypoint", msg), FunctionError: "Unhandled"}
	c := &call{inv: inv}
	if inst.out == nil {
		// The process never started: log through a stand-alone emitter.
		now := inst.p.now()
		for _, line := range []string{"START RequestId: " + inv.RequestID + " Version: " + inst.version(), msg, "Runtime.InvalidEntrypoint"} {
			inst.emit(line, now)
		}
		inst.emit("END RequestId: "+inv.RequestID, now)
		inst.emit(inst.reportLine(c, &res, 0), now)
		if t != nil {
			res.LogTail = t.bytes()
		}
		inst.collect = nil
		return res
	}
	inst.startLine(c)
	inst.out.line(msg)
	inst.report(c, &res, t)
	return res
}

func (inst *instance) version() string {
	if inst.fn.Version == "" {
		return "$LATEST"
	}
	return inst.fn.Version
}

// startLine writes START for an invocation the runtime never took.
func (inst *instance) startLine(c *call) {
	if inst.dispatchTime(c).IsZero() {
		inst.out.line("START RequestId: " + c.inv.RequestID + " Version: " + inst.version())
	}
}

// report writes END and REPORT and fills the tail.
func (inst *instance) report(c *call, res *Result, t *tail) {
	mem := inst.maxMemoryMB()
	inst.out.locked(func() {
		now := inst.p.now()
		inst.emit("END RequestId: "+c.inv.RequestID, now)
		inst.emit(inst.reportLine(c, res, mem), now)
		if t != nil {
			res.LogTail = t.bytes()
		}
		inst.collect = nil
	})
}

func (inst *instance) reportLine(c *call, res *Result, memMB int) string {
	ms := float64(res.Duration) / float64(time.Millisecond)
	billed := int64(math.Ceil(ms))
	if billed < 1 {
		billed = 1
	}
	// Appended by hand: fmt.Sprintf was a visible share of a warm invoke.
	b := make([]byte, 0, 192)
	b = append(b, "REPORT RequestId: "...)
	b = append(b, c.inv.RequestID...)
	b = append(b, "\tDuration: "...)
	b = strconv.AppendFloat(b, ms, 'f', 2, 64)
	b = append(b, " ms\tBilled Duration: "...)
	b = strconv.AppendInt(b, billed, 10)
	b = append(b, " ms\tMemory Size: "...)
	b = strconv.AppendInt(b, int64(inst.fn.MemoryMB), 10)
	b = append(b, " MB\tMax Memory Used: "...)
	b = strconv.AppendInt(b, int64(memMB), 10)
	b = append(b, " MB\t"...)
	if res.Cold && res.InitDuration > 0 {
		b = append(b, "Init Duration: "...)
		b = strconv.AppendFloat(b, float64(res.InitDuration)/float64(time.Millisecond), 'f', 2, 64)
		b = append(b, " ms\t"...)
	}
	return string(b)
}

// maxMemoryMB is the process's peak resident set (VmHWM), or its rusage once reaped.
func (inst *instance) maxMemoryMB() int {
	if !inst.started {
		return 0
	}
	if inst.dead() {
		if st := inst.cmd.ProcessState; st != nil {
			if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
				return int((ru.Maxrss + 1023) / 1024)
			}
		}
		return 0
	}
	// Reading /proc/<pid>/status costs ~60 µs with open and close, a fifth of
	// a warm invoke's CPU: keep it open and re-read it in place.
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.status == nil {
		f, err := os.Open("/proc/" + strconv.Itoa(inst.cmd.Process.Pid) + "/status")
		if err != nil {
			return 0
		}
		inst.status = f
		inst.statusBuf = make([]byte, 4096)
	}
	n, err := inst.status.ReadAt(inst.statusBuf, 0)
	if n == 0 && err != nil {
		return 0
	}
	return parseHWM(inst.statusBuf[:n])
}

func parseHWM(b []byte) int {
	const key = "VmHWM:"
	for len(b) > 0 {
		i := indexByte(b, '\n')
		line := b
		if i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) > len(key) && string(line[:len(key)]) == key {
			kb := 0
			for _, ch := range line[len(key):] {
				if ch >= '0' && ch <= '9' {
					kb = kb*10 + int(ch-'0')
				}
			}
			return (kb + 1023) / 1024
		}
	}
	return 0
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

type errorBody struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

func errorPayload(typ, msg string) []byte {
	b, _ := json.Marshal(errorBody{ErrorType: typ, ErrorMessage: msg})
	return b
}

// maxResponse is the Runtime API's response cap: 6 MiB + 100 B (RIE interop.MaxPayloadSize).
const maxResponse = 6*1024*1024 + 100

var tooLargePayload = []byte(`{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`)
