package compose

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"berth.dev/berth/internal/format"
	"berth.dev/berth/project"
)

// LsOptions are the flags of `ls` that choose projects.
type LsOptions struct {
	All    bool   // also projects with no running container
	Filter string // "name=<glob>"
}

// Ls lists every project that has containers in berth's namespace, by name.
func (e *Engine) Ls(ctx context.Context, o LsOptions) ([]format.ProjectRow, error) {
	nameGlob := "*"
	if o.Filter != "" {
		k, v, ok := strings.Cut(o.Filter, "=")
		if !ok || k != "name" {
			return nil, fmt.Errorf("%w: --filter %q: only name=<pattern> is supported", project.ErrInvalid, o.Filter)
		}
		nameGlob = "*" + v + "*"
	}
	cs, err := e.Runtime.Containers(ctx, "")
	if err != nil {
		return nil, err
	}
	byProject := map[string][]Container{}
	for _, c := range cs {
		byProject[c.Project] = append(byProject[c.Project], c)
	}
	var out []format.ProjectRow
	for name, pcs := range byProject {
		if ok, _ := path.Match(nameGlob, name); !ok {
			continue
		}
		states := map[string]int{}
		running := false
		for _, c := range pcs {
			states[displayState(c)]++
			running = running || c.State == StateRunning
		}
		if !running && !o.All {
			continue
		}
		var parts []string
		for _, st := range sortedStates(states) {
			parts = append(parts, fmt.Sprintf("%s(%d)", st, states[st]))
		}
		out = append(out, format.ProjectRow{Name: name, Status: strings.Join(parts, ", "), ConfigFiles: pcs[0].Labels[project.LabelConfigFiles]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func sortedStates(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
