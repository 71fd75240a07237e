package server

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"sort"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// operationsPrefix is the path of Tributary's own endpoints. They bypass
// SigV4; "_" cannot start a bucket name, so they never shadow S3.
const operationsPrefix = "/_tributary/"

// StateReporter is implemented by services that can say more about their
// state than "running" (for example "starting" or "degraded").
type StateReporter interface {
	State() string
}

// Service states reported by /_tributary/health.
const (
	StateRunning     = "running"
	StateUnavailable = "unavailable" // routed, but no implementation is registered
)

// isOperationsPath: /_tributary/... on a path-style host. On a virtual
// host the same path is an object key.
func (s *Server) isOperationsPath(r *http.Request) bool {
	path, _ := rawTarget(r)
	return strings.HasPrefix(path, operationsPrefix) && s.classifier.analyzeHost(requestHost(r)).label == ""
}

func (s *Server) serveOperations(w http.ResponseWriter, r *http.Request) {
	path, _ := rawTarget(r)
	switch strings.TrimPrefix(path, operationsPrefix) {
	case "health":
		if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		writeOperationsJSON(w, r, http.StatusOK, s.health())
	case "metrics":
		if !allowMethods(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	case "reset":
		if !s.opts.EnableReset {
			writeOperationsJSON(w, r, http.StatusNotFound, map[string]string{"error": "reset is disabled; start the server with reset enabled"})
			return
		}
		if !allowMethods(w, r, http.MethodPost) {
			return
		}
		s.reset(w, r)
	default:
		if name, ok := strings.CutPrefix(strings.TrimPrefix(path, operationsPrefix), "debug/pprof/"); ok && s.opts.EnablePprof {
			servePprof(w, r, name)
			return
		}
		writeOperationsJSON(w, r, http.StatusNotFound, map[string]string{"error": "no such endpoint"})
	}
}

// servePprof serves Go's profiles under /_tributary/debug/pprof/ (only with
// EnablePprof): profile (CPU, ?seconds=N), trace, heap, goroutine, allocs, ...
func servePprof(w http.ResponseWriter, r *http.Request, name string) {
	switch name {
	case "", "index":
		pprof.Index(w, r)
	case "profile":
		pprof.Profile(w, r)
	case "trace":
		pprof.Trace(w, r)
	default:
		pprof.Handler(name).ServeHTTP(w, r)
	}
}

// healthReport is the body of GET /_tributary/health.
type healthReport struct {
	Version   string            `json:"version"`
	Region    string            `json:"region,omitempty"`
	AccountID string            `json:"account_id,omitempty"`
	Services  map[string]string `json:"services"`
}

func (s *Server) health() healthReport {
	rep := healthReport{Version: s.opts.Version, Region: s.opts.Region, AccountID: s.opts.AccountID, Services: map[string]string{}}
	for _, name := range s.classifier.Services() {
		rep.Services[name] = StateUnavailable
	}
	for name, svc := range s.services {
		state := StateRunning
		if sr, ok := svc.(StateReporter); ok {
			state = sr.State()
		}
		rep.Services[name] = state
	}
	return rep
}

// reset calls Reset on every service that has state to wipe, in
// registration order, and stops at the first failure.
func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	done := []string{}
	for _, svc := range s.order {
		rs, ok := svc.(Resetter)
		if !ok {
			continue
		}
		if err := rs.Reset(r.Context()); err != nil {
			s.log.ErrorContext(r.Context(), "reset failed", "service", svc.Name(), "error", err)
			writeOperationsJSON(w, r, http.StatusInternalServerError,
				map[string]any{"error": "reset of " + svc.Name() + " failed: " + err.Error(), "reset": done})
			return
		}
		done = append(done, svc.Name())
	}
	sort.Strings(done)
	s.log.InfoContext(r.Context(), "state reset", "services", done)
	writeOperationsJSON(w, r, http.StatusOK, map[string]any{"reset": done})
}

func allowMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	writeOperationsJSON(w, r, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	return false
}

func writeOperationsJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // maps of strings and the health report always marshal
		panic(err)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}
