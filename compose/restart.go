package compose

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Restart stops and starts the project's containers: all are stopped, dependents
// first, then started, dependencies first. Unless noDeps, the services that depend
// on a named one with restart: true restart with it.
func (e *Engine) Restart(ctx context.Context, p *types.Project, services []string, timeout *time.Duration, noDeps bool) error {
	if !noDeps {
		services = withRestartDependents(p, services)
	}
	if err := checkServices(p, services); err != nil {
		return err
	}
	return e.locked(ctx, p.Name, func() error {
		cs, err := e.projectContainers(ctx, p, services)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return fmt.Errorf("%w: no containers to restart: run up or create first", ErrNotFound)
		}
		x := e.newExecutor(p, Observed{})
		x.timeout = timeout
		return x.execute(ctx, PlanRestart(cs))
	})
}

// PlanRestart is restart's plan: each running container stopped, dependents first,
// then every container started, dependencies first. A container starts after its
// own stop, which follows its dependents' stops: nothing starts while what depends
// on it is still to stop.
func PlanRestart(cs []Container) Plan {
	stops := planEach(cs, true, func(c Container) (OpKind, string) {
		if c.State == StateRunning || c.State == StatePaused {
			return OpStop, c.State
		}
		return OpKeep, "not running"
	})
	starts := planEach(cs, false, func(Container) (OpKind, string) { return OpStart, "restart" })
	stopOf := map[string]OpID{}
	for _, op := range stops.Ops {
		stopOf[op.Target] = op.ID()
	}
	for i, op := range starts.Ops {
		starts.Ops[i].After = append([]OpID{stopOf[op.Target]}, op.After...)
	}
	return Plan{Ops: append(stops.Ops, starts.Ops...)}
}

// withRestartDependents adds to the named services those that depend on one of them
// with restart: true, transitively: they restart with their dependency.
func withRestartDependents(p *types.Project, services []string) []string {
	if len(services) == 0 {
		return nil // all of them already
	}
	out := append([]string{}, services...)
	for changed := true; changed; {
		changed = false
		for _, name := range p.ServiceNames() {
			if slices.Contains(out, name) {
				continue
			}
			for dep, d := range p.Services[name].DependsOn {
				if d.Restart && slices.Contains(out, dep) {
					out = append(out, name)
					changed = true
					break
				}
			}
		}
	}
	return out
}
