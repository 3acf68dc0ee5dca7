package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// Start starts the project's existing containers that do not run, each after the
// services it depends on.
func (e *Engine) Start(ctx context.Context, p *types.Project, services []string) error {
	if err := checkServices(p, services); err != nil {
		return err
	}
	return e.locked(ctx, p.Name, func() error { return e.startStopped(ctx, p, services) })
}

func (e *Engine) startStopped(ctx context.Context, p *types.Project, services []string) error {
	cs, err := e.projectContainers(ctx, p, services)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return fmt.Errorf("%w: no containers to start: run up or create first", ErrNotFound)
	}
	plan := planEach(cs, false, func(c Container) (OpKind, string) {
		if c.State == StateRunning || c.State == StatePaused {
			return OpKeep, c.State
		}
		return OpStart, "not running"
	})
	return e.newExecutor(p, Observed{}).execute(ctx, plan)
}

// projectContainers are the project's service containers (not one-offs) of the given
// services, or of all.
func (e *Engine) projectContainers(ctx context.Context, p *types.Project, services []string) ([]Container, error) {
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	var out []Container
	for _, c := range serviceContainers(cs, services) {
		if !c.OneOff {
			out = append(out, c)
		}
	}
	return out, nil
}
