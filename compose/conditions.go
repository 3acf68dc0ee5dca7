package compose

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrDependency is a dependency that did not reach the condition a dependent waits for.
var ErrDependency = errors.New("dependency failed")

// await waits for a dependency's condition, a wait operation of the plan: its
// containers healthy, or exited with status 0. A failure names the dependency and
// the services it holds back; for a dependency of required: false it only warns.
func (e *Engine) await(ctx context.Context, projectName string, op Op) error {
	var err error
	if op.Kind == OpServiceHealthy {
		err = e.waitHealthy(ctx, projectName, op.Target)
	} else {
		err = e.waitCompleted(ctx, projectName, op.Target)
	}
	if err != nil && errors.Is(err, ErrDependency) {
		if op.Optional {
			e.warn("%s: optional dependency not met, starting anyway: %v", quotedList(op.For), err)
			return nil
		}
		return fmt.Errorf("%s not started: %w", quotedList(op.For), err)
	}
	return err
}

func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("service %q", n)
	}
	return strings.Join(q, ", ")
}

// healthPoll is how often waitHealthy looks at the health records. They are written
// by berth's agent, another process, and a record changes at most once per check
// interval: a short poll, bounded by ctx, costs less than a watch per wait.
const healthPoll = 200 * time.Millisecond

// waitHealthy waits until every container of a service is healthy; one that turns
// unhealthy, exits or has no healthcheck is an error naming the service.
func (e *Engine) waitHealthy(ctx context.Context, projectName, service string) error {
	for {
		cs, err := e.Runtime.Containers(ctx, projectName)
		if err != nil {
			return err
		}
		cs = serviceOnly(cs, service)
		if len(cs) == 0 {
			return fmt.Errorf("%w: service %q has no container", ErrDependency, service)
		}
		ready := true
		for _, c := range cs {
			switch {
			case c.State != StateRunning:
				return fmt.Errorf("%w: service %q: %s is %s", ErrDependency, service, c.Name, Status(c))
			case c.Health == "":
				return fmt.Errorf("%w: service %q has no healthcheck, so it cannot become healthy", ErrDependency, service)
			case c.Health == HealthUnhealthy:
				return fmt.Errorf("%w: service %q: %s is unhealthy", ErrDependency, service, c.Name)
			case c.Health != HealthHealthy:
				ready = false
			}
		}
		if ready {
			e.event("Container", cs[0].Name, "Healthy", true)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(healthPoll):
		}
	}
}

// waitCompleted waits until every container of a service has exited, and requires
// status 0 from each.
func (e *Engine) waitCompleted(ctx context.Context, projectName, service string) error {
	cs, err := e.Runtime.Containers(ctx, projectName)
	if err != nil {
		return err
	}
	cs = serviceOnly(cs, service)
	if len(cs) == 0 {
		return fmt.Errorf("%w: service %q has no container", ErrDependency, service)
	}
	for _, c := range cs {
		code := c.ExitCode
		if c.State == StateRunning || c.State == StatePaused {
			if code, err = e.Runtime.Wait(ctx, c.ID); err != nil {
				return fmt.Errorf("wait for %s: %w", c.Name, err)
			}
		}
		if code != 0 {
			return fmt.Errorf("%w: service %q did not complete successfully: %s exited with code %d", ErrDependency, service, c.Name, code)
		}
		e.event("Container", c.Name, "Exited", true)
	}
	return nil
}

func serviceOnly(cs []Container, service string) []Container {
	var out []Container
	for _, c := range cs {
		if c.Service == service && !c.OneOff {
			out = append(out, c)
		}
	}
	return out
}
