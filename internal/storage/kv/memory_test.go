package kv_test

import (
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/storetest"
)

func TestMemoryContract(t *testing.T) {
	storetest.TestKV(t, func(t *testing.T) kv.Store {
		s := kv.NewMemory()
		t.Cleanup(func() { s.Close() })
		return s
	})
}
