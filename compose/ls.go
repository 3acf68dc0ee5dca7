package compose

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"berth.dev/berth/internal/format"
	"berth.dev/berth/project"
)

// LsOptions are the flags of `ls`.
type LsOptions struct {
	All    bool   // also projects with no running container
	Quiet  bool   // names only
	Format string // table, json or a Go template
	Filter string // "name=<glob>"
}

type projectSummary struct {
	Name        string `json:"Name"`
	Status      string `json:"Status"`
	ConfigFiles string `json:"ConfigFiles"`
}

// Ls lists every project that has containers in berth's namespace.
func (e *Engine) Ls(ctx context.Context, o LsOptions) error {
	nameGlob := "*"
	if o.Filter != "" {
		k, v, ok := strings.Cut(o.Filter, "=")
		if !ok || k != "name" {
			return fmt.Errorf("%w: --filter %q: only name=<pattern> is supported", project.ErrInvalid, o.Filter)
		}
		nameGlob = "*" + v + "*"
	}
	cs, err := e.Runtime.Containers(ctx, "")
	if err != nil {
		return err
	}
	byProject := map[string][]Container{}
	for _, c := range cs {
		byProject[c.Project] = append(byProject[c.Project], c)
	}
	var out []projectSummary
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
		out = append(out, projectSummary{Name: name, Status: strings.Join(parts, ", "), ConfigFiles: pcs[0].Labels[project.LabelConfigFiles]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	switch {
	case o.Quiet:
		for _, p := range out {
			fmt.Fprintln(e.Out, p.Name)
		}
		return nil
	case o.Format == "json":
		// docker compose ls prints one JSON array.
		if out == nil {
			out = []projectSummary{}
		}
		return json.NewEncoder(e.Out).Encode(out)
	}
	if err := format.LsListing.Check(o.Format); err != nil {
		return fmt.Errorf("%w: %w", project.ErrInvalid, err)
	}
	return format.LsListing.Write(e.Out, o.Format, out)
}

func sortedStates(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
