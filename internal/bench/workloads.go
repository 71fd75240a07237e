package bench

import (
	"errors"
	"fmt"
	"strings"
)

// namedWorkload is a benchmark workload that --workloads can select by name.
type namedWorkload interface{ workloadName() string }

func selectableNames[W namedWorkload](ws []W) []string {
	names := make([]string, len(ws))
	for i, w := range ws {
		names[i] = w.workloadName()
	}
	return names
}

// selectWorkloads picks workloads by comma-separated names or name prefixes
// ("all": every one), in their canonical order.
func selectWorkloads[W namedWorkload](all []W, spec string) ([]W, error) {
	if strings.TrimSpace(spec) == "all" {
		return all, nil
	}
	picked := map[string]bool{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		found := false
		for _, w := range all {
			if strings.HasPrefix(w.workloadName(), part) {
				picked[w.workloadName()], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown workload %q (have %s)", part, strings.Join(selectableNames(all), ", "))
		}
	}
	var out []W
	for _, w := range all {
		if picked[w.workloadName()] {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no workloads selected")
	}
	return out, nil
}
