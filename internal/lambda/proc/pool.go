package proc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Credentials are the role session credentials a function process receives.
type Credentials struct{ AccessKeyID, SecretAccessKey, SessionToken string }

// Function is one code+configuration revision of a function, as the API
// resolved it for an invocation.
type Function struct {
	Key                 string // identity of this revision: instances are reused only for the same Key
	Name                string
	Version             string // "$LATEST" or "3"
	ARN                 string // unqualified function ARN
	Runtime             string
	Handler             string
	CodeDir             string // the unpacked zip; the pool never writes into it
	MemoryMB            int
	Timeout             time.Duration
	Env                 map[string]string
	Region              string
	Credentials         Credentials
	Endpoint            string // becomes AWS_ENDPOINT_URL
	ReservedConcurrency int    // < 0: none; 0: every invoke throttled; > 0: cap
}

// Invocation is one synchronous invoke.
type Invocation struct {
	RequestID       string
	Payload         []byte
	InvokedARN      string // with ":qualifier" when one was given
	ClientContext   string // decoded JSON, "" if none
	CognitoIdentity string // JSON, "" if none
	Tail            bool   // fill Result.LogTail
}

// Result is the outcome of an invocation. Function failures are a Result with
// FunctionError "Unhandled" and the error JSON as Payload (spec §2.4).
type Result struct {
	Payload       []byte
	FunctionError string
	LogTail       []byte // last 4 KB of this invocation's log lines (when Tail)
	Duration      time.Duration
	InitDuration  time.Duration // cold start only
	Cold          bool
}

// LogEvent is one line of a function's log.
type LogEvent struct {
	Timestamp time.Time
	Message   string
}

// LogSink receives a function's log lines; the implementation creates the
// group and stream as needed.
type LogSink interface {
	PutLogEvents(ctx context.Context, group, stream string, events []LogEvent) error
}

// Config configures a Pool.
type Config struct {
	MaxConcurrency int           // account-wide running invocations (0 = 1000)
	IdleTimeout    time.Duration // warm instance kept this long unused (0 = 10 min)
	Logs           LogSink       // nil: logs discarded
	Logger         *slog.Logger
	WorkDir        string // where the pool writes runtime files (bootstraps)
	Now            func() time.Time
}

// ThrottleError is returned when an invocation exceeds a concurrency limit.
type ThrottleError struct{ Reason string }

func (e *ThrottleError) Error() string { return "Rate Exceeded. (" + e.Reason + ")" }

// Throttle reasons (the Invoke API's Reason field).
const (
	ReasonReserved = "ReservedFunctionConcurrentInvocationLimitExceeded"
	ReasonAccount  = "ConcurrentInvocationLimitExceeded"
)

// ErrUnsupportedRuntime is returned for a valid AWS runtime Tributary cannot run.
var ErrUnsupportedRuntime = errors.New("proc: runtime not supported by Tributary")

// errClosed is returned by Invoke after Close.
var errClosed = errors.New("proc: pool closed")

// Pool runs function instances. It is safe for concurrent use.
type Pool struct {
	cfg        Config
	log        *slog.Logger
	now        func() time.Time
	runtimeDir string
	ship       *shipper
	cpu        *cpuPlacer

	interpMu sync.Mutex
	interp   map[string][]string // "python3", "node" → executable, then its site directories

	mu         sync.Mutex
	closed     bool
	idle       map[string][]*instance // by Function.Key, most recently used last
	all        map[*instance]struct{}
	running    map[string]int // by function name
	unreserved int            // running invocations of functions without a reservation

	stop chan struct{}
	wg   sync.WaitGroup
}

// New returns a Pool, writing the runtime bootstraps under cfg.WorkDir.
func New(cfg Config) (*Pool, error) {
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = 1000
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.WorkDir == "" {
		return nil, errors.New("proc: Config.WorkDir is required")
	}
	dir := filepath.Join(cfg.WorkDir, "runtime")
	if err := writeBootstraps(dir); err != nil {
		return nil, err
	}
	p := &Pool{
		cfg:        cfg,
		log:        cfg.Logger,
		now:        cfg.Now,
		runtimeDir: dir,
		interp:     map[string][]string{},
		idle:       map[string][]*instance{},
		all:        map[*instance]struct{}{},
		running:    map[string]int{},
		stop:       make(chan struct{}),
		cpu:        newCPUPlacer(),
	}
	p.ship = newShipper(cfg.Logs, cfg.Logger)
	p.wg.Add(3)
	go p.reap()
	// Resolve the interpreters now, off the first cold start's path (asking
	// pyenv's shim costs ~100 ms); a failure is retried when one is needed.
	for _, name := range []string{"python3", "node"} {
		go func() {
			defer p.wg.Done()
			p.interpreter(name)
		}()
	}
	return p, nil
}

// runtimeKind classifies an AWS runtime identifier.
func runtimeKind(rt string) (string, error) {
	switch {
	case strings.HasPrefix(rt, "python3"):
		return "python", nil
	case strings.HasPrefix(rt, "nodejs"):
		return "node", nil
	case rt == "provided" || strings.HasPrefix(rt, "provided."):
		return "provided", nil
	case strings.HasPrefix(rt, "java"), strings.HasPrefix(rt, "dotnet"), strings.HasPrefix(rt, "ruby"), strings.HasPrefix(rt, "go1"):
		return "", ErrUnsupportedRuntime
	}
	return "", fmt.Errorf("%w: %q", ErrUnsupportedRuntime, rt)
}

