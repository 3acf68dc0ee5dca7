package compose

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/go-multierror"
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
	err = e.run(ctx, reverseNodes(cs, func(ctx context.Context, c Container) error {
		return e.stopAndRemove(ctx, c, o.Timeout, p.Services[c.Service])
	}))
	var errs *multierror.Error
	if err != nil {
		errs = multierror.Append(errs, err)
		return errs.ErrorOrNil()
	}

	nets, err := e.Runtime.Networks(ctx, p.Name)
	if err != nil {
		return err
	}
	for _, n := range nets {
		e.event("Network", n.Name, "Removing", false)
		if err := e.Runtime.RemoveNetwork(ctx, n.Name); err != nil && !errors.Is(err, ErrNotFound) {
			errs = multierror.Append(errs, e.failed("Network", n.Name, err))
			continue
		}
		e.event("Network", n.Name, "Removed", true)
	}
	if o.Volumes {
		vols, err := e.Runtime.Volumes(ctx, p.Name)
		if err != nil {
			return err
		}
		for _, v := range vols {
			e.event("Volume", v.Name, "Removing", false)
			if err := e.Runtime.RemoveVolume(ctx, v.Name); err != nil && !errors.Is(err, ErrNotFound) {
				errs = multierror.Append(errs, e.failed("Volume", v.Name, err))
				continue
			}
			e.event("Volume", v.Name, "Removed", true)
		}
	}
	if o.RemoveImages != "" {
		for _, ref := range imagesToRemove(p, o.RemoveImages) {
			e.event("Image", ref, "Removing", false)
			if err := e.Runtime.RemoveImage(ctx, ref); err != nil && !errors.Is(err, ErrImageNotFound) {
				errs = multierror.Append(errs, e.failed("Image", ref, err))
				continue
			}
			e.event("Image", ref, "Removed", true)
		}
	}
	if err := e.Runtime.RemoveResolverIfIdle(ctx); err != nil {
		errs = multierror.Append(errs, err)
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
		if mode == "local" && s.Build == nil {
			continue
		}
		seen[s.Image] = true
		out = append(out, s.Image)
	}
	return out
}
