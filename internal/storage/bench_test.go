package storage

// Benchmarks that chose DefaultKVBackend and DefaultBlobBackend (see doc.go).
//
//	TMPDIR=/path/on/the/data/disk go test ./internal/storage -run=NONE -bench=. -benchtime=2s
//
// Put TMPDIR on the disk the data directory will live on: the numbers are
// fsync- and inode-allocation-bound, and those differ between filesystems
// and even between directories of one filesystem. On the development VM,
// creating a file under /tmp took ~300 us of kernel time against ~15 us
// under /work (measured; likely inode allocation in a crowded ext4 block
// group).

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

func openBench(b *testing.B, backend string) kv.Store {
	b.Helper()
	s, err := OpenKV(b.TempDir(), backend)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// parallel runs op b.N times in total from n goroutines and reports ops/s.
func parallel(b *testing.B, n int, op func(i int) error) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	b.ResetTimer()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := op(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// fill stores n records under "s3/o/bench/%08d".
func fill(b *testing.B, s kv.Store, n int) {
	b.Helper()
	record := bytes.Repeat([]byte{'r'}, 400) // an S3 object record's size
	for start := 0; start < n; start += 1000 {
		if err := s.Update(func(w kv.Writer) error {
			for i := start; i < min(start+1000, n); i++ {
				if err := w.Put(fmt.Appendf(nil, "s3/o/bench/%08d", i), record); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKV(b *testing.B) {
	for _, backend := range KVBackends() {
		b.Run(backend, func(b *testing.B) {
			// Update: what a PutObject does to metadata: read the bucket
			// record, write the object record, durably. The 4 KiB record
			// measures keeping a small body inline in the record.
			for _, size := range []int{400, 4096} {
				for _, conc := range []int{1, 16} {
					b.Run(fmt.Sprintf("Update/%dB/c%d", size, conc), func(b *testing.B) {
						s := openBench(b, backend)
						fill(b, s, 1)
						record := bytes.Repeat([]byte{'r'}, size)
						parallel(b, conc, func(i int) error {
							return s.Update(func(w kv.Writer) error {
								if _, err := w.Get([]byte("s3/o/bench/00000000")); err != nil {
									return err
								}
								return w.Put(fmt.Appendf(nil, "s3/o/new/%08d", i), record)
							})
						})
					})
				}
			}
			for _, conc := range []int{1, 16} {
				b.Run(fmt.Sprintf("Get/c%d", conc), func(b *testing.B) {
					s := openBench(b, backend)
					const keys = 10_000
					fill(b, s, keys)
					parallel(b, conc, func(i int) error {
						key := fmt.Appendf(nil, "s3/o/bench/%08d", rand.IntN(keys))
						return s.View(func(r kv.Reader) error {
							_, err := r.Get(key)
							return err
						})
					})
				})
			}
			b.Run("Iterate10k", func(b *testing.B) {
				s := openBench(b, backend)
				const keys = 10_000
				fill(b, s, keys)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					n := 0
					if err := s.View(func(r kv.Reader) error {
						return r.Iterate([]byte("s3/o/bench/"), []byte("s3/o/bench0"), func(k, v []byte) (bool, error) {
							n++
							return true, nil
						})
					}); err != nil {
						b.Fatal(err)
					}
					if n != keys {
						b.Fatalf("iterated %d keys, want %d", n, keys)
					}
				}
				b.ReportMetric(float64(b.N*keys)/b.Elapsed().Seconds(), "keys/s")
			})
		})
	}
}

func openBlobBench(b *testing.B, backend string) blob.Store {
	b.Helper()
	s, err := OpenBlob(b.TempDir(), backend)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func commitBlob(s blob.Store, data []byte) (string, error) {
	w, err := s.Create()
	if err != nil {
		return "", err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return "", err
	}
	id, _, err := w.Commit()
	return id, err
}

func BenchmarkBlob(b *testing.B) {
	for _, backend := range BlobBackends() {
		b.Run(backend, func(b *testing.B) {
			for _, size := range []int{4 << 10, 1 << 20} {
				for _, conc := range []int{1, 16} {
					b.Run(fmt.Sprintf("Commit/%dKiB/c%d", size>>10, conc), func(b *testing.B) {
						s := openBlobBench(b, backend)
						data := bytes.Repeat([]byte{'x'}, size)
						b.SetBytes(int64(size))
						parallel(b, conc, func(int) error {
							_, err := commitBlob(s, data)
							return err
						})
					})
				}
			}
			for _, size := range []int{4 << 10, 1 << 20} {
				for _, conc := range []int{1, 16} {
					b.Run(fmt.Sprintf("OpenRead/%dKiB/c%d", size>>10, conc), func(b *testing.B) {
						benchOpenRead(b, openBlobBench(b, backend), size, conc)
					})
				}
			}
		})
	}
}

func benchOpenRead(b *testing.B, s blob.Store, size, conc int) {
	var ids []string
	for range 32 {
		id, err := commitBlob(s, bytes.Repeat([]byte{'y'}, size))
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	b.SetBytes(int64(size))
	bufs := sync.Pool{New: func() any { return make([]byte, 256<<10) }}
	parallel(b, conc, func(i int) error {
		r, err := s.Open(ids[i%len(ids)])
		if err != nil {
			return err
		}
		defer r.Close()
		buf := bufs.Get().([]byte)
		defer bufs.Put(buf)
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
		if err == nil && n != int64(size) {
			err = fmt.Errorf("read %d bytes", n)
		}
		return err
	})
}

// BenchmarkPutPath is the storage work of one PutObject: commit a 4 KiB body
// as a blob, then record it in kv, for the default backends and for files.
func BenchmarkPutPath(b *testing.B) {
	for _, backend := range BlobBackends() {
		for _, conc := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/4KiB/c%d", backend, conc), func(b *testing.B) {
				s := openBench(b, DefaultKVBackend)
				blobs := openBlobBench(b, backend)
				body := bytes.Repeat([]byte{'x'}, 4<<10)
				record := bytes.Repeat([]byte{'r'}, 400)
				parallel(b, conc, func(i int) error {
					id, err := commitBlob(blobs, body)
					if err != nil {
						return err
					}
					return s.Update(func(w kv.Writer) error {
						return w.Put(fmt.Appendf(nil, "s3/o/new/%08d", i), append(record[:len(record):len(record)], id...))
					})
				})
			})
		}
	}
}
