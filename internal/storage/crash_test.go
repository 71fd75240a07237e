package storage

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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

	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/blob/tieredblob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// The crash test re-runs this test binary as a child (TestCrashChild) that
// stores objects the way S3 PutObject does, from 16 goroutines: commit the
// body as a blob, then record it in kv (the record plus a counter, in one
// Update). It prints a line for every write it was told is durable. The
// parent SIGKILLs it mid-run, reopens the stores, and checks that everything
// acknowledged is there and intact, that no blob is visible half-written and
// that the counter matches the records (an Update is all or nothing). Each
// backend goes through two crash-and-recover rounds on the same directory.

const (
	crashEnvBackend = "TRIBUTARY_CRASH_CHILD_BACKEND"
	crashEnvBlob    = "TRIBUTARY_CRASH_CHILD_BLOB_BACKEND"
	crashEnvDir     = "TRIBUTARY_CRASH_CHILD_DIR"
	crashEnvRound   = "TRIBUTARY_CRASH_CHILD_ROUND"
	crashWorkers    = 16
	// crashMinAcks is how many acknowledged records the parent waits for
	// before it starts looking for a moment to kill.
	crashMinAcks = 40
)

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	// Every backend once; the defaults together.
	for _, c := range []struct{ kv, blob string }{
		{KVBackendBolt, BlobBackendFiles},
		{KVBackendPebble, BlobBackendTiered},
	} {
		t.Run(c.kv+"+"+c.blob, func(t *testing.T) {
			dir := t.TempDir()
			acked := crashAcks{records: map[string]string{}, blobs: map[string]bool{}}
			for round := range 2 {
				runAndKill(t, c.kv, c.blob, dir, round, &acked)
				verifyAfterCrash(t, c.kv, c.blob, dir, &acked)
			}
		})
	}
}

// crashAcks is what the children were told is durable.
type crashAcks struct {
	records map[string]string // kv key → record
	blobs   map[string]bool   // blob ids
}

func runAndKill(t *testing.T, backend, blobBackend, dir string, round int, acked *crashAcks) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		crashEnvBackend+"="+backend, crashEnvBlob+"="+blobBackend, crashEnvDir+"="+dir, crashEnvRound+"="+strconv.Itoa(round))
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
	records := 0
	record := func(line string) {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "blob":
			acked.blobs[f[1]] = true
		case len(f) >= 3 && f[0] == "kv":
			acked.records[f[1]] = strings.Join(f[2:], " ")
			records++
		case len(f) > 0 && f[0] == "error":
			t.Errorf("child: %s", line)
		}
	}
	// Kill at a random moment once the child is well into its run.
	killAfter := crashMinAcks + rand.IntN(crashMinAcks)
	timeout := time.After(15 * time.Second)
wait:
	for records < killAfter {
		select {
		case line, ok := <-lines:
			if !ok {
				break wait
			}
			record(line)
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("child acknowledged only %d records in 15s", records)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	for line := range lines { // what it printed before dying was acknowledged
		record(line)
	}
	err = cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed mid-run: %v (after %d records)", err, records)
	}
	t.Logf("round %d: killed after %d acknowledged records", round, records)
}

