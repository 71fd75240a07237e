//go:build unix

package pii

import (
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time the test process has used (user + system): on a shared machine wall-clock ns/op
// swings with the load, CPU time per op much less.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-ns/op and MB/cpu-s metrics to a benchmark that set its bytes per op; call it with the
// CPU time taken before the loop.
func reportCPU(b *testing.B, start time.Duration, bytesPerOp int) {
	used := processCPU() - start
	if used <= 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if bytesPerOp > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/used.Seconds()/1e6, "MB/cpu-s")
	}
}
