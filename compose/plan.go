package compose

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// OpKind says what an operation does.
type OpKind string

const (
	OpPull          OpKind = "pull"
	OpBuild         OpKind = "build"
	OpCreateNetwork OpKind = "create network"
	OpCreateVolume  OpKind = "create volume"
	OpCreate        OpKind = "create"
	OpRecreate      OpKind = "recreate"
	OpStart         OpKind = "start"
	OpRemove        OpKind = "remove"
	OpRestart       OpKind = "restart"
)

// Op is one planned change, with the resource it touches and why.
type Op struct {
	Kind     OpKind
	Target   string // image ref, network, volume or container name
	Service  string
	Number   int
	Existing *Container // the container an op acts on, for recreate, start, remove
	Reason   string
}

func (o Op) String() string {
	what := "container "
	switch o.Kind {
	case OpPull, OpBuild:
		what = "image "
	case OpCreateNetwork, OpCreateVolume:
		what = ""
	}
	return fmt.Sprintf("%s %s%s (%s)", o.Kind, what, o.Target, o.Reason)
}

// Plan is an ordered list of operations. Its text form is what planner tests compare.
type Plan struct {
	Ops      []Op
	Warnings []string
}

func (p Plan) String() string {
	var b strings.Builder
	for _, o := range p.Ops {
		b.WriteString(o.String())
		b.WriteByte('\n')
	}
	for _, w := range p.Warnings {
		b.WriteString("warning: " + w + "\n")
	}
	return b.String()
}

// Observed is the state a plan starts from, as read from the runtime.
type Observed struct {
	Containers []Container
	Networks   map[string]bool // host names of existing networks, of any project or none
	// NetworkSettings are those networks as they were made, to compare with the file.
	NetworkSettings map[string]Network
	Volumes         map[string]bool   // host names of existing volumes, likewise
	Images          map[string]string // image ref → digest, for images in the store
	// ImagesPulled is when berth last pulled an image, for the services whose
	// pull_policy refreshes it; Now is when the observation was made.
	ImagesPulled map[string]time.Time
	Now          time.Time
	// Devices are the CDI devices each service gets on this host.
	Devices map[string][]string
}

// PlanOptions are the flags that change a plan.
type PlanOptions struct {
	Services      []string // the services to bring up, with their dependencies; empty = all
	NoDeps        bool     // bring up only the named services, not their dependencies
	Scale         map[string]int
	ForceRecreate bool
	NoRecreate    bool
	RemoveOrphans bool
	// IgnoreOrphans says nothing of orphan containers (COMPOSE_IGNORE_ORPHANS).
	IgnoreOrphans bool
	// AllResources makes every network and volume of the file, also those no
	// selected service uses (--all-resources).
	AllResources bool
	// AlwaysRecreateDeps recreates the services the named ones depend on.
	AlwaysRecreateDeps bool
}

