// Package storage opens Tributary's embedded stores: the kv metadata store
// (OpenKV: bbolt or pebble) and the blob store for bodies (OpenBlob: files,
// or small blobs in pebble and the rest as files).
//
// The defaults were chosen with the benchmarks in bench_test.go, run on the
// development VM (2 vCPUs shared with other jobs, load average 8-15, ext4;
// TMPDIR under /work: see the note in bench_test.go). Operations per second,
// two runs:
//
//	kv                                   bolt        pebble
//	Update 400 B record, concurrency 1   225-235     466-582
//	Update 400 B record, concurrency 16  1.9k-2.5k   4.6k-5.6k
//	Get (View + point Get), conc. 1      74k-222k    73k-116k
//	Iterate 10,000 keys, keys/s          13M-28M     0.7M-0.9M
//
//	blob, 4 KiB                          files       tiered
//	Create+Write+Commit, concurrency 1   156-162     378-400
//	Create+Write+Commit, concurrency 16  0.8k-1.2k   2.2k-2.3k
//	PutObject storage path, conc. 16     420-660     2.3k-2.7k
//	(blob commit, then a kv Update)
//
// Open+read of 1 MiB blobs: 0.8-1.3 GB/s at concurrency 1, 1.4-1.6 GB/s at
// 16. Commit of 1 MiB: 44-106 MB/s at concurrency 1, 120-170 MB/s at 16.
//
// DefaultKVBackend is pebble: an Update is one WAL append and one fdatasync
// against bolt's two, so it commits twice as many Updates at every
// concurrency, and writes are what the services wait on. bolt reads faster
// (its slices point into the mmap; pebble's are copied so they live until the
// transaction ends), but pebble's 0.7M keys/s still lists a 1,000-key page in
// about a millisecond.
//
// DefaultBlobBackend is tiered: a blob file costs a new inode made durable,
// which on this VM caps file commits near 1-2k/s however many run at once;
// pebble's log takes small bodies at 2-3x that and makes the whole PutObject
// storage path 4-5x faster. Bodies over 32 KiB still go to files.
//
// Since then S3 keeps single-PUT bodies up to 32 KiB inline in the object
// record (one synced kv commit instead of two), so the tiered store's small
// tier now sees only small multipart parts and copies. Whether "files" should
// become the default again is open; measure with the S3 load command
// (cmd/tributary-bench) before changing it.
package storage

// DefaultKVBackend is the kv backend OpenKV uses when none is configured.
const DefaultKVBackend = KVBackendPebble

// DefaultBlobBackend is the blob backend OpenBlob uses when none is configured.
const DefaultBlobBackend = BlobBackendTiered
