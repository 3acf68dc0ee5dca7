package compose

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// RmOptions are the flags of `rm`.
type RmOptions struct {
	Services []string
	Stop     bool // -s: stop running containers first
	Timeout  *time.Duration
	// Volumes removes the containers' anonymous volumes with them (-v).
	Volumes bool
	// Confirm asks the user before removing; nil removes without asking (-f).
	Confirm func(names []string) bool
}

// Rm removes the project's stopped containers (and, with Stop, the running ones).
func (e *Engine) Rm(ctx context.Context, p *types.Project, o RmOptions) error {
	if err := checkServices(p, o.Services); err != nil {
		return err
	}
	return e.locked(ctx, p.Name, func() error { return e.rm(ctx, p, o) })
}

func (e *Engine) rm(ctx context.Context, p *types.Project, o RmOptions) error {
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	cs = serviceContainers(cs, o.Services)
	if o.Stop {
		if err := e.stop(ctx, p, StopOptions{Services: o.Services, Timeout: o.Timeout}); err != nil {
			return err
		}
		if cs, err = e.Runtime.Containers(ctx, p.Name); err != nil {
			return err
		}
		cs = serviceContainers(cs, o.Services)
	}
	var gone []Container
	var names []string
	for _, c := range cs {
		if c.State != StateRunning && c.State != StatePaused {
			gone = append(gone, c)
			names = append(names, c.Name)
		}
	}
	if len(gone) == 0 {
		fmt.Fprintln(e.Err, "No stopped containers")
		return nil
	}
	if o.Confirm != nil && !o.Confirm(names) {
		return nil
	}
	return e.each(ctx, gone, func(ctx context.Context, c Container) error {
		e.event("Container", c.Name, "Removing", false)
		if err := e.Runtime.Remove(ctx, c.ID, RemoveOptions{}); err != nil {
			return e.failed("Container", c.Name, err)
		}
		e.event("Container", c.Name, "Removed", true)
		if !o.Volumes || c.Labels[LabelAnonymousVolumes] == "" {
			return nil
		}
		return e.removeEach(ctx, "Volume", strings.Split(c.Labels[LabelAnonymousVolumes], ","), e.Runtime.RemoveVolume, ErrNotFound)
	})
}
