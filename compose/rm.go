package compose

import (
	"context"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// RmOptions are the flags of `rm`.
type RmOptions struct {
	Services []string
	Stop     bool // -s: stop running containers first
	Timeout  *time.Duration
	// Volumes removes the containers' anonymous volumes with them (-v).
	Volumes bool
	// Confirm asks the user before removing; nil removes without asking (-f).
	Confirm func(names []string) bool
}

// Rm removes the project's stopped containers (and, with Stop, the running ones).
func (e *Engine) Rm(ctx context.Context, p *types.Project, o RmOptions) error {
	if err := checkServices(p, o.Services); err != nil {
		return err
	}
	return e.locked(ctx, p.Name, func() error { return e.rm(ctx, p, o) })
}

func (e *Engine) rm(ctx context.Context, p *types.Project, o RmOptions) error {
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	plan := PlanRm(serviceContainers(cs, o.Services), o.Stop)
	var names []string
	for _, op := range plan.Ops {
		if op.Kind == OpRemove {
			names = append(names, op.Target)
		}
	}
	if len(names) == 0 {
		fmt.Fprintln(e.Err, "No stopped containers")
		return nil
	}
	if o.Confirm != nil && !o.Confirm(names) {
		return nil
	}
	x := e.newExecutor(p, Observed{})
	x.timeout, x.anonVolumes = o.Timeout, o.Volumes
	return x.execute(ctx, plan)
}

// PlanRm is rm's plan: each stopped container removed, dependents first; a running
// or paused one is stopped and removed with stop (-s), else kept.
func PlanRm(cs []Container, stop bool) Plan {
	return planEach(cs, true, func(c Container) (OpKind, string) {
		switch {
		case c.State != StateRunning && c.State != StatePaused:
			return OpRemove, c.State
		case stop:
			return OpRemove, c.State + ", stopped first (-s)"
		}
		return OpKeep, c.State + " (-s stops it)"
	})
}
