package project

import (
	"fmt"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Graph is the service graph of depends_on: Deps[s] are the services s waits for.
type Graph struct {
	Deps       map[string][]string
	Dependents map[string][]string
}

// NewGraph builds the graph of a project's services. A depends_on naming no service
// and a dependency cycle are errors that name the services involved.
func NewGraph(p *types.Project) (*Graph, error) {
	g := &Graph{Deps: map[string][]string{}, Dependents: map[string][]string{}}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		g.Deps[name] = nil
		for dep, d := range s.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				if d.Required {
					// compose-go drops a dependency on a disabled service (profiles); one that
					// names no service at all it reports itself, but keep a check of ours.
					if _, disabled := p.DisabledServices[dep]; disabled {
						continue
					}
					return nil, fmt.Errorf("%w: %s: service %q depends on undefined service %q", ErrInvalid, FileNames(p), name, dep)
				}
				continue
			}
			g.Deps[name] = append(g.Deps[name], dep)
		}
		sort.Strings(g.Deps[name])
	}
	for s, deps := range g.Deps {
		for _, d := range deps {
			g.Dependents[d] = append(g.Dependents[d], s)
		}
	}
	for _, ds := range g.Dependents {
		sort.Strings(ds)
	}
	if cycle := g.findCycle(); cycle != nil {
		return nil, fmt.Errorf("%w: %s: dependency cycle between services: %s", ErrInvalid, FileNames(p), strings.Join(cycle, " -> "))
	}
	return g, nil
}

// findCycle returns one cycle as a path that starts and ends on the same service.
func (g *Graph) findCycle() []string {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(string) []string
	visit = func(s string) []string {
		state[s] = onPath
		path = append(path, s)
		for _, d := range g.Deps[s] {
			switch state[d] {
			case onPath:
				i := indexOf(path, d)
				return append(append([]string{}, path[i:]...), d)
			case unseen:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[s] = done
		return nil
	}
	for _, s := range sortedKeys(g.Deps) {
		if state[s] == unseen {
			if c := visit(s); c != nil {
				return c
			}
		}
	}
	return nil
}

// Order lists services so that each comes after what it depends on (ties by name).
func (g *Graph) Order() []string {
	var out []string
	seen := map[string]bool{}
	var visit func(string)
	visit = func(s string) {
		if seen[s] {
			return
		}
		seen[s] = true
		for _, d := range g.Deps[s] {
			visit(d)
		}
		out = append(out, s)
	}
	for _, s := range sortedKeys(g.Deps) {
		visit(s)
	}
	return out
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
