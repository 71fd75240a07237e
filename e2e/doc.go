// Package e2e holds the end-to-end tests: they build cmd/tributary, start the
// binary on a free port and drive it with the real aws CLI, boto3 (unittest
// files under python/) and aws-sdk-go-v2, as a user would. Run them with
//
//	go test ./e2e/...
//
// The aws CLI, python3 with boto3, and curl must be on PATH; a missing client
// fails the run instead of skipping it, so CI cannot pass without them.
package e2e
