package proc

import (
	"math/bits"
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

// CPU placement. AWS gives a function CPU in proportion to its memory: 1,769
// MB is the equivalent of one vCPU (LDG/configuration-memory.html). A
// function process here is confined to ceil(MemoryMB/1769) of the CPUs the
// server may use, the least busy ones, when that is fewer than all of them.
// Besides matching AWS's share, this is what lets concurrent instances scale:
// unconfined, every Go function runtime (aws-lambda-go) sized itself to every
// CPU, and its idle threads spinning for work on CPUs busy with the other
// instances tripled its CPU per invoke (8 instances on 2 CPUs: ~800 µs
// instead of ~280). Confined to one CPU it runs with GOMAXPROCS=1.
const mbPerCPU = 1769

// cpuSet is a Linux CPU affinity mask (sched_setaffinity), 1024 CPUs.
type cpuSet [16]uint64

func (s *cpuSet) set(cpu int)      { s[cpu/64] |= 1 << (cpu % 64) }
func (s *cpuSet) has(cpu int) bool { return s[cpu/64]&(1<<(cpu%64)) != 0 }

func (s *cpuSet) count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

func getAffinity(tid int, s *cpuSet) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, uintptr(tid), unsafe.Sizeof(*s), uintptr(unsafe.Pointer(s)))
	if e != 0 {
		return e
	}
	return nil
}

func setAffinity(tid int, s *cpuSet) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, uintptr(tid), unsafe.Sizeof(*s), uintptr(unsafe.Pointer(s)))
	if e != 0 {
		return e
	}
	return nil
}

// cpuPlacer hands out CPUs to function processes, least used first.
type cpuPlacer struct {
	mu   sync.Mutex
	cpus []int       // the CPUs this process may use
	used map[int]int // live processes confined to each CPU
}

func newCPUPlacer() *cpuPlacer {
	c := &cpuPlacer{used: map[int]int{}}
	var s cpuSet
	if getAffinity(0, &s) == nil {
		for cpu := 0; cpu < len(s)*64; cpu++ {
			if s.has(cpu) {
				c.cpus = append(c.cpus, cpu)
			}
		}
	}
	return c
}

// take picks the CPUs for a function of memoryMB; nil means unconfined.
func (c *cpuPlacer) take(memoryMB int) []int {
	want := max(1, (memoryMB+mbPerCPU-1)/mbPerCPU)
	c.mu.Lock()
	defer c.mu.Unlock()
	if want >= len(c.cpus) {
		return nil
	}
	picked := make([]int, 0, want)
	for range want {
		best := -1
		for _, cpu := range c.cpus {
			if !contains(picked, cpu) && (best < 0 || c.used[cpu] < c.used[best]) {
				best = cpu
			}
		}
		picked = append(picked, best)
		c.used[best]++
	}
	return picked
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// put returns CPUs from take.
func (c *cpuPlacer) put(cpus []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cpu := range cpus {
		if c.used[cpu]--; c.used[cpu] <= 0 {
			delete(c.used, cpu)
		}
	}
}

// startOn runs start (which forks the process) on an OS thread confined to
// cpus, so the child inherits the mask before its first instruction: a Go
// runtime sizes GOMAXPROCS from it at startup. With cpus nil, or when the
// mask cannot be set, start runs unconfined.
func startOn(cpus []int, start func() error) error {
	if len(cpus) == 0 {
		return start()
	}
	runtime.LockOSThread()
	tid := syscall.Gettid()
	var old, s cpuSet
	if getAffinity(tid, &old) != nil {
		runtime.UnlockOSThread()
		return start()
	}
	for _, cpu := range cpus {
		s.set(cpu)
	}
	if setAffinity(tid, &s) != nil {
		runtime.UnlockOSThread()
		return start()
	}
	err := start()
	if setAffinity(tid, &old) == nil {
		runtime.UnlockOSThread()
	}
	// Else the thread stays locked and confined, and exits with this
	// goroutine rather than serve others with the wrong mask.
	return err
}
