package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// replica finds container number index (0 = 1) of a service, as --index picks it.
func (e *Engine) replica(ctx context.Context, p *types.Project, service string, index int) (Container, error) {
	if err := checkServices(p, []string{service}); err != nil {
		return Container{}, err
	}
	cs, err := e.projectContainers(ctx, p, []string{service})
	if err != nil {
		return Container{}, err
	}
	if index == 0 {
		index = 1
	}
	for _, c := range cs {
		if c.Number == index {
			return c, nil
		}
	}
	return Container{}, fmt.Errorf("service %q has no container number %d: %w", service, index, ErrNotFound)
}

// runningReplica is replica, which must be running.
func (e *Engine) runningReplica(ctx context.Context, p *types.Project, service string, index int) (Container, error) {
	c, err := e.replica(ctx, p, service, index)
	if err == nil && c.State != StateRunning {
		err = fmt.Errorf("service %q: %s: %w", service, c.Name, ErrNotRunning)
	}
	return c, err
}
