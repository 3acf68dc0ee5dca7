package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"
)

// Wait blocks until the services' containers stop and returns the exit status of
// the first to stop, as `docker compose wait` does.
func (e *Engine) Wait(ctx context.Context, p *types.Project, services []string) (int, error) {
	if err := checkServices(p, services); err != nil {
		return 0, err
	}
	cs, err := e.projectContainers(ctx, p, services)
	if err != nil {
		return 0, err
	}
	codes := make(chan int, len(cs))
	g, ctx := errgroup.WithContext(ctx)
	for _, c := range cs {
		c := c
		g.Go(func() error {
			if c.State != StateRunning && c.State != StatePaused {
				codes <- c.ExitCode
				return nil
			}
			code, err := e.Runtime.Wait(ctx, c.ID)
			if err != nil {
				return fmt.Errorf("wait for %s: %w", c.Name, err)
			}
			codes <- code
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	close(codes)
	first, ok := <-codes
	if !ok {
		return 0, fmt.Errorf("%w: no containers to wait for", ErrNotFound)
	}
	return first, nil
}
