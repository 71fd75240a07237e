package bench

import (
	"fmt"
	"strings"
)

// Operation is what a workload does repeatedly.
type Operation int

const (
	OpPut Operation = iota
	OpGet
	OpList
)

const (
	size4KiB = 4 << 10
	size1MiB = 1 << 20
)

// Workload is one measured row: an operation at an object size and concurrency. List workloads run at
// concurrency 1 and their Size is the number of keys listed.
type Workload struct {
	Name        string // flag-friendly: put-4KiB-c16, list-10000
	Op          Operation
	Size        int // object bytes (PUT/GET) or keys (List)
	Concurrency int
}

// Title is the human name used in tables.
func (w Workload) Title() string {
	switch w.Op {
	case OpPut:
		return fmt.Sprintf("PutObject %s c%d", sizeName(w.Size), w.Concurrency)
	case OpGet:
		return fmt.Sprintf("GetObject %s c%d", sizeName(w.Size), w.Concurrency)
	default:
		return fmt.Sprintf("ListObjectsV2 %s keys", groupThousands(int64(w.Size)))
	}
}

// AllWorkloads is the full set in run order: PUTs first, then GETs (over objects written before them),
// then the listing.
func AllWorkloads(listKeys int) []Workload {
	var ws []Workload
	for _, op := range []Operation{OpPut, OpGet} {
		for _, size := range []int{size4KiB, size1MiB} {
			for _, c := range []int{1, 16} {
				verb := "put"
				if op == OpGet {
					verb = "get"
				}
				ws = append(ws, Workload{
					Name: fmt.Sprintf("%s-%s-c%d", verb, strings.ReplaceAll(sizeName(size), " ", ""), c),
					Op:   op, Size: size, Concurrency: c,
				})
			}
		}
	}
	return append(ws, Workload{Name: fmt.Sprintf("list-%d", listKeys), Op: OpList, Size: listKeys, Concurrency: 1})
}

// SelectWorkloads keeps the workloads named in spec, a comma-separated list of names or name prefixes
// ending at a '-' boundary ("put", "get-1MiB", "list"), case-insensitive; "all" or "" keeps all.
// The result keeps run order.
func SelectWorkloads(all []Workload, spec string) ([]Workload, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || strings.EqualFold(spec, "all") {
		return all, nil
	}
	chosen := make([]bool, len(all))
	for _, part := range strings.Split(spec, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		matched := false
		for i, w := range all {
			name := strings.ToLower(w.Name)
			if name == part || strings.HasPrefix(name, part+"-") {
				chosen[i], matched = true, true
			}
		}
		if !matched {
			return nil, fmt.Errorf("--workloads: %q matches none of %s", part, strings.Join(workloadNames(all), ", "))
		}
	}
	var ws []Workload
	for i, w := range all {
		if chosen[i] {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("--workloads %q selects nothing", spec)
	}
	return ws, nil
}

func workloadNames(ws []Workload) []string {
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = w.Name
	}
	return names
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d B", n)
	}
}

// groupThousands formats 12345 as "12,345".
func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
