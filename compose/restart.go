package compose

import (
	"context"
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
		if err := e.stop(ctx, p, StopOptions{Services: services, Timeout: timeout}); err != nil {
			return err
		}
		return e.startStopped(ctx, p, services)
	})
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