// selectedServices is the named services and everything they depend on, in
// dependency order.
func selectedServices(p *types.Project, g *project.Graph, names []string, noDeps bool) ([]string, error) {
	if len(names) == 0 {
		return g.Order(), nil
	}
	want := map[string]bool{}
	var add func(string)
	add = func(s string) {
		if want[s] {
			return
		}
		want[s] = true
		if noDeps {
			return
		}
		for _, d := range g.Deps[s] {
			add(d)
		}
	}
	for _, n := range names {
		if _, ok := p.Services[n]; !ok {
			return nil, fmt.Errorf("%w: no such service: %s", project.ErrInvalid, n)
		}
		add(n)
	}
	var out []string
	for _, s := range g.Order() {
		if want[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

// PullPolicy says which images to pull.
type PullPolicy struct {
	// Override applies to every service, as `up --pull` and `pull --policy` do:
	// always, missing or never; "" follows each service's pull_policy.
	Override string
	// Default is the policy of a service without pull_policy: missing for up and run,
	// always for pull.
	Default string
}

// PlanPulls lists the images the selected services need under the pull policy: a
// missing image, every image with always, one pulled longer ago than its refresh
// period (daily, weekly, every_<duration>). A missing image under never is an error.
func PlanPulls(p *types.Project, services []string, obs Observed, policy PullPolicy) (Plan, error) {
	var plan Plan
	planned := map[string]bool{}
	for _, name := range services {
		s := p.Services[name]
		if s.Image == "" || planned[s.Image] {
			continue
		}
		reason, err := pullReason(s, obs, policy)
		if err != nil {
			return Plan{}, err
		}
		if reason != "" {
			planned[s.Image] = true
			plan.Ops = append(plan.Ops, Op{Kind: OpPull, Target: s.Image, Service: name, Reason: reason})
		}
	}
	return plan, nil
}

// pullReason says why one service's image is to be pulled, "" if it is not.
func pullReason(s types.ServiceConfig, obs Observed, o PullPolicy) (string, error) {
	ref := s.Image
	_, have := obs.Images[ref]
	policy, every, err := s.GetPullPolicy()
	if err != nil {
		return "", fmt.Errorf("%w: service %q: field \"pull_policy\": %w", project.ErrInvalid, s.Name, err)
	}
	by := "pull_policy " + policy
	switch {
	case o.Override != "":
		policy, by = o.Override, "--pull "+o.Override
	case s.PullPolicy == "" && o.Default != "":
		policy, by = o.Default, o.Default
	}
	switch policy {
	case types.PullPolicyAlways:
		return by, nil
	case types.PullPolicyNever:
		if !have {
			return "", fmt.Errorf("%w: service %q: image %s is not in the store and %s forbids pulling it", ErrImageNotFound, s.Name, ref, by)
		}
	case types.PullPolicyRefresh:
		last, known := obs.ImagesPulled[ref]
		switch {
		case !have:
			return "missing", nil
		case !known:
			return fmt.Sprintf("%s, no pull of it recorded", s.PullPolicy), nil
		case obs.Now.Sub(last) >= every:
			return fmt.Sprintf("%s, last pulled %s", s.PullPolicy, last.UTC().Format(time.RFC3339)), nil
		}
	default: // missing, if_not_present, build
		if !have {
			return "missing", nil
		}
	}
	return "", nil
}

// refreshes lists the services whose pull_policy refreshes their image after a time,
// the only ones that need the time of the last pull.
func refreshes(p *types.Project, services []string) []string {
	var out []string
	for _, name := range services {
		if policy, _, _ := p.Services[name].GetPullPolicy(); policy == types.PullPolicyRefresh {
			out = append(out, name)
		}
	}
	return out
}

// PlanUp is the pure heart of `up`: what to change so that the selected services run
// as the project says. Every reason to recreate a container is decided here.
func PlanUp(p *types.Project, obs Observed, o PlanOptions) (Plan, error) {
	g, err := project.NewGraph(p)
	if err != nil {
		return Plan{}, err
	}
	services, err := selectedServices(p, g, o.Services, o.NoDeps)
	if err != nil {
		return Plan{}, err
	}
	for name, n := range o.Scale {
		if _, ok := p.Services[name]; !ok {
			return Plan{}, fmt.Errorf("%w: --scale: no such service: %s", project.ErrInvalid, name)
		}
		if n < 0 {
			return Plan{}, fmt.Errorf("%w: --scale %s=%d: a count cannot be negative", project.ErrInvalid, name, n)
		}
	}
	var plan Plan
	for _, name := range services {
		if s := p.Services[name]; s.NetworkMode == "host" && len(s.Ports) > 0 {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("service %q: published ports are discarded when using host network mode", name))
		}
	}

	nets, vols := resourcesOf(p, services)
	if o.AllResources {
		nets, vols = allResources(p)
	}
	for _, key := range nets {
		name := project.NetworkName(p, key)
		switch {
		case obs.Networks[name]:
			if have, ok := obs.NetworkSettings[name]; ok && !bool(p.Networks[key].External) {
				if what := networkDrift(projectNetwork(p, key, name), have); what != "" {
					return Plan{}, fmt.Errorf("%w: %s: network %q exists with another %s than the file asks for: `berth down` and `up` again to make it anew",
						project.ErrInvalid, project.FileNames(p), name, what)
				}
			}
		case bool(p.Networks[key].External):
			return Plan{}, fmt.Errorf("%w: %s: network %q is declared as external, but no network %q exists: create it with `berth network create %s`",
				project.ErrInvalid, project.FileNames(p), key, name, name)
		default:
			plan.Ops = append(plan.Ops, Op{Kind: OpCreateNetwork, Target: name, Reason: "missing"})
		}
	}
	for _, key := range vols {
		name := project.VolumeName(p, key)
		switch {
		case obs.Volumes[name]:
		case bool(p.Volumes[key].External):
			return Plan{}, fmt.Errorf("%w: %s: volume %q is declared as external, but no volume %q exists: create it with `berth volume create %s`",
				project.ErrInvalid, project.FileNames(p), key, name, name)
		default:
			plan.Ops = append(plan.Ops, Op{Kind: OpCreateVolume, Target: name, Reason: "missing"})
		}
	}

	// The services the named ones depend on, for --always-recreate-deps.
	isDependency := map[string]bool{}
	for _, name := range services {
		if !slices.Contains(o.Services, name) {
			isDependency[name] = true
		}
	}
	byService := map[string][]Container{}
	for _, c := range obs.Containers {
		if c.OneOff {
			continue
		}
		byService[c.Service] = append(byService[c.Service], c)
	}
	for _, name := range services {
		s := p.Services[name]
		want := project.Replicas(s)
		if n, ok := o.Scale[name]; ok {
			want = n
		}
		if want > 1 && s.ContainerName != "" {
			return Plan{}, fmt.Errorf("%w: %s: service %q: container_name %q cannot be used with %d replicas", project.ErrInvalid, project.FileNames(p), name, s.ContainerName, want)
		}
		hash, err := DesiredHash(s, obs.Images)
		if err != nil {
			return Plan{}, err
		}
		force := o.ForceRecreate || (o.AlwaysRecreateDeps && isDependency[name])
		have := byService[name]
		sort.Slice(have, func(i, j int) bool { return have[i].Number < have[j].Number })
		taken := map[int]bool{}
		for i := range have {
			c := &have[i]
			switch {
			case c.Number < 1 || c.Number > want:
				plan.Ops = append(plan.Ops, Op{Kind: OpRemove, Target: c.Name, Service: name, Number: c.Number, Existing: c, Reason: "scaled down"})
			case taken[c.Number]:
				plan.Ops = append(plan.Ops, Op{Kind: OpRemove, Target: c.Name, Service: name, Number: c.Number, Existing: c, Reason: "duplicate number"})
			default:
				taken[c.Number] = true
				if reason := recreateReason(*c, hash, force, o.NoRecreate); reason != "" {
					plan.Ops = append(plan.Ops, Op{Kind: OpRecreate, Target: c.Name, Service: name, Number: c.Number, Existing: c, Reason: reason})
				} else if c.State != StateRunning {
					plan.Ops = append(plan.Ops, Op{Kind: OpStart, Target: c.Name, Service: name, Number: c.Number, Existing: c, Reason: "not running"})
				}
			}
		}
		for n := 1; n <= want; n++ {
			if !taken[n] {
				plan.Ops = append(plan.Ops, Op{Kind: OpCreate, Target: project.ContainerName(p, s, n), Service: name, Number: n, Reason: "missing"})
			}
		}
	}

	plan.Ops = append(plan.Ops, restartDependents(p, g, plan.Ops, byService)...)

	for _, c := range orphans(p, obs.Containers) {
		if o.RemoveOrphans {
			c := c
			plan.Ops = append(plan.Ops, Op{Kind: OpRemove, Target: c.Name, Service: c.Service, Number: c.Number, Existing: &c, Reason: "orphan"})
		} else if !o.IgnoreOrphans {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("found orphan container %s of service %q, not in the project; remove it with --remove-orphans", c.Name, c.Service))
		}
	}
	return plan, nil
}

// recreateReason is the one place that decides whether a container must be replaced.
func recreateReason(c Container, desiredHash string, force, noRecreate bool) string {
	switch {
	case force:
		return "forced"
	case noRecreate:
		return ""
	case c.Labels[project.LabelConfigHash] != desiredHash:
		return "config hash changed"
	}
	return ""
}

// DesiredHash is the config-hash label a container of s must carry.
func DesiredHash(s types.ServiceConfig, images map[string]string) (string, error) {
	sh, err := project.ServiceHash(s)
	if err != nil {
		return "", fmt.Errorf("service %q: %w", s.Name, err)
	}
	return project.ConfigHash(sh, images[s.Image]), nil
}

// orphans are the project's containers whose service the file no longer has.
func orphans(p *types.Project, cs []Container) []Container {
	var out []Container
	for _, c := range cs {
		if c.OneOff {
			continue
		}
		if _, ok := p.Services[c.Service]; ok {
			continue
		}
		if _, ok := p.DisabledServices[c.Service]; ok {
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// resourcesOf lists the network and volume keys the services use, sorted.
func resourcesOf(p *types.Project, services []string) (nets, vols []string) {
	ns, vs := map[string]bool{}, map[string]bool{}
	for _, name := range services {
		s := p.Services[name]
		for key := range s.Networks {
			ns[key] = true
		}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source != "" {
				vs[v.Source] = true
			}
		}
	}
	for k := range ns {
		nets = append(nets, k)
	}
	for k := range vs {
		vols = append(vols, k)
	}
	sort.Strings(nets)
	sort.Strings(vols)
	return nets, vols
}

// allResources lists every network and volume key of the file, sorted.
func allResources(p *types.Project) (nets, vols []string) {
	return slices.Sorted(maps.Keys(p.Networks)), slices.Sorted(maps.Keys(p.Volumes))
}

// restartDependents restarts, as docker compose does, the running containers of the
// services that depend with restart: true on a service this plan recreates.
func restartDependents(p *types.Project, g *project.Graph, ops []Op, byService map[string][]Container) []Op {
	recreated, touched := map[string]bool{}, map[string]bool{}
	for _, op := range ops {
		touched[op.Service] = true
		if op.Kind == OpRecreate {
			recreated[op.Service] = true
		}
	}
	var out []Op
	for _, name := range g.Order() {
		if touched[name] {
			continue
		}
		for dep, d := range p.Services[name].DependsOn {
			if !d.Restart || !recreated[dep] {
				continue
			}
			// A container in the network of a recreated one must be made anew: the
			// namespace it joined went with the old container.
			kind, reason := OpRestart, "dependency "+dep+" recreated"
			if p.Services[name].NetworkMode == "service:"+dep {
				kind, reason = OpRecreate, "its network's container "+dep+" recreated"
			}
			for i := range byService[name] {
				c := &byService[name][i]
				if c.State == StateRunning || kind == OpRecreate {
					out = append(out, Op{Kind: kind, Target: c.Name, Service: name, Number: c.Number, Existing: c, Reason: reason})
				}
			}
			break
		}
	}
	return out
}
