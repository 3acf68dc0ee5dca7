package compose

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// DownOptions are the flags of `down`.
type DownOptions struct {
	RemoveOrphans bool
	IgnoreOrphans bool // say nothing of orphans (COMPOSE_IGNORE_ORPHANS)
	Volumes       bool
	Timeout       *time.Duration
	RemoveImages  string // "", "local" or "all"
	// DryRun prints the plan and changes nothing.
	DryRun bool
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

	var obs DownObserved
	if obs.Containers, err = e.Runtime.Containers(ctx, p.Name); err != nil {
		return err
	}
	if obs.Networks, err = e.Runtime.Networks(ctx, p.Name); err != nil {
		return err
	}
	if o.Volumes {
		if obs.Volumes, err = e.Runtime.Volumes(ctx, p.Name); err != nil {
			return err
		}
	}
	plan, err := PlanDown(p, obs, o)
	if err != nil {
		return err
	}
	if o.DryRun {
		_, err := fmt.Fprint(e.Out, plan.String())
		return err
	}
	for _, w := range plan.Warnings {
		e.warn("%s", w)
	}
	x := e.newExecutor(p, Observed{})
	x.timeout = o.Timeout
	// The networks go after the containers, which leave their attachments for the
	// networks' removal to take down all at once.
	for _, op := range plan.Ops {
		if op.Kind == OpRemoveNetwork {
			x.remove.NetworksGoing = append(x.remove.NetworksGoing, op.Target)
		}
	}
	return x.execute(ctx, plan)
}

// DownObserved is the state down starts from: the project's containers, networks
// and (down -v) volumes.
type DownObserved struct {
	Containers []Container
	Networks   []Network
	Volumes    []Volume
}

// PlanDown is what `down` removes, in which order: each container after those of
// the services that depend on it (read from its labels, so it works without the
// file), then the networks and volumes no staying container uses, the images of
// --rmi and, when idle, berth's agent.
func PlanDown(p *types.Project, obs DownObserved, o DownOptions) (Plan, error) {
	chosen, err := downServices(p, o.Services)
	if err != nil {
		return Plan{}, err
	}
	haveFile := len(p.Services) > 0
	orphan := map[string]bool{}
	if haveFile {
		for _, c := range orphans(p, obs.Containers) {
			orphan[c.ID] = true
		}
	}
	var plan Plan
	var going, staying []Container
	for _, c := range obs.Containers {
		_, disabled := p.DisabledServices[c.Service]
		switch {
		case orphan[c.ID] && !o.RemoveOrphans:
			staying = append(staying, c)
			if !o.IgnoreOrphans {
				plan.Warnings = append(plan.Warnings, orphanWarning(c))
			}
		case orphan[c.ID], disabled && o.RemoveOrphans:
			going = append(going, c)
		case disabled, chosen != nil && !chosen[c.Service]:
			staying = append(staying, c)
		default:
			going = append(going, c)
		}
	}
	sort.Slice(going, func(i, j int) bool { return going[i].Name < going[j].Name })

	// A container goes after the containers of the services that depend on it.
	plan.Ops = planEach(going, true, func(c Container) (OpKind, string) {
		switch {
		case orphan[c.ID]:
			return OpRemove, "orphan"
		case c.OneOff:
			return OpRemove, "one-off"
		}
		return OpRemove, "down"
	}).Ops
	var containers []OpID // by name, as going
	for _, c := range going {
		containers = append(containers, OpID{Kind: OpRemove, Target: c.Name})
	}

	usedNets, usedVols := map[string]bool{}, map[string]bool{}
	if chosen != nil {
		usedNets, usedVols = stayingResources(p, staying)
	}
	agentAfter := containers
	for _, n := range sortedNames(obs.Networks, func(n Network) string { return n.Name }) {
		if usedNets != nil && !usedNets[n] {
			plan.Ops = append(plan.Ops, Op{Kind: OpRemoveNetwork, Target: n, Reason: "no container left uses it", After: containers})
			agentAfter = append(agentAfter, plan.Ops[len(plan.Ops)-1].ID())
		}
	}
	for _, v := range sortedNames(obs.Volumes, func(v Volume) string { return v.Name }) {
		if !usedVols[v] {
			plan.Ops = append(plan.Ops, Op{Kind: OpRemoveVolume, Target: v, Reason: "-v, no container left uses it", After: containers})
		}
	}
	if o.RemoveImages != "" {
		for _, ref := range imagesToRemove(p, chosen, o.RemoveImages) {
			plan.Ops = append(plan.Ops, Op{Kind: OpRemoveImage, Target: ref, Reason: "--rmi " + o.RemoveImages, After: containers})
		}
	}
	plan.Ops = append(plan.Ops, Op{Kind: OpRemoveAgent, Reason: "when nothing else needs it", After: agentAfter})
	return plan, nil
}

// sortedNames are the names of xs, sorted.
func sortedNames[T any](xs []T, name func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = name(x)
	}
	sort.Strings(out)
	return out
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
