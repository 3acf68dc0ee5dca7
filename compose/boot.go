package compose

import (
	"context"
	"sort"

	"github.com/hashicorp/go-multierror"
)

// Boot brings back, as dockerd does when it starts, every container whose restart
// policy says it runs (KeptRunning) and whose task does not: after a reboot its
// network namespace, attachments and bridges are gone, and containerd's restart
// monitor alone cannot start it. berth's agent, which containerd brings back at
// boot, calls it as it starts. Each project's containers start in dependency order,
// under the project's lock; a failure is reported and the others still start.
func (e *Engine) Boot(ctx context.Context) error {
	cs, err := e.Runtime.Containers(ctx, "")
	if err != nil {
		return err
	}
	byProject := map[string][]Container{}
	for _, c := range cs {
		if c.KeptRunning && !c.OneOff && c.State != StateRunning && c.State != StatePaused {
			byProject[c.Project] = append(byProject[c.Project], c)
		}
	}
	projects := make([]string, 0, len(byProject))
	for name := range byProject {
		projects = append(projects, name)
	}
	sort.Strings(projects)
	var errs *multierror.Error
	for _, name := range projects {
		errs = multierror.Append(errs, e.bootProject(ctx, name, byProject[name]))
	}
	return errs.ErrorOrNil()
}

func (e *Engine) bootProject(ctx context.Context, name string, cs []Container) error {
	unlock, err := e.Runtime.Lock(ctx, name)
	if err != nil {
		return err
	}
	defer unlock()
	return e.run(ctx, forwardNodes(cs, func(ctx context.Context, c Container) error {
		e.event("Container", c.Name, "Starting", false)
		if err := e.Runtime.Start(ctx, c.ID); err != nil {
			return e.failed("Container", c.Name, err)
		}
		e.event("Container", c.Name, "Started", true)
		return nil
	}))
}
