package pebblekv_test

import (
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/kv/pebblekv"
	"github.com/tributary-dev/tributary/internal/storage/storetest"
)

func open(t *testing.T, dir string) kv.Store {
	t.Helper()
	s, err := pebblekv.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.TestKV(t, func(t *testing.T) kv.Store { return open(t, t.TempDir()) })
}

func TestPersistence(t *testing.T) {
	storetest.TestKVPersistence(t, open)
}
