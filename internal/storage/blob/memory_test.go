package blob_test

import (
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/storetest"
)

func TestMemoryContract(t *testing.T) {
	storetest.TestBlob(t, func(t *testing.T) blob.Store { return blob.NewMemory() })
}
