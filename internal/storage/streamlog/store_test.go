package streamlog

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestSeekTimeAndTimeAt(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{SegmentBytes: 300})
	l := openLogT(t, s, "seek")
	// Times 10,10,20,20,30,... over many segments and batches.
	for i := range 40 {
		mustAppend(t, l, rec(int64(10*(i/2+1)), "padding-padding-padding"), rec(int64(10*(i/2+1)), "p"))
	}
	// 80 records: offsets 4k..4k+3 have time 10*(k+1).
	for _, c := range []struct {
		t    int64
		want uint64
	}{
		{-1 << 40, 0}, {10, 0}, {11, 4}, {20, 4}, {25, 8}, {200, 76}, {201, 80}, {1 << 40, 80},
	} {
		if got := l.SeekTime(c.t); got != c.want {
			t.Errorf("SeekTime(%d) = %d, want %d", c.t, got, c.want)
		}
	}
	for _, c := range []struct {
		off     uint64
		want    int64
		wantErr error
	}{
		{0, 10, nil}, {3, 10, nil}, {4, 20, nil}, {79, 200, nil}, {80, 0, ErrOutOfRange}, {1000, 0, ErrOutOfRange},
	} {
		got, err := l.TimeAt(c.off)
		if got != c.want || !errors.Is(err, c.wantErr) {
			t.Errorf("TimeAt(%d) = %d, %v; want %d, %v", c.off, got, err, c.want, c.wantErr)
		}
	}
	// After trimming, trimmed offsets are out of range and SeekTime starts at Start().
	if n, err := l.TrimBefore(100); err != nil || n == 0 {
		t.Fatalf("TrimBefore = %d, %v", n, err)
	}
	start := l.Start()
	if start == 0 {
		t.Fatal("Start did not advance")
	}
	if _, err := l.TimeAt(0); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("TimeAt(0) after trim: %v, want ErrOutOfRange", err)
	}
	if got := l.SeekTime(0); got != start {
		t.Errorf("SeekTime(0) after trim = %d, want Start() %d", got, start)
	}
}

func TestTrimBefore(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, Options{SegmentBytes: 100})
	l := openLogT(t, s, "trim")
	// One 70-byte batch per segment: batch header 40 + 2 + 28 bytes of data.
	for i := range 6 {
		mustAppend(t, l, Record{Time: int64(100 * (i + 1)), Data: make([]byte, 28)})
	}
	segFiles := func() int {
		m, _ := filepath.Glob(filepath.Join(dir, "trim", logDir, "*"+segSuffix))
		return len(m)
	}
	if n := segFiles(); n != 6 {
		t.Fatalf("%d segments, want 6", n)
	}
	for _, c := range []struct {
		before            int64
		wantDeleted       int
		wantStart, wantFi int
	}{
		{100, 0, 0, 6},  // nothing strictly older than 100
		{101, 1, 1, 5},  // segment with time 100
		{350, 2, 3, 3},  // 200 and 300
		{350, 0, 3, 3},  // again: nothing more
		{1000, 3, 6, 1}, // everything, the active segment too: an empty one keeps End
	} {
		n, err := l.TrimBefore(c.before)
		if err != nil || n != c.wantDeleted {
			t.Fatalf("TrimBefore(%d) = %d, %v; want %d", c.before, n, err, c.wantDeleted)
		}
		if l.Start() != uint64(c.wantStart) || l.End() != 6 || segFiles() != c.wantFi {
			t.Fatalf("after TrimBefore(%d): Start %d End %d files %d; want %d 6 %d",
				c.before, l.Start(), l.End(), segFiles(), c.wantStart, c.wantFi)
		}
	}
	if got, next := readAll(t, l, 0, 0, 0); len(got) != 0 || next != 6 {
		t.Fatalf("read of a fully trimmed log: %v, next %d", got, next)
	}
	if got := l.SeekTime(0); got != 6 {
		t.Fatalf("SeekTime on empty log = %d, want 6", got)
	}
	s.Close()
	s = openTest(t, dir, Options{SegmentBytes: 100})
	l = openLogT(t, s, "trim")
	if l.Start() != 6 || l.End() != 6 {
		t.Fatalf("after reopen Start/End = %d/%d, want 6/6", l.Start(), l.End())
	}
	if first := mustAppend(t, l, rec(1, "after")); first != 6 {
		t.Fatalf("append after full trim at %d, want 6", first)
	}
	if ts, _ := l.TimeAt(6); ts != 600 {
		t.Fatalf("time after full trim and reopen = %d, want clamped to 600", ts)
	}
}

func TestChanged(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{NoSync: true})
	l := openLogT(t, s, "changed")
	ch := l.Changed()
	select {
	case <-ch:
		t.Fatal("Changed closed before any Append")
	default:
	}
	mustAppend(t, l, rec(1, "x"))
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("Changed not closed by Append")
	}
	ch = l.Changed()
	s.Close()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("Changed not closed by Close")
	}
}

func TestNamesAndRemove(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, Options{})
	names := []string{"kinesis/s1/shardId-000000000001", "kinesis/s1/shardId-000000000000", "a", "a/b", "x.y_z-1"}
	for _, n := range names {
		l := openLogT(t, s, n)
		mustAppend(t, l, rec(1, n))
		if again := openLogT(t, s, n); again != l {
			t.Fatalf("Log(%q) twice gave different logs", n)
		}
	}
	check := func(want ...string) {
		t.Helper()
		got, err := s.Names()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("Names = %q, want %q", got, want)
		}
	}
	check(names...)
	old := openLogT(t, s, "a")
	if err := s.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Append([]Record{rec(1, "x")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append to removed log: %v, want ErrClosed", err)
	}
	if _, err := old.Read(0, 0, 0, func(uint64, Record) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Read of removed log: %v, want ErrClosed", err)
	}
	check("kinesis/s1/shardId-000000000001", "kinesis/s1/shardId-000000000000", "a/b", "x.y_z-1")
	if got, _ := readAll(t, openLogT(t, s, "a/b"), 0, 0, 0); len(got) != 1 || got[0].Data != "a/b" {
		t.Fatalf("a/b after removing a: %v", got)
	}
	if err := s.Remove("kinesis/s1/shardId-000000000000"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("kinesis/s1/shardId-000000000001"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("never-existed"); err != nil {
		t.Fatalf("Remove of a missing log: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kinesis")); !os.IsNotExist(err) {
		t.Errorf("empty parent directories left behind: %v", err)
	}
	// A removed name comes back as a new empty log, also after reopening.
	fresh := openLogT(t, s, "a")
	if fresh == old || fresh.End() != 0 {
		t.Fatalf("Log after Remove: same=%v End=%d", fresh == old, fresh.End())
	}
	s.Close()
	s = openTest(t, dir, Options{})
	check("a", "a/b", "x.y_z-1")
	if l := openLogT(t, s, "a"); l.End() != 0 {
		t.Fatalf("recreated log has End %d after reopen", l.End())
	}
}

func TestBadNames(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{NoSync: true})
	for _, name := range []string{"", "/a", "a/", "a//b", ".", "..", "a/../b", "a b", "+log", "a/+trash", "é", "a\\b"} {
		if _, err := s.Log(name); !errors.Is(err, ErrBadName) {
			t.Errorf("Log(%q): %v, want ErrBadName", name, err)
		}
		if err := s.Remove(name); !errors.Is(err, ErrBadName) {
			t.Errorf("Remove(%q): %v, want ErrBadName", name, err)
		}
	}
}
