package streamlog

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The crash test re-runs this test binary as a child (TestCrashChild) that
// appends from 8 goroutines to 4 logs and prints a line for every Append it
// was told is durable. The parent SIGKILLs it mid-run (a kill can cut a large
// pwrite short), reopens the store and checks that every acknowledged batch
// is present once at its acknowledged offsets, that offsets are dense, and
// that no batch is visible in part. Two crash-and-recover rounds run on the
// same directory.

const (
	crashEnvDir   = "STREAMLOG_CRASH_CHILD_DIR"
	crashEnvRound = "STREAMLOG_CRASH_CHILD_ROUND"
	crashWorkers  = 8
	crashLogs     = 4
	crashMinAcks  = 150
)

// crashAck is an acknowledged Append.
type crashAck struct {
	log      int
	first    uint64
	round, g int
	batch, n int
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	dir := t.TempDir()
	var acks []crashAck
	for round := range 2 {
		acks = append(acks, runAndKill(t, dir, round)...)
		loseUnsyncedTail(t, dir, acks)
		verifyAfterCrash(t, dir, acks)
	}
}

func runAndKill(t *testing.T, dir string, round int) []crashAck {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnvDir+"="+dir, crashEnvRound+"="+strconv.Itoa(round))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var acks []crashAck
	record := func(line string) {
		var a crashAck
		if _, err := fmt.Sscanf(line, "ack %d %d %d %d %d %d", &a.log, &a.first, &a.round, &a.g, &a.batch, &a.n); err == nil {
			acks = append(acks, a)
		} else if strings.HasPrefix(line, "error") {
			t.Errorf("child: %s", line)
		}
	}
	killAfter := crashMinAcks + rand.IntN(crashMinAcks)
	timeout := time.After(20 * time.Second)
wait:
	for len(acks) < killAfter {
		select {
		case line, ok := <-lines:
			if !ok {
				break wait
			}
			record(line)
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("child acknowledged only %d appends in 20s", len(acks))
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	for line := range lines { // printed before it died: acknowledged
		record(line)
	}
	err = cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed mid-run: %v (after %d acks)", err, len(acks))
	}
	t.Logf("round %d: killed after %d acknowledged appends", round, len(acks))
	return acks
}

