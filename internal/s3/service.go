// Package s3 implements Amazon S3 over REST-XML: buckets, objects, listing,
// multipart uploads, tagging and checksums, on kv metadata and blob bodies.
package s3

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Config holds what the S3 service needs to know about its deployment.
type Config struct {
	Region    string // default region (bucket location when none is given)
	AccountID string // owner of buckets created here
	// InlineLimit is the largest single-PUT body kept inline in its object
	// record (0 = the default, 32 KiB; negative = never inline).
	InlineLimit int64
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service is the S3 service.
type Service struct {
	kv    kv.Store
	blobs blob.Store
	cfg   Config
	ops   map[string]opFunc
}

// opFunc serves one S3 operation: it writes the response and returns nil, or
// writes nothing and returns an error.
type opFunc func(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error

// New builds the S3 service on the given stores.
func New(store kv.Store, blobs blob.Store, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.InlineLimit == 0 {
		cfg.InlineLimit = defaultInlineLimit
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{kv: store, blobs: blobs, cfg: cfg}
	s.ops = s.operations()
	return s
}

// Name implements server.Service.
func (s *Service) Name() string { return "s3" }

// Handle implements server.Service.
func (s *Service) Handle(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	op, ok := s.ops[rt.Operation]
	if !ok {
		return errUnsupportedOperation(rt.Operation)
	}
	return op(w, r, rt)
}

// now returns the service clock's time truncated to milliseconds, the
// precision S3 reports.
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }
