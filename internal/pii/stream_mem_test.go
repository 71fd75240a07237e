package pii

import (
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// cycleReader yields open, then records (cycling) separated by sep until size bytes, then close.
type cycleReader struct {
	recs              []string
	open, sep, closer string
	size, pos         int64
	i                 int
	cur               string
	done              bool
}

func (c *cycleReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if c.cur == "" {
			switch {
			case c.done:
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			case c.pos >= c.size:
				c.cur, c.done = c.closer, true
				continue
			case c.i == 0:
				c.cur = c.open + c.recs[0]
			default:
				c.cur = c.sep + c.recs[c.i%len(c.recs)]
			}
			c.i++
		}
		k := copy(p[n:], c.cur)
		c.cur, n, c.pos = c.cur[k:], n+k, c.pos+int64(k)
	}
	return n, nil
}

// TestRedactBoundedMemory: 64 MiB of NDJSON, and one 64 MiB JSON document, are redacted with the heap staying
// far below the input size (sampled while running; not a timing test).
func TestRedactBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 128 MiB")
	}
	orders := strings.Split(strings.TrimSpace(orderDocuments(500)), "\n")
	r, err := NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    Format
		src  *cycleReader
	}{
		{"ndjson", FormatNDJSON, &cycleReader{recs: orders, sep: "\n", closer: "\n", size: 64 << 20}},
		{"one json document", FormatJSON, &cycleReader{recs: orders, open: "[", sep: ",\n", closer: "]\n", size: 64 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			var peak uint64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				var m runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-time.After(10 * time.Millisecond):
					}
					runtime.ReadMemStats(&m)
					peak = max(peak, m.HeapInuse)
				}
			})
			rep, err := r.Redact(io.Discard, tc.src, tc.f)
			close(stop)
			wg.Wait()
			if err != nil || rep.Fallback || rep.BytesIn < 64<<20 || rep.Counts[TypeEmail] < 80000 {
				t.Fatalf("%+v %v", rep, err)
			}
			grew := int64(peak) - int64(base.HeapInuse)
			t.Logf("heap in use grew by at most %.1f MiB for %d MiB in", float64(grew)/(1<<20), rep.BytesIn>>20)
			if grew > 32<<20 {
				t.Errorf("heap grew by %d MiB", grew>>20)
			}
		})
	}
}