// Invoke runs one invocation of fn, on a warm instance of fn.Key when one is
// idle, else on a new one.
func (p *Pool) Invoke(ctx context.Context, fn Function, inv Invocation) (Result, error) {
	kind, err := runtimeKind(fn.Runtime)
	if err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if inv.RequestID == "" {
		inv.RequestID = newRequestID()
	}
	if err := p.acquire(fn); err != nil {
		return Result{}, err
	}
	defer p.release(fn)
	for {
		inst, err := p.take(fn, kind)
		if err != nil {
			return Result{}, err
		}
		res, keep, retry, err := inst.invoke(ctx, inv)
		p.putBack(inst, keep && err == nil)
		if retry {
			continue
		}
		return res, err
	}
}

func (p *Pool) acquire(fn Function) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errClosed
	}
	switch {
	case fn.ReservedConcurrency == 0:
		return &ThrottleError{Reason: ReasonReserved}
	case fn.ReservedConcurrency > 0:
		if p.running[fn.Name] >= fn.ReservedConcurrency {
			return &ThrottleError{Reason: ReasonReserved}
		}
	default:
		if p.unreserved >= p.cfg.MaxConcurrency {
			return &ThrottleError{Reason: ReasonAccount}
		}
		p.unreserved++
	}
	p.running[fn.Name]++
	return nil
}

func (p *Pool) release(fn Function) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if fn.ReservedConcurrency < 0 {
		p.unreserved--
	}
	if p.running[fn.Name]--; p.running[fn.Name] <= 0 {
		delete(p.running, fn.Name)
	}
}

// take pops the most recently used idle instance of fn.Key, or returns a new,
// not yet started one.
func (p *Pool) take(fn Function, kind string) (*instance, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errClosed
	}
	for list := p.idle[fn.Key]; len(list) > 0; list = p.idle[fn.Key] {
		inst := list[len(list)-1]
		list[len(list)-1] = nil
		if len(list) == 1 {
			delete(p.idle, fn.Key)
		} else {
			p.idle[fn.Key] = list[:len(list)-1]
		}
		if !inst.dead() {
			p.mu.Unlock()
			return inst, nil
		}
		delete(p.all, inst)
	}
	inst := newInstance(p, fn, kind)
	p.all[inst] = struct{}{}
	p.mu.Unlock()
	return inst, nil
}

// putBack returns a healthy instance to the idle list, or discards it.
func (p *Pool) putBack(inst *instance, keep bool) {
	p.mu.Lock()
	if keep && !p.closed && !inst.retired && !inst.dead() {
		inst.lastUsed = p.now()
		p.idle[inst.fn.Key] = append(p.idle[inst.fn.Key], inst)
		p.mu.Unlock()
		return
	}
	delete(p.all, inst)
	p.mu.Unlock()
	inst.kill()
}

// forget drops an instance whose process exited from the idle list.
func (p *Pool) forget(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.idle[inst.fn.Key]
	for i, x := range list {
		if x == inst {
			list = append(list[:i], list[i+1:]...)
			if len(list) == 0 {
				delete(p.idle, inst.fn.Key)
			} else {
				p.idle[inst.fn.Key] = list
			}
			delete(p.all, inst)
			return
		}
	}
}

// Evict stops every instance of the function: idle ones now, busy ones when
// their invocation ends.
func (p *Pool) Evict(functionName string) {
	var victims []*instance
	p.mu.Lock()
	for key, list := range p.idle {
		kept := list[:0]
		for _, inst := range list {
			if inst.fn.Name == functionName {
				victims = append(victims, inst)
				delete(p.all, inst)
			} else {
				kept = append(kept, inst)
			}
		}
		if len(kept) == 0 {
			delete(p.idle, key)
		} else {
			p.idle[key] = kept
		}
	}
	for inst := range p.all {
		if inst.fn.Name == functionName {
			inst.retired = true
		}
	}
	p.mu.Unlock()
	for _, inst := range victims {
		inst.kill()
	}
}

// Close kills every process, waits for them, and flushes the logs.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	victims := make([]*instance, 0, len(p.all))
	for inst := range p.all {
		victims = append(victims, inst)
	}
	p.all = map[*instance]struct{}{}
	p.idle = map[string][]*instance{}
	p.mu.Unlock()
	close(p.stop)
	for _, inst := range victims {
		inst.kill()
	}
	p.wg.Wait()
	p.ship.close()
	return nil
}

// reap kills instances idle for longer than IdleTimeout.
func (p *Pool) reap() {
	defer p.wg.Done()
	every := min(max(p.cfg.IdleTimeout/4, 10*time.Millisecond), 30*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		cutoff := p.now().Add(-p.cfg.IdleTimeout)
		var victims []*instance
		p.mu.Lock()
		for key, list := range p.idle {
			kept := list[:0]
			for _, inst := range list {
				if inst.lastUsed.Before(cutoff) {
					victims = append(victims, inst)
					delete(p.all, inst)
				} else {
					kept = append(kept, inst)
				}
			}
			if len(kept) == 0 {
				delete(p.idle, key)
			} else {
				p.idle[key] = kept
			}
		}
		p.mu.Unlock()
		for _, inst := range victims {
			inst.kill()
		}
	}
}

// interpreter resolves a runtime's interpreter once per pool. pyenv's python3
// is a shell script (+70 ms per cold start), so the real binary is asked for.
func (p *Pool) interpreter(name string) ([]string, error) {
	p.interpMu.Lock()
	defer p.interpMu.Unlock()
	if found, ok := p.interp[name]; ok {
		return found, nil
	}
	found, err := resolveInterpreter(name)
	if err != nil {
		return nil, err
	}
	p.interp[name] = found
	return found, nil
}

// hostPath is the PATH function processes inherit.
func hostPath() string {
	if v := os.Getenv("PATH"); v != "" {
		return v
	}
	return "/usr/local/bin:/usr/bin:/bin"
}
