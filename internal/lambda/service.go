// Package lambda is the Lambda API (REST-JSON, 2015-03-31): functions,
// their code, versions and aliases, resource policies, reserved
// concurrency, synchronous and queued (Event) invocation, and the event
// source mapping operations over package esm. Functions run in
// package proc's process pool.
package lambda

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/lambda/proc"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// latest is the unpublished version's name.
const latest = "$LATEST"

// Executor runs functions; *proc.Pool implements it.
type Executor interface {
	Invoke(ctx context.Context, fn proc.Function, inv proc.Invocation) (proc.Result, error)
	Evict(functionName string)
}

// ObjectReader reads a zip from Tributary's S3 for Code.S3Bucket/S3Key
// (internal/app adapts internal/s3). An error carrying an awsproto code
// (NoSuchBucket, NoSuchKey, ...) is reported to the caller as AWS does.
type ObjectReader interface {
	ReadObject(ctx context.Context, bucket, key, versionID string, maxBytes int64) ([]byte, error)
}

// Config holds what the Lambda service needs to know about its deployment.
type Config struct {
	Region    string
	AccountID string
	Logger    *slog.Logger
	// Now is the clock (LastModified, async queue times); nil means time.Now.
	Now func() time.Time
	// CodeDir holds the stored zips and their unpacked trees.
	CodeDir string
	// Exec runs invocations (required).
	Exec Executor
	// Objects reads code from S3; nil: S3Bucket/S3Key code is refused.
	Objects ObjectReader
	// Credentials are handed to every function (AWS_ACCESS_KEY_ID, ...).
	Credentials proc.Credentials
	// Endpoint returns Tributary's endpoint URL (AWS_ENDPOINT_URL of the
	// functions). A func because the listener opens after services are built.
	Endpoint func() string
	// AsyncRetryDelays are the waits before the 2nd and 3rd attempt of an
	// Event invocation whose function failed (nil = 1 min, 2 min as at AWS).
	AsyncRetryDelays []time.Duration
	// AsyncBackoffMin/Max bound the backoff of an Event invocation that was
	// throttled or hit a system error (0 = 1 s and 5 min); AsyncMaxAge is
	// how long it is kept trying (0 = 6 h).
	AsyncBackoffMin, AsyncBackoffMax, AsyncMaxAge time.Duration
	// Mappings runs Kinesis event source mappings; nil: those operations
	// answer the unsupported-operation error.
	Mappings Mappings
}

// Service is the Lambda API.
type Service struct {
	kv  kv.Store
	cfg Config
	ops map[string]opFunc

	mu sync.Mutex // serialises changes to functions (read-modify-write of a record)

	async *asyncRunner
}

type opFunc func(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error

// New builds the Lambda service on the metadata store.
func New(meta kv.Store, cfg Config) (*Service, error) {
	if cfg.Exec == nil {
		return nil, fmt.Errorf("lambda: Config.Exec is required")
	}
	if cfg.CodeDir == "" {
		return nil, fmt.Errorf("lambda: Config.CodeDir is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Endpoint == nil {
		cfg.Endpoint = func() string { return "" }
	}
	if cfg.AsyncRetryDelays == nil {
		cfg.AsyncRetryDelays = []time.Duration{time.Minute, 2 * time.Minute}
	}
	if cfg.AsyncBackoffMin == 0 {
		cfg.AsyncBackoffMin = time.Second
	}
	if cfg.AsyncBackoffMax == 0 {
		cfg.AsyncBackoffMax = 5 * time.Minute
	}
	if cfg.AsyncMaxAge == 0 {
		cfg.AsyncMaxAge = 6 * time.Hour
	}
	s := &Service{kv: meta, cfg: cfg}
	s.async = newAsyncRunner(s)
	s.ops = s.operations()
	return s, nil
}

// Name implements server.Service.
func (s *Service) Name() string { return "lambda" }

// Handle implements server.Service.
func (s *Service) Handle(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	op, ok := s.ops[rt.Operation]
	if !ok {
		return awsproto.UnsupportedOperation(rt)
	}
	return op(w, r, rt)
}

// Start resumes every queued Event invocation.
func (s *Service) Start(ctx context.Context) error { return s.async.start() }

// Stop ends the async workers; an invocation in flight finishes or is
// cancelled and stays queued, so the next start runs it again.
func (s *Service) Stop(ctx context.Context) error { return s.async.stop(ctx) }

// Reset deletes every function (POST /_tributary/reset).
func (s *Service) Reset(ctx context.Context) error {
	recs, err := s.listFunctions()
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if err := s.deleteWhole(rec.Name); err != nil {
			return fmt.Errorf("lambda reset: %w", err)
		}
	}
	return nil
}

// functionARN is arn:aws:lambda:<region>:<account>:function:<name>.
func (s *Service) functionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.cfg.Region, s.cfg.AccountID, name)
}

// qualifiedARN appends ":qualifier" when there is one.
func (s *Service) qualifiedARN(name, qualifier string) string {
	if qualifier == "" {
		return s.functionARN(name)
	}
	return s.functionARN(name) + ":" + qualifier
}

// functionNamePattern is NamespacedFunctionName's model pattern; the
// groups give the name and the qualifier.
const functionNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`

var functionNameRE = regexp.MustCompile(`^` + functionNamePattern + `$`)

// splitFunctionName parses the FunctionName forms (name, name:qualifier,
// account:function:name, full ARN) into the name and the qualifier.
// A value outside the model's pattern is a ValidationException.
func splitFunctionName(value, member string) (name, qualifier string, err error) {
	m := functionNameRE.FindStringSubmatch(value)
	if m == nil || len(value) > 256 {
		var v awsproto.Validation
		if len(value) > 256 {
			v.Add(value, member, awsproto.ConstraintMaxLength(256))
		} else {
			v.Add(value, member, awsproto.ConstraintPattern(functionNamePattern))
		}
		return "", "", errValidation(&v)
	}
	name, qualifier = m[10], m[12]
	if len(name) > 64 {
		var v awsproto.Validation
		v.Add(value, member, awsproto.ConstraintMaxLength(64))
		return "", "", errValidation(&v)
	}
	return name, qualifier, nil
}

// target is a function as a request addresses it: the record and the
// revision its qualifier resolves to.
type target struct {
	rec       *functionRecord
	ver       *versionRecord
	qualifier string // as given ("" when none)
}

// resolve finds the function a FunctionName path parameter (and an
// optional ?Qualifier=) names; unknown → 404 with AWS's text.
func (s *Service) resolve(param, queryQualifier string) (target, error) {
	name, qualifier, err := splitFunctionName(param, "functionName")
	if err != nil {
		return target{}, err
	}
	if queryQualifier != "" {
		if qualifier != "" && qualifier != queryQualifier {
			return target{}, errInvalidParam("The derived qualifier from the function name does not match the specified qualifier.")
		}
		qualifier = queryQualifier
	}
	rec, err := s.loadFunction(name)
	if err == errNoFunction {
		return target{}, errFunctionNotFound(s.qualifiedARN(name, qualifier))
	}
	if err != nil {
		return target{}, err
	}
	ver, ok := rec.version(qualifier)
	if !ok {
		return target{}, errFunctionNotFound(s.qualifiedARN(name, qualifier))
	}
	return target{rec: rec, ver: ver, qualifier: qualifier}, nil
}
