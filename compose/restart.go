package compose

import (
	"context"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Restart stops and starts the project's containers: all are stopped, dependents
// first, then started, dependencies first.
func (e *Engine) Restart(ctx context.Context, p *types.Project, services []string, timeout *time.Duration) error {
	if err := e.Stop(ctx, p, StopOptions{Services: services, Timeout: timeout}); err != nil {
		return err
	}
	return e.Start(ctx, p, services)
}
