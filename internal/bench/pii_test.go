package bench

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/pii"
)

func TestPIISource(t *testing.T) {
	for _, format := range []string{"ndjson", "json", "csv", "text"} {
		src, err := newPIISource(format, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(src)
		if err != nil || len(data) < 1<<20 || len(data) > 1<<20+4096 {
			t.Fatalf("%s: %d bytes, %v", format, len(data), err)
		}
		switch format {
		case "json":
			if !json.Valid(data) {
				t.Errorf("json source is not one JSON document")
			}
		case "ndjson":
			sc := bufio.NewScanner(strings.NewReader(string(data)))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				if !json.Valid(sc.Bytes()) {
					t.Fatalf("ndjson line %q", sc.Text())
				}
			}
		}
	}
	if _, err := newPIISource("xml", 1); err == nil {
		t.Error("xml accepted")
	}
}

func TestPIIInProcess(t *testing.T) {
	r, err := pii.NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := piiInProcess(r, "ndjson", 2<<20)
	if err != nil || res.fallback || res.findings == 0 || res.bytesIn < 2<<20 {
		t.Errorf("%+v %v", res, err)
	}
}

// TestPIISourceLayout: the source is exactly open, whole records joined by the separator, close, whatever the
// read sizes, and stops at the first record boundary at or past its size.
func TestPIISourceLayout(t *testing.T) {
	for _, format := range []string{"ndjson", "json", "csv", "text"} {
		for _, readSize := range []int{1, 7, 4096} {
			src, err := newPIISource(format, 50000)
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			buf := make([]byte, readSize)
			for {
				n, err := src.Read(buf)
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
			}
			ref, _ := newPIISource(format, 0)
			want := ref.open
			for k := 0; len(want) < 50000; k++ {
				if k > 0 {
					want += ref.sep
				}
				want += ref.pool[k%len(ref.pool)]
			}
			want += ref.close
			if string(got) != want {
				t.Fatalf("%s read by %d: %d bytes differ from the expected %d", format, readSize, len(got), len(want))
			}
		}
	}
}
