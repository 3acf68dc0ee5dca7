package compose

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
)

// Pause freezes the project's running containers.
func (e *Engine) Pause(ctx context.Context, p *types.Project, services []string) error {
	return e.pauseOrUnpause(ctx, p, services, StateRunning, "Paused", e.Runtime.Pause)
}

// Unpause thaws the project's paused containers.
func (e *Engine) Unpause(ctx context.Context, p *types.Project, services []string) error {
	return e.pauseOrUnpause(ctx, p, services, StatePaused, "Unpaused", e.Runtime.Unpause)
}

func (e *Engine) pauseOrUnpause(ctx context.Context, p *types.Project, services []string, from, done string, fn func(context.Context, string) error) error {
	if err := checkServices(p, services); err != nil {
		return err
	}
	return e.locked(ctx, p.Name, func() error {
		cs, err := e.projectContainers(ctx, p, services)
		if err != nil {
			return err
		}
		return e.each(ctx, cs, func(ctx context.Context, c Container) error {
			if c.State != from {
				return nil
			}
			if err := fn(ctx, c.ID); err != nil {
				return e.failed("Container", c.Name, err)
			}
			e.event("Container", c.Name, done, true)
			return nil
		})
	})
}
