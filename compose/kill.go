package compose

import (
	"context"
	"errors"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/go-multierror"

	"berth.dev/berth/scheduler"
)

// Kill sends a signal to the project's running containers, all at once; with
// removeOrphans, the containers of services no longer in the file are removed first.
func (e *Engine) Kill(ctx context.Context, p *types.Project, services []string, signal string, removeOrphans bool) error {
	if err := checkServices(p, services); err != nil {
		return err
	}
	return e.locked(ctx, p.Name, func() error {
		if removeOrphans && len(p.Services) > 0 {
			if err := e.removeOrphans(ctx, p); err != nil {
				return err
			}
		}
		cs, err := e.projectContainers(ctx, p, services)
		if err != nil {
			return err
		}
		return e.each(ctx, cs, func(ctx context.Context, c Container) error {
			if c.State != StateRunning && c.State != StatePaused {
				return nil
			}
			e.event("Container", c.Name, "Killing", false)
			if err := e.Runtime.Kill(ctx, c.ID, signal); err != nil && !errors.Is(err, ErrNotRunning) {
				return e.failed("Container", c.Name, err)
			}
			e.event("Container", c.Name, "Killed", true)
			return nil
		})
	})
}

// each runs fn for every container in parallel, gathering failures.
func (e *Engine) each(ctx context.Context, cs []Container, fn func(context.Context, Container) error) error {
	var nodes []scheduler.Node
	for _, c := range cs {
		c := c
		nodes = append(nodes, scheduler.Node{ID: c.ID, Run: func(ctx context.Context) error { return fn(ctx, c) }})
	}
	err := e.run(ctx, nodes)
	var me *multierror.Error
	if errors.As(err, &me) && len(me.Errors) == 1 {
		return me.Errors[0]
	}
	return err
}

// removeOrphans stops and removes, under the project's lock, the containers of
// services the file no longer has.
func (e *Engine) removeOrphans(ctx context.Context, p *types.Project) error {
	all, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	return e.each(ctx, orphans(p, all), func(ctx context.Context, c Container) error {
		return e.stopAndRemove(ctx, c, nil, types.ServiceConfig{}, RemoveOptions{})
	})
}
