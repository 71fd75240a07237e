package streamlog

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

func openTest(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openLogT(t *testing.T, s *Store, name string) *Log {
	t.Helper()
	l, err := s.Log(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// rec makes a record whose data names its time and a tag.
func rec(time int64, tag string) Record { return Record{Time: time, Data: []byte(tag)} }

type gotRecord struct {
	Off  uint64
	Time int64
	Data string
}

func readAll(t *testing.T, l *Log, from uint64, maxRecords, maxBytes int) ([]gotRecord, uint64) {
	t.Helper()
	var got []gotRecord
	next, err := l.Read(from, maxRecords, maxBytes, func(off uint64, r Record) error {
		got = append(got, gotRecord{off, r.Time, string(r.Data)})
		return nil
	})
	if err != nil {
		t.Fatalf("Read(%d): %v", from, err)
	}
	return got, next
}

func mustAppend(t *testing.T, l *Log, recs ...Record) uint64 {
	t.Helper()
	first, err := l.Append(recs)
	if err != nil {
		t.Fatal(err)
	}
	return first
}

func TestAppendReadClampsTime(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	l := openLogT(t, s, "kinesis/s1/shardId-000000000000")
	if got := mustAppend(t, l, rec(100, "a"), rec(90, "b"), rec(120, "c")); got != 0 {
		t.Fatalf("first = %d, want 0", got)
	}
	if got := mustAppend(t, l, rec(110, "d")); got != 3 {
		t.Fatalf("first = %d, want 3", got)
	}
	if got := mustAppend(t, l, rec(130, ""), rec(130, "f")); got != 4 {
		t.Fatalf("first = %d, want 4", got)
	}
	got, next := readAll(t, l, 0, 0, 0)
	want := []gotRecord{{0, 100, "a"}, {1, 100, "b"}, {2, 120, "c"}, {3, 120, "d"}, {4, 130, ""}, {5, 130, "f"}}
	if !slices.Equal(got, want) || next != 6 {
		t.Fatalf("got %v next %d, want %v next 6", got, next, want)
	}
	if l.Start() != 0 || l.End() != 6 {
		t.Fatalf("Start/End = %d/%d, want 0/6", l.Start(), l.End())
	}
	for _, w := range want { // inside batches whose times differ
		if got, err := l.TimeAt(w.Off); err != nil || got != w.Time {
			t.Errorf("TimeAt(%d) = %d, %v; want %d", w.Off, got, err, w.Time)
		}
	}
	for _, c := range []struct {
		t    int64
		want uint64
	}{{100, 0}, {101, 2}, {120, 2}, {121, 4}, {130, 4}, {131, 6}} {
		if got := l.SeekTime(c.t); got != c.want {
			t.Errorf("SeekTime(%d) = %d, want %d", c.t, got, c.want)
		}
	}
	if first, err := l.Append(nil); err != nil || first != 6 {
		t.Fatalf("empty Append = %d, %v; want 6, nil", first, err)
	}
}

func TestReadLimits(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	l := openLogT(t, s, "limits")
	// Offsets 0..9, data of length 10*(off+1) in three batches.
	var recs []Record
	for i := range 10 {
		recs = append(recs, Record{Time: int64(i), Data: bytes.Repeat([]byte{byte('a' + i)}, 10*(i+1))})
	}
	mustAppend(t, l, recs[:3]...)
	mustAppend(t, l, recs[3:4]...)
	mustAppend(t, l, recs[4:]...)
	for _, c := range []struct {
		name                 string
		from                 uint64
		maxRecords, maxBytes int
		wantFirst, wantNext  uint64
	}{
		{"all", 0, 0, 0, 0, 10},
		{"from middle of batch", 1, 0, 0, 1, 10},
		{"max records", 2, 3, 0, 2, 5},
		{"max bytes exact", 0, 0, 60, 0, 3},    // 10+20+30
		{"max bytes under", 0, 0, 59, 0, 2},    // 10+20, 30 would pass 59
		{"one over max bytes", 9, 0, 5, 9, 10}, // at least one record
		{"from end", 10, 0, 0, 10, 10},
		{"past end", 15, 0, 0, 15, 15},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, next := readAll(t, l, c.from, c.maxRecords, c.maxBytes)
			if next != c.wantNext {
				t.Errorf("next = %d, want %d", next, c.wantNext)
			}
			if int(c.wantNext-c.wantFirst) != len(got) && c.wantFirst < c.wantNext {
				t.Fatalf("got %d records, want %d", len(got), c.wantNext-c.wantFirst)
			}
			for i, g := range got {
				off := c.wantFirst + uint64(i)
				if g.Off != off || g.Time != int64(off) || g.Data != string(recs[off].Data) {
					t.Errorf("record %d = %+v, want offset %d", i, g, off)
				}
			}
		})
	}
	// An error from fn stops the read; next is after the last record accepted.
	stop := errors.New("stop")
	next, err := l.Read(0, 0, 0, func(off uint64, _ Record) error {
		if off == 4 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || next != 4 {
		t.Fatalf("Read with failing fn = %d, %v; want 4, stop", next, err)
	}
}

func TestReopenKeepsRecordsAndClamp(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{SegmentBytes: 200})
	if err != nil {
		t.Fatal(err)
	}
	l := openLogT(t, s, "a/b")
	for i := range 20 {
		mustAppend(t, l, rec(int64(1000+i), fmt.Sprintf("record-%02d-%s", i, bytes.Repeat([]byte("x"), 40))))
	}
	if _, err := Open(dir, Options{}); err == nil {
		t.Fatal("second Open of the same directory succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append([]Record{rec(1, "late")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v, want ErrClosed", err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "a", "b", logDir, "*"+segSuffix))
	if len(segs) < 5 {
		t.Fatalf("%d segment files, want rolling at 200 bytes", len(segs))
	}
	s = openTest(t, dir, Options{SegmentBytes: 200})
	l = openLogT(t, s, "a/b")
	if l.Start() != 0 || l.End() != 20 {
		t.Fatalf("after reopen Start/End = %d/%d, want 0/20", l.Start(), l.End())
	}
	got, _ := readAll(t, l, 0, 0, 0)
	for i, g := range got {
		if g.Off != uint64(i) || g.Time != int64(1000+i) || g.Data[:9] != fmt.Sprintf("record-%02d", i) {
			t.Fatalf("record %d = %+v", i, g)
		}
	}
	if len(got) != 20 {
		t.Fatalf("read %d records, want 20", len(got))
	}
	if first := mustAppend(t, l, rec(5, "old clock")); first != 20 {
		t.Fatalf("append after reopen at %d, want 20", first)
	}
	if ts, err := l.TimeAt(20); err != nil || ts != 1019 {
		t.Fatalf("TimeAt(20) = %d, %v; want clamped 1019", ts, err)
	}
}
