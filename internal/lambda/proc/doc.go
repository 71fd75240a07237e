// Package proc runs Lambda functions as local processes (spec
// lambda-iam-pii.md §1.5 logs, §2 Runtime API): a Pool keeps warm instances per
// function revision (Function.Key), serves each instance the Lambda Runtime
// API on its own loopback listener, enforces reserved and account-wide
// concurrency, kills a timed-out process group, and ships the process output
// with START/END/REPORT lines to a LogSink.
//
// # Runtimes
//
//   - python3.x: Tributary's bootstrap.py (standard library only, embedded and
//     written under Config.WorkDir/runtime) run by the real interpreter behind
//     the host's python3 (pyenv shims are resolved once, when the pool starts)
//     as `python -S -u bootstrap.py <site dirs>`. -S because site's .pth hooks
//     cost 50–200 ms per cold start on this machine; the bootstrap puts the
//     host's site-packages (boto3, as in AWS's runtime) and the path lines of
//     their .pth files on sys.path itself, and defines exit()/quit(). Its HTTP
//     client is a minimal one over one kept-alive socket and logging is set up
//     when something imports it: http.client and logging were 60% of its
//     imports. PYTHONDONTWRITEBYTECODE=1 keeps __pycache__ out of the code
//     directory (the user's Environment may override it).
//   - nodejs*: bootstrap.mjs run by the host's node; CommonJS and ES module
//     handlers, async and callback style.
//   - provided, provided.al2, provided.al2023: the zip's executable bootstrap
//     (for example an aws-lambda-go binary).
//
// Every runtime runs python/node/bootstrap with cwd = CodeDir and the clean
// environment of spec §2.5, plus AWS_ENDPOINT_URL = Function.Endpoint unless the
// user's variables set it.
//
// Other valid AWS runtimes (java, dotnet, ruby) answer ErrUnsupportedRuntime.
//
// # Instances
//
// An instance is one process, one Runtime API listener (127.0.0.1:<port>,
// AWS_LAMBDA_RUNTIME_API) and one log stream. The process starts from a clean
// environment (spec §2.5) in its own process group; stdout and stderr share one
// pipe. Invoke hands an event to the runtime's pending GET /next and waits for
// its answer, the process exit, the deadline or the caller's context. When the
// runtime posts its answer, the pipe is drained before END/REPORT are written,
// so every line printed before the answer belongs to that invocation.
//
// The Runtime API is served by a small HTTP/1.1 server of its own
// (httpconn.go), not net/http: per warm invoke net/http cost two
// background-read goroutines with their aborts, request and header maps, and
// a goroutine hop to hand the event to the waiting GET /next, which was most of
// the pool's CPU per invoke. Each connection has one goroutine reading
// requests; the invoking goroutine writes the event straight onto the
// connection whose GET /next waits, and waits once, for the answer. It speaks
// what runtimes send: Content-Length or chunked bodies with extensions and
// trailers (aws-lambda-go), Expect: 100-continue (curl), HTTP/1.0,
// Connection: close, pipelined requests (answered in order).
//
// The CPU an invoke costs here and in the function process is measured by the
// WarmInvoke benchmarks (cpu-us/op, fn-cpu-us/op): CPU time, unlike wall
// time, stays comparable on a loaded machine.
//
// After an init error, an exit, a timeout or a missing bootstrap the instance is
// discarded and the next invoke is cold. A warm instance whose process exited
// before it took the event (aws-lambda-go exits after a panic) is replaced by a
// cold one transparently: the function never saw that event.
//
// A process is confined to ceil(MemoryMB/1769) of the server's CPUs, the
// least used ones, when that is fewer than all (AWS: 1,769 MB = one vCPU);
// see cpu.go for why this is what makes concurrent Go instances scale.
//
// # Logs
//
// One stream per instance, YYYY/MM/DD/[<version>]<32 hex>, in /aws/lambda/<name>.
// Lines: INIT_START (cold), init output, START, the invocation's output (one
// event per line; lines over 256 KB are split), the timeout line, END, REPORT
// (Init Duration on cold starts only; Max Memory Used is the process's VmHWM).
// They reach Config.Logs in batches from one background goroutine (every 200 ms
// or when a batch is full); Close delivers what is queued.
//
// # Concurrency
//
// A function with ReservedConcurrency > 0 runs at most that many invocations at
// once and does not count against the account pool; ReservedConcurrency == 0
// throttles every invoke; functions without a reservation share
// Config.MaxConcurrency running invocations.
package proc
