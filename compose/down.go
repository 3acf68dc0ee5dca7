package compose

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/go-multierror"

	"berth.dev/berth/project"
	"berth.dev/berth/scheduler"
)

// DownOptions are the flags of `down`.
type DownOptions struct {
	RemoveOrphans bool
	Volumes       bool
	Timeout       *time.Duration
	RemoveImages  string // "", "local" or "all"
}

// Down removes the project's containers, networks and, with Volumes, its volumes.
// p may carry only a name (no file found): then every container of the project goes.
// A second Down finds nothing and succeeds.
func (e *Engine) Down(ctx context.Context, p *types.Project, o DownOptions) error {
	switch o.RemoveImages {
	case "", "local", "all":
	default:
		return fmt.Errorf("--rmi: %q is not local or all", o.RemoveImages)
	}
	unlock, err := e.Runtime.Lock(ctx, p.Name)
	if err != nil {
		return err
	}
	defer unlock()

	all, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	haveFile := len(p.Services) > 0
	var cs []Container
	for _, c := range all {
		_, inFile := p.Services[c.Service]
		if !haveFile || inFile || c.OneOff || o.RemoveOrphans {
			cs = append(cs, c)
		} else {
			e.warn("found orphan container %s of service %q, not in the project; remove it with --remove-orphans", c.Name, c.Service)
		}
	}
	nets, err := e.Runtime.Networks(ctx, p.Name)
	if err != nil {
		return err
	}
	var names []string
	for _, n := range nets {
		names = append(names, n.Name)
	}
	// The networks go next, so the containers leave their attachments for the
	// networks' removal to take down all at once.
	remove := RemoveOptions{NetworksGoing: names}
	err = e.run(ctx, reverseNodes(cs, func(ctx context.Context, c Container) error {
		return e.stopAndRemove(ctx, c, o.Timeout, p.Services[c.Service], remove)
	}))
	if err != nil {
		return err
	}
	var errs *multierror.Error
	errs = multierror.Append(errs, e.removeEach(ctx, "Network", names, e.Runtime.RemoveNetwork, ErrNotFound))
	if o.Volumes {
		vols, err := e.Runtime.Volumes(ctx, p.Name)
		if err != nil {
			return err
		}
		names = nil
		for _, v := range vols {
			names = append(names, v.Name)
		}
		errs = multierror.Append(errs, e.removeEach(ctx, "Volume", names, e.Runtime.RemoveVolume, ErrNotFound))
	}
	if o.RemoveImages != "" {
		errs = multierror.Append(errs, e.removeEach(ctx, "Image", imagesToRemove(p, o.RemoveImages), e.Runtime.RemoveImage, ErrImageNotFound))
	}
	if err := e.Runtime.RemoveAgentIfIdle(ctx); err != nil {
		errs = multierror.Append(errs, err)
	}
	if errs != nil {
		errs.ErrorFormat = scheduler.OneLine
	}
	return errs.ErrorOrNil()
}

// removeEach removes resources one by one, reporting each; one that is already gone
// (absent) is no error. Every failure is gathered.
func (e *Engine) removeEach(ctx context.Context, kind string, names []string, remove func(context.Context, string) error, absent error) error {
	var errs *multierror.Error
	for _, name := range names {
		e.event(kind, name, "Removing", false)
		if err := remove(ctx, name); err != nil && !errors.Is(err, absent) {
			errs = multierror.Append(errs, e.failed(kind, name, err))
			continue
		}
		e.event(kind, name, "Removed", true)
	}
	return errs.ErrorOrNil()
}

// imagesToRemove follows docker compose: "all" is every service's image, "local"
// only images that have no custom tag, i.e. those berth named after the service.
func imagesToRemove(p *types.Project, mode string) []string {
	seen := map[string]bool{}
	var out []string
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Image == "" || seen[s.Image] {
			continue
		}
		if mode == "local" && !project.BuildsOwnImage(p, s) {
			continue
		}
		seen[s.Image] = true
		out = append(out, s.Image)
	}
	return out
}
