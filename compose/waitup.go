package compose

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"

	"berth.dev/berth/project"
)

// WaitRunning is start --wait: as up --wait, for the named services (all when none)
// alone, within timeout (0: no bound).
func (e *Engine) WaitRunning(ctx context.Context, p *types.Project, services []string, timeout time.Duration) error {
	return e.waitUp(ctx, p, UpOptions{PlanOptions: PlanOptions{Services: services, NoDeps: true}, WaitTimeout: timeout})
}

// waitUp is up --wait: every selected service's containers must run, healthy when
// they have a healthcheck; a one-shot that exited 0 counts as done.
func (e *Engine) waitUp(ctx context.Context, p *types.Project, o UpOptions) error {
	if o.WaitTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.WaitTimeout)
		defer cancel()
	}
	g, err := project.NewGraph(p)
	if err != nil {
		return err
	}
	services, err := selectedServices(p, g, o.Services, o.NoDeps)
	if err != nil {
		return err
	}
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	// Without the agent no healthcheck runs: waiting for health would only time out.
	if err := e.Runtime.AgentProblem(ctx); err != nil {
		return err
	}
	eg, ctx := errgroup.WithContext(ctx)
	for _, name := range services {
		name := name
		eg.Go(func() error {
			for _, c := range serviceOnly(cs, name) {
				switch {
				case c.State == StateExited && c.ExitCode == 0:
					continue
				case c.State != StateRunning:
					return fmt.Errorf("%w: service %q: %s is %s", ErrDependency, name, c.Name, Status(c))
				case c.Health != "":
					return e.waitHealthy(ctx, p.Name, name)
				}
			}
			return nil
		})
	}
	err = eg.Wait()
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("services not running and healthy within --wait-timeout %s", o.WaitTimeout)
	}
	return err
}
