// Package streamlog is Tributary's append-only durable log: named logs of
// records with dense offsets, in segment files with checksums, group-committed
// fsyncs, torn-tail repair on open, and retention trimming by whole segment.
// Kinesis shards live in it; Firehose buffers, Logs streams and durable
// consumers are meant to.
//
// Layout under the store's directory:
//
//	+lock                   flock'd while a Store has the directory open
//	+trash/                 removed and half-created logs; emptied by Open
//	<name parts...>/+log/   one log: its segment files (format in format.go)
//
// Name parts use [A-Za-z0-9._-], so they never collide with the "+" entries,
// and a log "a" and a log "a/b" can both exist. A log is created under +trash
// and renamed into place, and removed by renaming it into +trash, so after a
// crash it is whole or absent.
//
// Durability: Append returns after its batch is written and fdatasynced
// (commit.go: one committer per Store, one pwrite per segment touched and one
// fdatasync per dirty file per round, files of different logs synced in
// parallel). Readers see only acknowledged records: End() is the durable end,
// so a record a consumer has read can never vanish in a crash and its offset
// never be reused.
//
// Costs: each open log holds one file descriptor per segment and a sparse
// in-memory index (one 24-byte entry per 32 KiB of data: about 0.75 MB per
// GB held). Opening a log rebuilds the index from the batch headers (sealed
// segments: one pread per 64 KiB or per batch, whichever is more) and reads
// and verifies its whole last segment (at most SegmentBytes plus one batch),
// truncating a torn tail. Read, SeekTime and TimeAt bisect the segments and
// the index, then read at most 32 KiB of headers plus the batch they want;
// every batch they decode has its CRC-32C checked, so reading one record of
// a large batch costs reading and checking the whole batch. TrimBefore holds
// the log's lock while it creates a replacement segment (only when it trims
// everything).
//
// Measured with bench_test.go on the development VM (2 vCPUs shared with
// other jobs, load average 4-11, ext4 on virtio; dd with fdatasync: 95-150
// MB/s, one 4 KiB O_DSYNC write 2.4-2.7 ms), two runs each:
//
//	Append, durable, 8 appenders over 4 logs:
//	  500 x 1 KiB records per Append   406k-460k records/s, 415-470 MB/s
//	  500 x 128 B records per Append   0.87M-1.16M records/s, 110-150 MB/s
//	  1 x 1 KiB record per Append      4.8k-5.9k records/s (fsync latency bound)
//	Append, durable, 1 appender, 1 log:
//	  500 x 1 KiB records per Append   262k-314k records/s
//	Read (page cache hot), 10,000 records per call, 0 allocations:
//	  1 KiB records, 500 per batch     2.1M-4.7M records/s, 2.1-4.8 GB/s
//	  128 B records, 500 per batch     11M-20M records/s
//	  128 B records, 1 per batch       4.6M-7.1M records/s
//
// Profiled: most of a durable Append's CPU is the kernel's side of pwrite;
// the rest is copying and checksumming the records once, under the log's
// lock. Creating a log costs about four fsyncs (10 ms here).
package streamlog
