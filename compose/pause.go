package compose

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
)

// Pause freezes the project's running containers.
func (e *Engine) Pause(ctx context.Context, p *types.Project, services []string) error {
	return e.pauseOrUnpause(ctx, p, services, true)
}

// Unpause thaws the project's paused containers.
func (e *Engine) Unpause(ctx context.Context, p *types.Project, services []string) error {
	return e.pauseOrUnpause(ctx, p, services, false)
}

func (e *Engine) pauseOrUnpause(ctx context.Context, p *types.Project, services []string, pause bool) error {
	if err := checkServices(p, services); err != nil {
		return err
	}
	return e.locked(ctx, p.Name, func() error {
		cs, err := e.projectContainers(ctx, p, services)
		if err != nil {
			return err
		}
		return e.newExecutor(p, Observed{}).execute(ctx, PlanPause(cs, pause))
	})
}

// PlanPause is pause's plan (unpause's when !pause): each running container frozen,
// dependents first, or each paused one thawed, dependencies first; the others kept.
func PlanPause(cs []Container, pause bool) Plan {
	return planEach(cs, pause, func(c Container) (OpKind, string) {
		switch {
		case pause && c.State == StateRunning:
			return OpPause, c.State
		case !pause && c.State == StatePaused:
			return OpUnpause, c.State
		}
		return OpKeep, c.State
	})
}
