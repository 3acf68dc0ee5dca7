package compose

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/go-multierror"

	"berth.dev/berth/project"
	"berth.dev/berth/scheduler"
)

// DownOptions are the flags of `down`.
type DownOptions struct {
	RemoveOrphans bool
	IgnoreOrphans bool // say nothing of orphans (COMPOSE_IGNORE_ORPHANS)
	Volumes       bool
	Timeout       *time.Duration
	RemoveImages  string // "", "local" or "all"
	// Services limits down to these services' containers and the services that
	// depend on them, as docker compose's `down SERVICE…`; networks and volumes go
	// only when no remaining container uses them.
	Services []string
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
	chosen, err := downServices(p, o.Services)
	if err != nil {
		return err
	}
	var cs, staying []Container
	for _, c := range all {
		_, inFile := p.Services[c.Service]
		switch {
		case chosen != nil && !chosen[c.Service] && !(o.RemoveOrphans && haveFile && !inFile):
			staying = append(staying, c)
		case !haveFile || inFile || c.OneOff || o.RemoveOrphans:
			cs = append(cs, c)
		default:
			staying = append(staying, c)
			if o.IgnoreOrphans {
				continue
			}
			e.warn("found orphan container %s of service %q, not in the project; remove it with --remove-orphans", c.Name, c.Service)
		}
	}
	nets, err := e.Runtime.Networks(ctx, p.Name)
	if err != nil {
		return err
	}
	usedNets, usedVols := map[string]bool{}, map[string]bool{}
	if chosen != nil {
		usedNets, usedVols = stayingResources(p, staying)
	}
	var names []string
	for _, n := range nets {
		if usedNets != nil && !usedNets[n.Name] {
			names = append(names, n.Name)
		}
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
			if !usedVols[v.Name] {
				names = append(names, v.Name)
			}
		}
		errs = multierror.Append(errs, e.removeEach(ctx, "Volume", names, e.Runtime.RemoveVolume, ErrNotFound))
	}
	if o.RemoveImages != "" {
		errs = multierror.Append(errs, e.removeEach(ctx, "Image", imagesToRemove(p, chosen, o.RemoveImages), e.Runtime.RemoveImage, ErrImageNotFound))
	}
	if err := e.Runtime.RemoveAgentIfIdle(ctx); err != nil {
		errs = multierror.Append(errs, err)
	}
	if errs != nil {
		errs.ErrorFormat = scheduler.OneLine
	}
	return errs.ErrorOrNil()
}

// downServices is the set `down SERVICE…` removes: the named services and, as
// docker compose, every service that depends on them, which could not run without
// them. nil means the whole project.
func downServices(p *types.Project, named []string) (map[string]bool, error) {
	if len(named) == 0 {
		return nil, nil
	}
	g, err := project.NewGraph(p)
	if err != nil {
		return nil, err
	}
	chosen := map[string]bool{}
	var add func(string)
	add = func(s string) {
		if chosen[s] {
			return
		}
		chosen[s] = true
		for _, d := range g.Dependents[s] {
			add(d)
		}
	}
	for _, s := range named {
		if _, ok := p.Services[s]; !ok {
			if len(p.Services) == 0 {
				continue // no file: a service of the project by name alone
			}
			return nil, fmt.Errorf("%w: %s: no such service: %s", project.ErrInvalid, project.FileNames(p), s)
		}
		add(s)
	}
	for _, s := range named {
		chosen[s] = true
	}
	return chosen, nil
}

// stayingResources are the networks and volumes (host names) the containers that
// stay still use: their services' in the file, and the volumes their labels name.
// nets is nil when a staying container's service is not in the file: its networks
// are unknown, so none may go.
func stayingResources(p *types.Project, staying []Container) (nets, vols map[string]bool) {
	nets, vols = map[string]bool{}, map[string]bool{}
	var services []string
	for _, c := range staying {
		if _, ok := p.Services[c.Service]; ok {
			services = append(services, c.Service)
		} else {
			nets = nil
		}
		for _, v := range strings.Split(c.Labels[LabelVolumes], ",") {
			if v != "" {
				vols[v] = true
			}
		}
	}
	netKeys, volKeys := resourcesOf(p, services)
	for _, k := range netKeys {
		if nets != nil {
			nets[project.NetworkName(p, k)] = true
		}
	}
	for _, k := range volKeys {
		vols[project.VolumeName(p, k)] = true
	}
	return nets, vols
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
func imagesToRemove(p *types.Project, chosen map[string]bool, mode string) []string {
	seen := map[string]bool{}
	var out []string
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Image == "" || seen[s.Image] || chosen != nil && !chosen[name] {
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
