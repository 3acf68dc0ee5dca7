package compose

import (
	"context"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
	"berth.dev/berth/scheduler"
)

// StopOptions are the flags of `stop`.
type StopOptions struct {
	Services []string
	Timeout  *time.Duration
}

// Stop stops the running containers of the project, dependents before what they
// depend on.
func (e *Engine) Stop(ctx context.Context, p *types.Project, o StopOptions) error {
	return e.locked(ctx, p.Name, func() error { return e.stop(ctx, p, o) })
}

func (e *Engine) stop(ctx context.Context, p *types.Project, o StopOptions) error {
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	plan := planEach(serviceContainers(cs, o.Services), true, func(c Container) (OpKind, string) {
		if c.State == StateRunning || c.State == StatePaused {
			return OpStop, c.State
		}
		return OpKeep, "not running"
	})
	x := e.newExecutor(p, Observed{})
	x.timeout = o.Timeout
	return x.execute(ctx, plan)
}

// forwardNodes makes one node per container, each after those it depends on, the
// order in which a stack comes up (boot).
func forwardNodes(cs []Container, fn func(context.Context, Container) error) []scheduler.Node {
	return orderedNodes(cs, false, fn)
}

// orderedNodes makes one node per container, in the order containerOrder gives.
func orderedNodes(cs []Container, reverse bool, fn func(context.Context, Container) error) []scheduler.Node {
	waitFor := containerOrder(cs, reverse)
	var nodes []scheduler.Node
	for _, c := range cs {
		c := c
		nodes = append(nodes, scheduler.Node{ID: c.ID, Deps: waitFor[c.ID], Run: func(ctx context.Context) error {
			return fn(ctx, c)
		}})
	}
	return nodes
}

// containerOrder gives, for each container's ID, the IDs of the containers it waits
// for: those of the services it depends on, or with reverse those of the services
// depending on it. The dependencies come from the containers' depends_on labels,
// so it works without the compose file.
func containerOrder(cs []Container, reverse bool) map[string][]string {
	byService := map[string][]string{}
	for _, c := range cs {
		byService[c.Service] = append(byService[c.Service], c.ID)
	}
	waitFor := map[string][]string{}
	for _, c := range cs {
		for _, dep := range dependsOn(c.Labels) {
			if dep == c.Service {
				continue
			}
			for _, other := range byService[dep] {
				if reverse {
					waitFor[other] = append(waitFor[other], c.ID)
				} else {
					waitFor[c.ID] = append(waitFor[c.ID], other)
				}
			}
		}
	}
	for id, ids := range waitFor {
		waitFor[id] = dedupe(ids)
	}
	return waitFor
}

// dependsOn reads the services named in a depends_on label ("svc:condition:restart,…").
func dependsOn(labels map[string]string) []string {
	var out []string
	for _, part := range strings.Split(labels[project.LabelDependsOn], ",") {
		if name, _, _ := strings.Cut(part, ":"); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
