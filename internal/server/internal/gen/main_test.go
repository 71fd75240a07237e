package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tributary-dev/tributary/internal/server/internal/botomodel"
)

// TestCommittedTablesAreFresh regenerates every table from the models on
// disk and compares it with the committed file (the first line, which names
// the botocore version, aside): hand edits and stale tables both fail.
func TestCommittedTablesAreFresh(t *testing.T) {
	dir, err := botomodel.DataDir()
	if err != nil {
		t.Fatalf("no botocore models: %v", err)
	}
	for _, svc := range botomodel.ServiceNames() {
		m, err := botomodel.Load(dir, svc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := generate(m, botomodel.BotocoreVersion(dir))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("..", "..", "routes_"+svc+"_gen.go")
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(afterFirstLine(got), afterFirstLine(want)) {
			t.Errorf("%s is stale or edited by hand; run go generate ./internal/server", path)
		}
	}
}

func afterFirstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}