func verifyAfterCrash(t *testing.T, backend, blobBackend, dir string, acked *crashAcks) {
	t.Helper()
	store, err := OpenKV(filepath.Join(dir, "kv"), backend)
	if err != nil {
		t.Fatalf("reopen kv after crash: %v", err)
	}
	defer store.Close()
	blobs, err := OpenBlob(filepath.Join(dir, "blob"), blobBackend)
	if err != nil {
		t.Fatalf("reopen blobs after crash: %v", err)
	}
	defer blobs.Close()
	if entries, _ := os.ReadDir(filepath.Join(dir, "blob", tieredblob.FilesDir, "tmp")); len(entries) != 0 {
		t.Errorf("%d temp files left after reopening", len(entries))
	}
	// Every visible blob is whole, acknowledged or not.
	visible := map[string]bool{}
	if err := blobs.Walk(func(id string) error {
		visible[id] = true
		_, err := readCrashBlob(blobs, id)
		return err
	}); err != nil {
		t.Fatalf("a visible blob is damaged: %v", err)
	}
	for id := range acked.blobs {
		if !visible[id] {
			t.Errorf("acknowledged blob %s is gone", id)
		}
	}
	// Every record, acknowledged or not, points at its intact blob; the
	// counter written in the same Updates agrees with the records.
	stored := map[string]string{}
	var count int
	if err := store.View(func(r kv.Reader) error {
		if v, err := r.Get([]byte("count")); err == nil {
			count, _ = strconv.Atoi(string(v))
		}
		return r.Iterate([]byte("obj/"), []byte("obj0"), func(k, v []byte) (bool, error) {
			stored[string(k)] = string(v)
			return true, nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if count != len(stored) {
		t.Errorf("counter says %d records, store holds %d: an Update was applied in part", count, len(stored))
	}
	for key, want := range acked.records {
		if got, ok := stored[key]; !ok || got != want {
			t.Errorf("acknowledged record %s: got %q, want %q", key, got, want)
		}
	}
	for key, rec := range stored {
		var id string
		var size int
		var sum string
		if _, err := fmt.Sscanf(rec, "%s %d %s", &id, &size, &sum); err != nil {
			t.Fatalf("record %s is garbled: %q", key, rec)
		}
		body, err := readCrashBlob(blobs, id)
		if err != nil {
			t.Errorf("record %s: %v", key, err)
			continue
		}
		payload := body[40:]
		if h := sha256.Sum256(payload); len(payload) != size || hex.EncodeToString(h[:]) != sum {
			t.Errorf("record %s: blob %s does not match the record", key, id)
		}
	}
	t.Logf("verified %d acknowledged records (%d stored), %d acknowledged blobs (%d visible)",
		len(acked.records), len(stored), len(acked.blobs), len(visible))
}

// A crash-test blob verifies itself: an 8-byte length, the SHA-256 of the
// payload, then the payload.
func crashBody(rng *rand.Rand) []byte {
	n := rng.IntN(16 << 10)
	if rng.IntN(20) == 0 {
		n = 256<<10 + rng.IntN(1000) // now and then a larger body, written in many pieces
	}
	payload := make([]byte, n)
	for i := range payload {
		payload[i] = byte(rng.Uint32())
	}
	sum := sha256.Sum256(payload)
	out := binary.BigEndian.AppendUint64(nil, uint64(n))
	out = append(out, sum[:]...)
	return append(out, payload...)
}

func readCrashBlob(s blob.Store, id string) ([]byte, error) {
	r, err := s.Open(id)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", id, err)
	}
	defer r.Close()
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", id, err)
	}
	if len(body) < 40 || binary.BigEndian.Uint64(body) != uint64(len(body)-40) {
		return nil, fmt.Errorf("blob %s: %d bytes, length header disagrees: partial", id, len(body))
	}
	if sum := sha256.Sum256(body[40:]); !bytes.Equal(sum[:], body[8:40]) {
		return nil, fmt.Errorf("blob %s: checksum mismatch", id)
	}
	return body, nil
}

// TestCrashChild is the child process of TestCrashSafety; it does nothing
// unless started by it. It writes until it is killed.
func TestCrashChild(t *testing.T) {
	backend := os.Getenv(crashEnvBackend)
	if backend == "" {
		t.Skip("child process of TestCrashSafety")
	}
	dir, round := os.Getenv(crashEnvDir), os.Getenv(crashEnvRound)
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
	store, err := OpenKV(filepath.Join(dir, "kv"), backend)
	if err != nil {
		fail(err)
	}
	blobs, err := OpenBlob(filepath.Join(dir, "blob"), os.Getenv(crashEnvBlob))
	if err != nil {
		fail(err)
	}
	deadline := time.Now().Add(30 * time.Second) // the parent kills us long before
	var wg sync.WaitGroup
	for g := range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), uint64(time.Now().UnixNano())))
			for i := 0; time.Now().Before(deadline); i++ {
				body := crashBody(rng)
				w, err := blobs.Create()
				if err != nil {
					fail(err)
				}
				for off := 0; off < len(body); off += 4096 {
					if _, err := w.Write(body[off:min(off+4096, len(body))]); err != nil {
						fail(err)
					}
				}
				id, _, err := w.Commit()
				if err != nil {
					fail(err)
				}
				say("blob %s", id)
				sum := sha256.Sum256(body[40:])
				key := fmt.Sprintf("obj/%s/%02d/%06d", round, g, i)
				rec := fmt.Sprintf("%s %d %x", id, len(body)-40, sum)
				if err := store.Update(func(w kv.Writer) error {
					if err := w.Put([]byte(key), []byte(rec)); err != nil {
						return err
					}
					n := 0
					if v, err := w.Get([]byte("count")); err == nil {
						n, _ = strconv.Atoi(string(v))
					} else if !errors.Is(err, kv.ErrNotFound) {
						return err
					}
					return w.Put([]byte("count"), []byte(strconv.Itoa(n+1)))
				}); err != nil {
					fail(err)
				}
				say("kv %s %s", key, rec)
			}
		}()
	}
	wg.Wait()
	fail(errors.New("was not killed within 30s"))
}
