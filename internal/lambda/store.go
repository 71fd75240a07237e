package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Key layout in kv (all under "lambda/"; "lambda/esm/" belongs to package esm):
//
//	lambda/f/<function name>             functionRecord (JSON)
//	lambda/q/<function name>/<seq>       asyncItem (JSON): a queued Event invocation
const (
	prefixFunction = "lambda/f/"
	prefixQueue    = "lambda/q/"
)

func functionKey(name string) []byte { return []byte(prefixFunction + name) }

// functionRecord is everything stored about one function: $LATEST, its
// published versions, aliases, resource policy and reserved concurrency.
// One record keeps every change to a function a single kv write.
type functionRecord struct {
	Name        string                 `json:"name"`
	Latest      versionRecord          `json:"latest"`
	Versions    []versionRecord        `json:"versions,omitempty"` // published, ascending
	NextVersion int                    `json:"nextVersion"`
	Aliases     map[string]aliasRecord `json:"aliases,omitempty"`
	Policy      []permission           `json:"policy,omitempty"`
	PolicyRev   string                 `json:"policyRev,omitempty"`
	Reserved    *int64                 `json:"reserved,omitempty"`
	Tags        map[string]string      `json:"tags,omitempty"`
}

// versionRecord is one code+configuration revision ($LATEST or a version).
type versionRecord struct {
	Version          string            `json:"version"`
	Runtime          string            `json:"runtime"`
	Role             string            `json:"role"`
	Handler          string            `json:"handler"`
	Description      string            `json:"description"`
	Timeout          int               `json:"timeout"`
	MemorySize       int               `json:"memory"`
	Env              map[string]string `json:"env,omitempty"`
	CodeSha256       string            `json:"codeSha256"` // base64, as the API shows it
	CodeSize         int64             `json:"codeSize"`
	LastModified     time.Time         `json:"lastModified"`
	RevisionId       string            `json:"revisionId"`
	Architectures    []string          `json:"architectures"`
	EphemeralStorage int               `json:"ephemeralStorage"`
	TracingMode      string            `json:"tracingMode"`
	LogFormat        string            `json:"logFormat"`
	LogGroup         string            `json:"logGroup"`
	// From is the $LATEST RevisionId a published version was made from:
	// publishing an unchanged $LATEST returns that version again.
	From string `json:"from,omitempty"`
}

type aliasRecord struct {
	Name            string `json:"name"`
	FunctionVersion string `json:"functionVersion"`
	Description     string `json:"description"`
	RevisionId      string `json:"revisionId"`
}

// errNoFunction is the store's "not found"; handlers map it to 404.
var errNoFunction = errors.New("lambda: function not found")

func (s *Service) loadFunction(name string) (*functionRecord, error) {
	var rec *functionRecord
	err := s.kv.View(func(r kv.Reader) error {
		b, err := r.Get(functionKey(name))
		if errors.Is(err, kv.ErrNotFound) {
			return errNoFunction
		}
		if err != nil {
			return err
		}
		rec = new(functionRecord)
		return json.Unmarshal(b, rec)
	})
	return rec, err
}

func (s *Service) saveFunction(rec *functionRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode function %s: %w", rec.Name, err)
	}
	return s.kv.Update(func(w kv.Writer) error { return w.Put(functionKey(rec.Name), b) })
}

// listFunctionNames returns every function name in ascending order.
func (s *Service) listFunctions() ([]*functionRecord, error) {
	var out []*functionRecord
	start := []byte(prefixFunction)
	end := []byte(prefixFunction + "\xff")
	err := s.kv.View(func(r kv.Reader) error {
		return r.Iterate(start, end, func(_, v []byte) (bool, error) {
			rec := new(functionRecord)
			if err := json.Unmarshal(v, rec); err != nil {
				return false, err
			}
			out = append(out, rec)
			return true, nil
		})
	})
	return out, err
}

// version returns the revision a qualifier names ("" and $LATEST are the
// latest; digits a published version; anything else an alias), with the
// version it resolves to.
func (rec *functionRecord) version(qualifier string) (*versionRecord, bool) {
	switch {
	case qualifier == "" || qualifier == latest:
		return &rec.Latest, true
	case isDigits(qualifier):
		for i := range rec.Versions {
			if rec.Versions[i].Version == qualifier {
				return &rec.Versions[i], true
			}
		}
		return nil, false
	default:
		a, ok := rec.Aliases[qualifier]
		if !ok {
			return nil, false
		}
		return rec.version(a.FunctionVersion)
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
