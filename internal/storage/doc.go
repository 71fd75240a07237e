// Package storage opens Tributary's embedded stores: kv (metadata) with the
// backend chosen by OpenKV, and blob (bodies) in blob/fsblob.
//
// DefaultKVBackend was chosen by the benchmarks in bench_test.go (numbers
// below). TODO: fill in.
package storage

// DefaultKVBackend is the kv backend OpenKV uses when none is configured.
const DefaultKVBackend = KVBackendPebble
