//go:build !linux

package bench

import (
	"os"
	"time"
)

// Off Linux the in-process run reports wall time only (CPU time and peak RSS read as zero); a child's
// CPU time is portable.
func processCPU() time.Duration { return 0 }

func resetPeakRSS() {}

func peakRSS() int64 { return 0 }

func childUsage(ps *os.ProcessState) (time.Duration, int64) {
	return ps.UserTime() + ps.SystemTime(), 0
}
