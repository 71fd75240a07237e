// Package archtest enforces the rules of the house from ARCHITECTURE.md that
// the compiler cannot: services stay independent, the AWS SDK stays out of
// the product, and there are no grab-bag packages.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/tributary-dev/tributary"

// services are the packages under internal/ that implement one AWS service each.
var services = []string{"s3", "sts", "kinesis", "firehose", "logs", "glue", "lambda", "comprehend"}

// sdkAllowed are the directories whose non-test code may import the AWS SDK
// (load tools and external backends).
var sdkAllowed = []string{"cmd/tributary-bench", "internal/bench", "internal/awstest"}

type file struct {
	dir     string // relative to the module root, slash-separated
	test    bool
	imports []string
}

func parseTree(t *testing.T) []file {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var files []file
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		fl := file{dir: filepath.ToSlash(rel), test: strings.HasSuffix(path, "_test.go")}
		for _, imp := range f.Imports {
			fl.imports = append(fl.imports, strings.Trim(imp.Path.Value, `"`))
		}
		files = append(files, fl)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no Go files found")
	}
	return files
}

func serviceOf(dir string) string {
	for _, s := range services {
		if dir == "internal/"+s || strings.HasPrefix(dir, "internal/"+s+"/") {
			return s
		}
	}
	return ""
}

func TestServicesDoNotImportEachOther(t *testing.T) {
	for _, f := range parseTree(t) {
		own := serviceOf(f.dir)
		if own == "" {
			continue
		}
		for _, imp := range f.imports {
			rel := strings.TrimPrefix(imp, module+"/")
			if other := serviceOf(rel); other != "" && other != own {
				t.Errorf("%s imports %s: services talk through interfaces wired in internal/app", f.dir, imp)
			}
		}
	}
}

func TestAWSSDKOnlyInTestsAndTools(t *testing.T) {
	for _, f := range parseTree(t) {
		if f.test || strings.HasPrefix(f.dir, "e2e") {
			continue
		}
		allowed := false
		for _, a := range sdkAllowed {
			if f.dir == a || strings.HasPrefix(f.dir, a+"/") {
				allowed = true
			}
		}
		for _, imp := range f.imports {
			if strings.HasPrefix(imp, "github.com/aws/aws-sdk-go") && !allowed {
				t.Errorf("%s imports %s: the AWS SDK belongs in tests and load tools only", f.dir, imp)
			}
		}
	}
}

func TestNoGrabBagPackages(t *testing.T) {
	for _, f := range parseTree(t) {
		switch filepath.Base(f.dir) {
		case "utils", "util", "common", "models", "helpers", "misc":
			t.Errorf("package %s: name packages for what they provide", f.dir)
		}
	}
	if _, err := os.Stat("../../go.mod"); err != nil {
		t.Fatal("archtest must run from internal/archtest")
	}
}
