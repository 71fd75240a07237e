// Package logs implements Amazon CloudWatch Logs over AWS JSON 1.1 (spec
// streaming.md §3): log groups and streams, PutLogEvents, GetLogEvents,
// FilterLogEvents, retention, tags, subscription filters with real
// delivery, logical destinations, and metric filters (stored and tested;
// no metric data is emitted). Filter patterns are package filterpattern.
// Operations not built answer UnknownOperationException.
//
// # Storage
//
// Metadata lives in kv under "logs/" (service.go lists the keys): one
// record per group (its settings, tags, subscription and metric filters,
// the next stream number, and PurgedBefore), one per stream, one delivery
// cursor per subscription filter, one per destination. Events live in
// streamlog, one log per stream, named logs/<group id>/<stream number>:
// group ids are random (names may hold characters streamlog refuses) and
// stream numbers are never reused within a group, so a stream deleted and
// created again starts empty and event ids stay unique.
//
// One PutLogEvents call is one streamlog Append (wholly stored or not at
// all; acknowledged only once fsynced). Each record is one event:
// Record.Time is the ingestion time (ms; streamlog keeps it non-decreasing
// per stream) and Record.Data is the event timestamp (8 bytes, big-endian)
// followed by the message bytes. An event id is 56 decimal digits: event
// timestamp (18), stream number (18), offset in the stream's log (20).
//
// Stream statistics (first/last event time, last ingestion, stored bytes
// by event-time bucket) are kept in memory and rebuilt on load by reading
// every stream's log once (streamlog reads at GB/s from a warm cache).
//
// # Reading
//
// GetLogEvents tokens are f/ or b/ and a 56-digit log offset; at the end
// of a direction the call returns the token it was given (spec §3.3).
// FilterLogEvents reads the candidate streams' records in place (no
// allocation per event), skips what is outside the time range or past
// retention, runs Pattern.MatchBytes, and keeps the smallest `limit` keys
// (timestamp, ingestion time, stream, offset) in a heap; its nextToken is
// the last key returned, and it is absent once nothing matching is left.
// Ingestion time bounds the event timestamps (an event is at most 2 h newer
// and 14 days older than its ingestion), so SeekTime skips the records that
// cannot be in the range.
//
// # Retention
//
// Reads hide events older than the group's cutoff (now − retention, or
// PurgedBefore, whichever is later) and DescribeLogGroups' storedBytes
// leaves them out (to the minute: an event counts until its whole bucket
// has expired). EnforceRetention (every MaintenanceInterval, or called by
// tests after moving the clock) records the cutoff as PurgedBefore and
// deletes segment files whose records were all ingested more than 2 h
// before it.
//
// # Subscriptions
//
// The consumer owns the interface: Destination and DestinationResolver
// (destinations.go), which internal/app implements over Kinesis, Firehose
// and Lambda. PutSubscriptionFilter probes the destination with the gzip'd
// CONTROL_MESSAGE and records, under the group's lock (which PutLogEvents
// holds shared), every stream's end offset as the filter's cursor: only
// events ingested afterwards are delivered. A worker per filter, woken by
// PutLogEvents and polling every PollInterval, reads each stream from the
// cursor, matches the pattern, sends one batch per stream as gzip (level 6)
// DATA_MESSAGE payloads split to fit MaxRecordBytes, with a partition key
// stable per stream (ByLogStream) or random, and stores the cursor after
// Deliver succeeds. A failing destination is retried with exponential
// backoff (RetryMin..RetryMax); a restart resumes from the stored cursor.
// As at AWS, a batch is dropped (and logged) when the failure is final
// (ErrUndeliverable, ErrDestinationNotFound) or has lasted 24 h of the
// service clock.
// Delivery is at-least-once: a crash between Deliver and the cursor write
// sends that batch again.
//
// # Measured
//
// bench_test.go on the development VM (2 vCPUs shared with other jobs,
// load average 3-7), SDK client and server in one process:
//
//	PutLogEvents, 1,000 x 200 B per call, 16 callers, fsync'd:
//	  225k-464k events/s with -benchtime 3s (68k-141k before the
//	  PutLogEvents JSON fast path: encoding/json was a quarter of the CPU)
//	FilterLogEvents, one call over 24 MB in 8 streams, ~1% matching:
//	  term ERROR                          1,130-1,580 MB/s
//	  JSON { $.level = ... && $.x > n }     470-535 MB/s
//	  space-delimited (14 fields, 3 conds)  280-630 MB/s
//	FilterLogEvents, every page of 24 MB (~27 pages of 1 MB, SDK paginator):
//	  30-35 MB/s; the server's share is under a third (the SDK's JSON
//	  decoding and signing dominate), and zones keep each page to the
//	  records it can return instead of a rescan
//	Subscription delivery (DeliverSubscriptions, fake destination):
//	  every event: 320k-450k events/s with klauspost gzip level 6 (158k-194k with compress/gzip)
//	  rejected-SSH pattern, 1% delivered: 4.3M-5.0M events/s scanned
package logs
