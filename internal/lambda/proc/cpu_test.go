package proc

import (
	"strconv"
	"testing"
)

func TestCPUPlacer(t *testing.T) {
	c := &cpuPlacer{cpus: []int{0, 1, 2, 3}, used: map[int]int{}}
	steps := []struct {
		memoryMB int
		want     []int
	}{
		{128, []int{0}},
		{1769, []int{1}},
		{1770, []int{2, 3}}, // two CPUs' worth, the least used
		{512, []int{0}},
		{7076, nil}, // four CPUs' worth: unconfined
	}
	var taken [][]int
	for _, s := range steps {
		got := c.take(s.memoryMB)
		if strconv.Quote(stringInts(got)) != strconv.Quote(stringInts(s.want)) {
			t.Fatalf("take(%d) = %v, want %v", s.memoryMB, got, s.want)
		}
		taken = append(taken, got)
	}
	for _, cpus := range taken {
		c.put(cpus)
	}
	if len(c.used) != 0 {
		t.Fatalf("used after put: %v", c.used)
	}
	if (&cpuPlacer{cpus: []int{0}, used: map[int]int{}}).take(128) != nil {
		t.Fatal("one CPU: confined")
	}
}

func stringInts(s []int) string {
	out := ""
	for _, v := range s {
		out += strconv.Itoa(v) + ","
	}
	return out
}

// TestCPUConfinement: the process sees the CPUs its memory size buys.
func TestCPUConfinement(t *testing.T) {
	p := newTestPool(t, Config{})
	if len(p.cpu.cpus) < 2 {
		t.Skip("one CPU")
	}
	dir := codeDir(t, map[string]string{"app.py": "import os\ndef handler(event, context):\n    return len(os.sched_getaffinity(0))\n"})
	for _, tc := range []struct {
		memoryMB int
		want     string
	}{
		{128, "1"},
		{10240, strconv.Itoa(min(len(p.cpu.cpus), 6))}, // 5.8 CPUs' worth
	} {
		fn := testFunction("cpus-"+strconv.Itoa(tc.memoryMB), "python3.12", "app.handler", dir)
		fn.MemoryMB = tc.memoryMB
		if res, _ := invoke(t, p, fn, `{}`); string(res.Payload) != tc.want {
			t.Errorf("%d MB: %s CPUs, want %s", tc.memoryMB, res.Payload, tc.want)
		}
	}
	p.Close()
	if len(p.cpu.used) != 0 {
		t.Fatalf("CPUs still counted after Close: %v", p.cpu.used)
	}
}
