// Package botomodel reads the parts of botocore's service-2.json models that
// request routing depends on: protocol metadata, each operation's HTTP method
// and request URI, and which input members travel in the query string, the
// headers or the URI. The routing-table generator and the classifier's
// every-operation test both read the models through it.
package botomodel

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ServiceNames returns the botocore service names Tributary routes, which
// are also the route's service names.
func ServiceNames() []string {
	return []string{"s3", "s3control", "sts", "iam", "kinesis", "firehose", "logs", "glue", "lambda", "comprehend"}
}

// Model is one service's model, reduced to what routing needs.
type Model struct {
	Service    string   // botocore directory name ("s3", "lambda", ...)
	APIVersion string   // the model's version directory
	Metadata   Metadata `json:"metadata"`
	Operations map[string]Operation
	Shapes     map[string]Shape
}

// Metadata is the model's metadata block.
type Metadata struct {
	APIVersion     string `json:"apiVersion"`
	Protocol       string `json:"protocol"`
	JSONVersion    string `json:"jsonVersion"`
	TargetPrefix   string `json:"targetPrefix"`
	SigningName    string `json:"signingName"`
	EndpointPrefix string `json:"endpointPrefix"`
	XMLNamespace   string `json:"xmlNamespace"`
}

// SigningService is the SigV4 service name clients sign with.
func (m Metadata) SigningService() string {
	if m.SigningName != "" {
		return m.SigningName
	}
	return m.EndpointPrefix
}

// Operation is one operation's routing facts.
type Operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method     string `json:"method"`
		RequestURI string `json:"requestUri"`
	} `json:"http"`
	Input *struct {
		Shape string `json:"shape"`
	} `json:"input"`
	Deprecated bool `json:"deprecated"`
	Endpoint   *struct {
		HostPrefix string `json:"hostPrefix"`
	} `json:"endpoint"`
}

// Shape is a model shape; only structures' members matter here.
type Shape struct {
	Type     string            `json:"type"`
	Required []string          `json:"required"`
	Members  map[string]Member `json:"members"`
}

// Member is a structure member with its HTTP binding.
type Member struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`     // "uri", "querystring", "header", "headers", or "" (body)
	LocationName string `json:"locationName"` // wire name
}

// Binding is a required input member bound to the URI, query or a header.
type Binding struct {
	Member   string // member name in the model
	Location string // "uri", "querystring" or "header"
	Name     string // wire name (URI label, query key, header name)
}

// RequiredBindings lists the operation's required members that travel
// outside the body, sorted by location then wire name.
func (m *Model) RequiredBindings(op Operation) []Binding {
	if op.Input == nil {
		return nil
	}
	shape := m.Shapes[op.Input.Shape]
	var out []Binding
	for _, name := range shape.Required {
		mem, ok := shape.Members[name]
		if !ok {
			continue
		}
		switch mem.Location {
		case "uri", "querystring", "header":
			wire := mem.LocationName
			if wire == "" {
				wire = name
			}
			out = append(out, Binding{Member: name, Location: mem.Location, Name: wire})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Location != out[j].Location {
			return out[i].Location < out[j].Location
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// OperationNames returns the model's operation names, sorted.
func (m *Model) OperationNames() []string {
	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ErrNoBotocore means no botocore installation could be found.
var ErrNoBotocore = errors.New("botocore data directory not found (set BOTOCORE_DATA)")

// DataDir finds botocore's data directory: $BOTOCORE_DATA, else the one of
// the botocore that python3 imports.
func DataDir() (string, error) {
	if d := os.Getenv("BOTOCORE_DATA"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d, nil
		}
		return "", fmt.Errorf("BOTOCORE_DATA=%s is not a directory: %w", d, ErrNoBotocore)
	}
	out, err := exec.Command("python3", "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", fmt.Errorf("ask python3 for botocore: %v: %w", err, ErrNoBotocore)
	}
	d := filepath.Join(strings.TrimSpace(string(out)), "data")
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s: %w", d, ErrNoBotocore)
	}
	return d, nil
}

// BotocoreVersion returns the version of the botocore installation that
// holds dataDir, or "" if it cannot be read.
func BotocoreVersion(dataDir string) string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(dataDir), "__init__.py"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "__version__ = "); ok {
			return strings.Trim(v, `'" `)
		}
	}
	return ""
}

// Load reads the newest model version of service under dataDir.
func Load(dataDir, service string) (*Model, error) {
	versions, err := os.ReadDir(filepath.Join(dataDir, service))
	if err != nil {
		return nil, fmt.Errorf("read %s model versions: %w", service, err)
	}
	var names []string
	for _, v := range versions {
		if v.IsDir() {
			names = append(names, v.Name())
		}
	}
	sort.Strings(names)
	for i := len(names) - 1; i >= 0; i-- {
		dir := filepath.Join(dataDir, service, names[i])
		r, err := openModel(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		m := &Model{Service: service, APIVersion: names[i]}
		err = json.NewDecoder(r).Decode(m)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("decode %s model: %w", service, err)
		}
		for name, op := range m.Operations {
			op.Name = name
			m.Operations[name] = op
		}
		return m, nil
	}
	return nil, fmt.Errorf("no service-2.json for %s under %s: %w", service, dataDir, os.ErrNotExist)
}

// openModel opens service-2.json or its gzipped form in dir.
func openModel(dir string) (io.ReadCloser, error) {
	if f, err := os.Open(filepath.Join(dir, "service-2.json")); err == nil {
		return f, nil
	}
	f, err := os.Open(filepath.Join(dir, "service-2.json.gz"))
	if err != nil {
		return nil, err
	}
	z, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("gunzip %s: %w", f.Name(), err)
	}
	return struct {
		io.Reader
		io.Closer
	}{z, f}, nil
}
