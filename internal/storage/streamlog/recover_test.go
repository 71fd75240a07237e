package streamlog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// tornFixture writes three batches (offsets 0-1, 2-4, 5-6) into one segment
// of a closed store and returns the segment's path and each batch's position.
func tornFixture(t *testing.T, dir string) (seg string, pos []int64) {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := openLogT(t, s, "torn")
	pos = append(pos, segHeaderSize)
	for _, n := range []int{2, 3, 2} {
		recs := make([]Record, n)
		for i := range recs {
			recs[i] = Record{Time: int64(len(pos)), Data: fmt.Appendf(nil, "batch %d record %d", len(pos), i)}
		}
		mustAppend(t, l, recs...)
		l.mu.Lock()
		pos = append(pos, l.segs[0].size)
		l.mu.Unlock()
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "torn", logDir, segName(0)), pos
}

func TestTornTailRepair(t *testing.T) {
	for _, c := range []struct {
		name    string
		damage  func(t *testing.T, seg string, pos []int64)
		wantEnd uint64
	}{
		{"truncated by one byte", func(t *testing.T, seg string, pos []int64) { truncate(t, seg, pos[3]-1) }, 5},
		{"truncated mid payload", func(t *testing.T, seg string, pos []int64) { truncate(t, seg, pos[2]+batchHeaderSize+5) }, 5},
		{"truncated mid header", func(t *testing.T, seg string, pos []int64) { truncate(t, seg, pos[2]+7) }, 5},
		{"only the header", func(t *testing.T, seg string, pos []int64) { truncate(t, seg, pos[2]+batchHeaderSize) }, 5},
		{"payload byte flipped", func(t *testing.T, seg string, pos []int64) { flip(t, seg, pos[3]-3) }, 5},
		{"header byte flipped", func(t *testing.T, seg string, pos []int64) { flip(t, seg, pos[2]+10) }, 5},
		{"middle batch damaged", func(t *testing.T, seg string, pos []int64) { flip(t, seg, pos[1]+batchHeaderSize+1) }, 2},
		{"zeros after the tail", func(t *testing.T, seg string, pos []int64) { appendBytes(t, seg, make([]byte, 4096)) }, 7},
		{"garbage after the tail", func(t *testing.T, seg string, pos []int64) {
			appendBytes(t, seg, []byte("not a batch header at all, really not"))
		}, 7},
		{"a whole batch repeated", func(t *testing.T, seg string, pos []int64) {
			b, _ := os.ReadFile(seg)
			appendBytes(t, seg, b[pos[2]:pos[3]]) // valid checksums, wrong offset
		}, 7},
		{"torn roll: header-less next segment", func(t *testing.T, seg string, pos []int64) {
			writeFile(t, filepath.Join(filepath.Dir(seg), segName(7)), []byte("TRIBS"))
		}, 7},
		{"torn roll: next segment with a torn batch", func(t *testing.T, seg string, pos []int64) {
			next := appendSegHeader(nil, 7, 3)
			next = appendBatch(next, 7, []Record{rec(3, "never acknowledged")}, 3, 40+1+1+18, 3)
			writeFile(t, filepath.Join(filepath.Dir(seg), segName(7)), next[:len(next)-2])
		}, 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			seg, pos := tornFixture(t, dir)
			c.damage(t, seg, pos)
			s := openTest(t, dir, Options{})
			l := openLogT(t, s, "torn")
			if l.End() != c.wantEnd {
				t.Fatalf("End after repair = %d, want %d", l.End(), c.wantEnd)
			}
			got, _ := readAll(t, l, 0, 0, 0)
			if uint64(len(got)) != c.wantEnd {
				t.Fatalf("read %d records, want %d", len(got), c.wantEnd)
			}
			if fi, _ := os.Stat(seg); c.wantEnd < 7 && fi.Size() != pos[batchIndex(c.wantEnd)] {
				t.Errorf("segment is %d bytes after repair, want truncated to %d", fi.Size(), pos[batchIndex(c.wantEnd)])
			}
			if first := mustAppend(t, l, rec(9, "after repair")); first != c.wantEnd {
				t.Fatalf("append after repair at %d, want %d", first, c.wantEnd)
			}
			s.Close()
			s2 := openTest(t, dir, Options{})
			if got, _ := readAll(t, openLogT(t, s2, "torn"), 0, 0, 0); uint64(len(got)) != c.wantEnd+1 || got[len(got)-1].Data != "after repair" {
				t.Fatalf("after a second reopen: %v", got)
			}
		})
	}
}

// batchIndex maps a fixture end offset to its batch boundary index.
func batchIndex(end uint64) int { return map[uint64]int{0: 0, 2: 1, 5: 2, 7: 3}[end] }

func TestSealedSegmentDamageIsAnError(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{SegmentBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	l := openLogT(t, s, "sealed")
	for i := range 3 {
		mustAppend(t, l, Record{Time: int64(i), Data: make([]byte, 30)})
	}
	s.Close()
	flip(t, filepath.Join(dir, "sealed", logDir, segName(1)), segHeaderSize+12) // the record count
	s = openTest(t, dir, Options{})
	if _, err := s.Log("sealed"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Log with a damaged sealed segment: %v, want ErrCorrupt", err)
	}
}

func truncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

func flip(t *testing.T, path string, at int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x40
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