func verifyAfterCrash(t *testing.T, dir string, acks []crashAck) {
	t.Helper()
	s := openTest(t, dir, Options{})
	defer s.Close()
	type batchKey struct{ round, g, batch int }
	type seen struct {
		log   int
		first uint64
		n     int
	}
	batches := map[batchKey]seen{}
	total := 0
	for li := range crashLogs {
		l := openLogT(t, s, fmt.Sprintf("crash/%d", li))
		var open *crashRecord // the batch being read, until its last record
		var openFirst, want uint64
		next, err := l.Read(0, 0, 0, func(off uint64, r Record) error {
			if off != want {
				return fmt.Errorf("log %d: offset %d after %d: not dense", li, off, want-1)
			}
			want++
			cr, err := parseCrashRecord(r.Data)
			if err != nil {
				return fmt.Errorf("log %d offset %d: %w", li, off, err)
			}
			if open == nil {
				if cr.k != 0 {
					return fmt.Errorf("log %d offset %d: batch %+v starts at record %d: partial batch", li, off, cr, cr.k)
				}
				open, openFirst = &cr, off
			} else if cr.round != open.round || cr.g != open.g || cr.batch != open.batch || cr.k != open.k+1 || cr.n != open.n {
				return fmt.Errorf("log %d offset %d: %+v follows %+v: partial or interleaved batch", li, off, cr, *open)
			} else {
				open = &cr
			}
			if cr.k == cr.n-1 {
				key := batchKey{cr.round, cr.g, cr.batch}
				if prev, dup := batches[key]; dup {
					return fmt.Errorf("batch %+v twice: log %d offset %d and log %d offset %d", key, prev.log, prev.first, li, openFirst)
				}
				batches[key] = seen{li, openFirst, cr.n}
				open = nil
			}
			total++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if open != nil {
			t.Fatalf("log %d ends inside batch %+v: partial batch", li, *open)
		}
		if l.Start() != 0 || next != l.End() {
			t.Fatalf("log %d: Start %d, read to %d, End %d", li, l.Start(), next, l.End())
		}
	}
	for _, a := range acks {
		got, ok := batches[batchKey{a.round, a.g, a.batch}]
		if !ok {
			t.Errorf("acknowledged append %+v is gone", a)
		} else if got.log != a.log || got.first != a.first || got.n != a.n {
			t.Errorf("acknowledged append %+v found as %+v", a, got)
		}
	}
	t.Logf("verified %d acknowledged appends; %d batches, %d records stored", len(acks), len(batches), total)
}

// loseUnsyncedTail simulates a power loss on top of the kill: each log's
// last segment loses a random part of what follows its last acknowledged
// batch, which may cut a batch anywhere.
func loseUnsyncedTail(t *testing.T, dir string, acks []crashAck) {
	t.Helper()
	for li := range crashLogs {
		var ackedEnd uint64
		for _, a := range acks {
			if a.log == li {
				ackedEnd = max(ackedEnd, a.first+uint64(a.n))
			}
		}
		segs, err := filepath.Glob(filepath.Join(dir, "crash", strconv.Itoa(li), logDir, "*"+segSuffix))
		if err != nil || len(segs) == 0 {
			t.Fatalf("log %d has no segments: %v", li, err)
		}
		last := segs[len(segs)-1] // zero-padded names sort by offset
		b, err := os.ReadFile(last)
		if err != nil {
			t.Fatal(err)
		}
		keep := int64(segHeaderSize)
		for pos := int64(segHeaderSize); pos+batchHeaderSize <= int64(len(b)); {
			h, err := parseBatchHeader(b[pos:])
			if err != nil || h.firstOff >= ackedEnd {
				break
			}
			pos += h.size()
			keep = pos
		}
		if keep == segHeaderSize && filepath.Base(last) != segName(0) {
			keep = 0 // a roll's file with nothing acknowledged: even its header may be torn
		}
		cut := keep + rand.Int64N(int64(len(b))-keep+1)
		truncate(t, last, cut)
		t.Logf("log %d: cut the last segment at byte %d of %d (acknowledged data ends at %d)", li, cut, len(b), keep)
	}
}

// A crash record names its batch and verifies itself:
// "round g batch k n|" + filler + crc32 of everything before it.
type crashRecord struct{ round, g, batch, k, n int }

func parseCrashRecord(b []byte) (crashRecord, error) {
	var c crashRecord
	if len(b) < 5 || crc32.ChecksumIEEE(b[:len(b)-4]) != uint32(b[len(b)-4])<<24|uint32(b[len(b)-3])<<16|uint32(b[len(b)-2])<<8|uint32(b[len(b)-1]) {
		return c, fmt.Errorf("record %q fails its checksum", b[:min(len(b), 40)])
	}
	head, _, ok := strings.Cut(string(b), "|")
	if !ok {
		return c, fmt.Errorf("record without a head")
	}
	if _, err := fmt.Sscanf(head, "%d %d %d %d %d", &c.round, &c.g, &c.batch, &c.k, &c.n); err != nil {
		return c, fmt.Errorf("record head %q: %w", head, err)
	}
	return c, nil
}

// TestCrashChild is the child process of TestCrashSafety; it does nothing
// unless started by it. It appends until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnvDir)
	if dir == "" {
		t.Skip("child process of TestCrashSafety")
	}
	round, _ := strconv.Atoi(os.Getenv(crashEnvRound))
	var outMu sync.Mutex
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...) // one write per line
	}
	fail := func(err error) {
		say("error %v", err)
		os.Exit(3)
	}
	s, err := Open(dir, Options{SegmentBytes: 256 << 10}) // small: rolls happen during the run
	if err != nil {
		fail(err)
	}
	deadline := time.Now().Add(30 * time.Second) // the parent kills us long before
	var wg sync.WaitGroup
	for g := range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			li := g % crashLogs
			l, err := s.Log(fmt.Sprintf("crash/%d", li))
			if err != nil {
				fail(err)
			}
			rng := rand.New(rand.NewPCG(uint64(g), uint64(time.Now().UnixNano())))
			for i := 0; time.Now().Before(deadline); i++ {
				n := 1 + rng.IntN(20)
				filler := rng.IntN(200)
				if rng.IntN(10) == 0 {
					filler = 8<<10 + rng.IntN(8<<10) // now and then a batch of 100+ KiB
				}
				recs := make([]Record, n)
				for k := range recs {
					recs[k] = Record{Time: time.Now().UnixMilli(), Data: crashRecordBytes(crashRecord{round, g, i, k, n}, filler)}
				}
				first, err := l.Append(recs)
				if err != nil {
					fail(err)
				}
				say("ack %d %d %d %d %d %d", li, first, round, g, i, n)
			}
		}()
	}
	wg.Wait()
	fail(errors.New("was not killed within 30s"))
}

func crashRecordBytes(c crashRecord, filler int) []byte {
	b := fmt.Appendf(nil, "%d %d %d %d %d|", c.round, c.g, c.batch, c.k, c.n)
	for i := range filler {
		b = append(b, byte(c.batch+c.k+i))
	}
	sum := crc32.ChecksumIEEE(b)
	return append(b, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
}
