package compose

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
)

// Kill sends a signal to the project's running containers, dependents first; with
// removeOrphans, the containers of services no longer in the file are removed
// instead.
func (e *Engine) Kill(ctx context.Context, p *types.Project, services []string, signal string, removeOrphans bool) error {
	if err := checkServices(p, services); err != nil {
		return err
	}
	return e.locked(ctx, p.Name, func() error {
		cs, err := e.Runtime.Containers(ctx, p.Name)
		if err != nil {
			return err
		}
		x := e.newExecutor(p, Observed{})
		x.signal = signal
		return x.execute(ctx, PlanKill(p, cs, services, signal, removeOrphans))
	})
}

// PlanKill is kill's plan: the signal to each running or paused service container
// of the named services (all when none), dependents first; with removeOrphans (and
// a file that names services) the orphans are removed rather than signalled.
func PlanKill(p *types.Project, cs []Container, services []string, signal string, removeOrphans bool) Plan {
	var plan Plan
	gone := map[string]bool{}
	if removeOrphans && len(p.Services) > 0 {
		plan = planOrphans(p, cs)
		for _, op := range plan.Ops {
			gone[op.Existing.ID] = true
		}
	}
	var targets []Container
	for _, c := range serviceContainers(cs, services) {
		if !c.OneOff && !gone[c.ID] {
			targets = append(targets, c)
		}
	}
	kills := planEach(targets, true, func(c Container) (OpKind, string) {
		if c.State == StateRunning || c.State == StatePaused {
			return OpKill, signal + " to the " + c.State + " container"
		}
		return OpKeep, "not running"
	})
	plan.Ops = append(plan.Ops, kills.Ops...)
	return plan
}

// planOrphans removes the orphans among the project's containers (see orphans).
func planOrphans(p *types.Project, cs []Container) Plan {
	var plan Plan
	for _, c := range orphans(p, cs) {
		plan.Ops = append(plan.Ops, orphanRemoval(c))
	}
	return plan
}

// orphanRemoval is the removal of an orphan container, in every plan that makes one.
func orphanRemoval(c Container) Op {
	return Op{Kind: OpRemove, Target: c.Name, Service: c.Service, Number: c.Number, Existing: &c, Reason: "orphan"}
}

// removeOrphans stops and removes, under the project's lock, the containers of
// services the file no longer has.
func (e *Engine) removeOrphans(ctx context.Context, p *types.Project) error {
	all, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	return e.newExecutor(p, Observed{}).execute(ctx, planOrphans(p, all))
}
