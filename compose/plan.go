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
	OpPush          OpKind = "push"
	OpCreateNetwork OpKind = "create network"
	OpCreateVolume  OpKind = "create volume"
	OpStartAgent    OpKind = "start agent"
	// OpImagesReady follows every build and pull of up's plan; everything else
	// follows it, so that a failed image makes nothing.
	OpImagesReady OpKind = "images ready"
	OpCreate      OpKind = "create"
	OpRecreate    OpKind = "recreate"
	// OpRefresh recreates a container only if the image this plan pulls or builds
	// for it comes out with another digest than the one it was made from.
	OpRefresh       OpKind = "refresh"
	OpStart         OpKind = "start"
	OpStop          OpKind = "stop"
	OpKeep          OpKind = "keep"
	OpRemove        OpKind = "remove"
	OpRestart       OpKind = "restart"
	OpKill          OpKind = "kill"
	OpPause         OpKind = "pause"
	OpUnpause       OpKind = "unpause"
	OpRemoveNetwork OpKind = "remove network"
	OpRemoveVolume  OpKind = "remove volume"
	OpRemoveImage   OpKind = "remove image"
	OpRemoveAgent   OpKind = "remove agent"

	// The waits of depends_on: a service is started once every operation on its
	// containers is done; healthy and completed wait after that for its containers'
	// health or exit status.
	OpServiceStarted   OpKind = "started"
	OpServiceHealthy   OpKind = "healthy"
	OpServiceCompleted OpKind = "completed"
)

// isWait says whether an operation is a depends_on condition.
func (k OpKind) isWait() bool {
	return k == OpServiceStarted || k == OpServiceHealthy || k == OpServiceCompleted
}

// onContainer says whether an operation acts on one container of a service.
func (k OpKind) onContainer() bool {
	switch k {
	case OpCreate, OpRecreate, OpRefresh, OpStart, OpStop, OpKeep, OpRemove, OpRestart, OpKill, OpPause, OpUnpause:
		return true
	}
	return false
}

// OpID names an operation: what it does and to what. It is unique in a plan.
type OpID struct {
	Kind   OpKind
	Target string // image ref, network, volume or container name; the service of a wait
	// Optional marks the wait of a depends_on with required: false: its failure
	// only warns.
	Optional bool
}

func (id OpID) String() string {
	switch {
	case id.Kind == OpPull || id.Kind == OpBuild || id.Kind == OpPush:
		return fmt.Sprintf("%s image %s", id.Kind, id.Target)
	case id.Kind.onContainer():
		return fmt.Sprintf("%s container %s", id.Kind, id.Target)
	case id.Kind.isWait() && id.Optional:
		return fmt.Sprintf("service %s %s, optional", id.Target, id.Kind)
	case id.Kind.isWait():
		return fmt.Sprintf("service %s %s", id.Target, id.Kind)
	case id.Target == "":
		return string(id.Kind)
	}
	return fmt.Sprintf("%s %s", id.Kind, id.Target)
}

// Op is one planned change, with the resource it touches, why, and the operations
// it waits for.
type Op struct {
	Kind     OpKind
	Target   string // image ref, network, volume or container name; the service of a wait
	Optional bool   // a wait of required: false
	Service  string
	Number   int
	Existing *Container // the container an op acts on, for recreate, start, keep, remove
	Reason   string
	// After are the operations that must succeed before this one runs.
	After []OpID
	// For are the services a wait holds back, named when it fails.
	For []string
}

// ID is the operation's name in its plan.
func (o Op) ID() OpID { return OpID{Kind: o.Kind, Target: o.Target, Optional: o.Optional} }

func (o Op) String() string {
	return fmt.Sprintf("%s (%s)", o.ID(), o.Reason)
}

// Plan is a graph of operations: each runs once those it waits for (After) have
// succeeded, and the scheduler runs it as given. Its text form lists the operations
// in an order that respects the edges, each followed by what it waits for; it is
// what --dry-run prints and what the golden tests compare.
type Plan struct {
	Ops      []Op
	Warnings []string
}

func (p Plan) String() string {
	var b strings.Builder
	for _, o := range p.Ops {
		b.WriteString(o.String())
		b.WriteByte('\n')
		if len(o.After) > 0 {
			after := make([]string, len(o.After))
			for i, id := range o.After {
				after[i] = id.String()
			}
			b.WriteString("  after " + strings.Join(after, ", ") + "\n")
		}
	}
	for _, w := range p.Warnings {
		b.WriteString("warning: " + w + "\n")
	}
	return b.String()
}

// Changes says whether the plan does anything: keeping containers, waiting for
// them and making sure the agent runs is no change.
func (p Plan) Changes() bool {
	for _, o := range p.Ops {
		if o.Kind != OpKeep && o.Kind != OpStartAgent && !o.Kind.isWait() {
			return true
		}
	}
	return false
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
	// NoStart creates the containers without starting them (`create`, up --no-start).
	NoStart bool
	// OneOff is the service `run` starts a one-off container of, once this plan
	// (its dependencies' up) is done: the plan ends with the waits of its
	// depends_on, so that the one-off starts when they hold.
	OneOff string
	// PullPolicy and Build say which images to pull and build before the
	// containers that run them are made (--pull, --build, --no-build).
	PullPolicy PullPolicy
	Build      BuildPolicy
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

// planImages is the builds and pulls of up's plan: the images the selected services
// run, by ref, to what makes them. An image that a service builds is not pulled
// for another service that names it.
func planImages(p *types.Project, services []string, obs Observed, o PlanOptions) (Plan, map[string]OpID, error) {
	builds, err := PlanBuilds(p, services, obs, o.Build)
	if err != nil {
		return Plan{}, nil, err
	}
	pulls, err := PlanPulls(p, toPull(p, services, o.Build), obs, o.PullPolicy)
	if err != nil {
		return Plan{}, nil, err
	}
	images := map[string]OpID{}
	for _, op := range builds.Ops {
		images[op.Target] = op.ID()
	}
	plan := builds
	for _, op := range pulls.Ops {
		if _, built := images[op.Target]; !built {
			images[op.Target] = op.ID()
			plan.Ops = append(plan.Ops, op)
		}
	}
	return plan, images, nil
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

// PlanUp is the pure heart of `up` and `create`: the graph of what to change, and in
// which order, so that the selected services run as the project says. What happens
// to each existing container is decided by replacement; wireUp gives the edges.
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
	plan, images, err := planImages(p, services, obs, o)
	if err != nil {
		return Plan{}, err
	}
	nImages := len(plan.Ops)
	for _, name := range services {
		if s := p.Services[name]; s.NetworkMode == "host" && len(s.Ports) > 0 {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("service %q: published ports are discarded when using host network mode", name))
		}
	}

	// What this plan makes, and the containers that need it.
	made := map[string]OpID{} // host name of a network or volume → its creation
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
			made[name] = plan.Ops[len(plan.Ops)-1].ID()
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
			made[name] = plan.Ops[len(plan.Ops)-1].ID()
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
	selected := map[string]bool{}
	for _, name := range services {
		selected[name] = true
	}
	recreated := map[string]bool{} // services with a container recreated, for restart: true
	var ops []Op                   // the containers' operations, by service in dependency order
	for _, name := range g.Order() {
		s := p.Services[name]
		have := byService[name]
		sort.Slice(have, func(i, j int) bool { return have[i].Number < have[j].Number })
		if !selected[name] {
			// Not brought up, but restarted when a dependency is recreated.
			for i := range have {
				c := &have[i]
				if kind, reason := replacement(*c, s, "", nil, false, true, recreated); kind == OpRecreate || kind == OpRestart && !o.NoStart {
					ops = append(ops, Op{Kind: kind, Target: c.Name, Service: name, Number: c.Number, Existing: c, Reason: reason})
					recreated[name] = recreated[name] || kind == OpRecreate
				}
			}
			continue
		}
		want := project.Replicas(s)
		if n, ok := o.Scale[name]; ok {
			want = n
		}
		if want > 1 && s.ContainerName != "" {
			return Plan{}, fmt.Errorf("%w: %s: service %q: container_name %q cannot be used with %d replicas", project.ErrInvalid, project.FileNames(p), name, s.ContainerName, want)
		}
		renewed, renewing := images[s.Image]
		force := o.ForceRecreate || (o.AlwaysRecreateDeps && isDependency[name])
		taken := map[int]bool{}
		for i := range have {
			c := &have[i]
			// An image this plan pulls or builds has no digest yet: the container's
			// config is compared as if it kept the one it was made from.
			digests := obs.Images
			if renewing {
				digests = map[string]string{s.Image: c.Labels[project.LabelImage]}
			}
			hash, err := DesiredHash(s, digests)
			if err != nil {
				return Plan{}, err
			}
			var renew *OpID
			if renewing {
				renew = &renewed
			}
			op := Op{Target: c.Name, Service: name, Number: c.Number, Existing: c}
			switch {
			case c.Number < 1 || c.Number > want:
				op.Kind, op.Reason = OpRemove, "scaled down"
			case taken[c.Number]:
				op.Kind, op.Reason = OpRemove, "duplicate number"
			default:
				taken[c.Number] = true
				op.Kind, op.Reason = replacement(*c, s, hash, renew, force, o.NoRecreate, recreated)
				switch {
				case op.Kind == OpRestart && o.NoStart, op.Kind == "" && (c.State == StateRunning || o.NoStart):
					op.Kind, op.Reason = OpKeep, "up to date"
				case op.Kind == "":
					op.Kind, op.Reason = OpStart, "not running"
				}
			}
			// A refresh counts as a recreation: what shares its namespaces or restarts
			// with it cannot wait to learn the image's digest.
			recreated[name] = recreated[name] || op.Kind == OpRecreate || op.Kind == OpRefresh
			ops = append(ops, op)
		}
		for n := 1; n <= want; n++ {
			if !taken[n] {
				ops = append(ops, Op{Kind: OpCreate, Target: project.ContainerName(p, s, n), Service: name, Number: n, Reason: "missing"})
			}
		}
	}
	rest := append(plan.Ops[nImages:], wireUp(p, g, ops, made, images, o)...)
	plan.Ops = plan.Ops[:nImages:nImages]
	if nImages > 0 {
		ready := Op{Kind: OpImagesReady, Reason: "every build and pull done: a failed one makes nothing"}
		for _, op := range plan.Ops {
			ready.After = append(ready.After, op.ID())
		}
		plan.Ops = append(plan.Ops, ready)
		for i := range rest {
			if len(rest[i].After) == 0 {
				rest[i].After = []OpID{ready.ID()}
			}
		}
	}
	plan.Ops = append(plan.Ops, rest...)

	for _, c := range orphans(p, obs.Containers) {
		if o.RemoveOrphans {
			plan.Ops = append(plan.Ops, orphanRemoval(c))
		} else if !o.IgnoreOrphans {
			plan.Warnings = append(plan.Warnings, orphanWarning(c))
		}
	}
	return plan, nil
}

// wireUp gives up's container operations their edges, and adds what they wait
// for: berth's agent before a container starts, a container's start after its
// creation, the image (images: by ref), networks and volumes it is made with when
// this plan pulls, builds or makes them (an image: once all are there), and the
// depends_on conditions of its
// service (each a wait, placed before its first dependent). Removals wait for
// nothing.
func wireUp(p *types.Project, g *project.Graph, ops []Op, made, images map[string]OpID, o PlanOptions) []Op {
	agent := OpID{Kind: OpStartAgent}
	var out []Op
	// Starts follow their creations.
	var expanded []Op
	for _, op := range ops {
		expanded = append(expanded, op)
		if op.Kind.makes() && !o.NoStart {
			expanded = append(expanded, Op{Kind: OpStart, Target: op.Target, Service: op.Service, Number: op.Number,
				Reason: op.Kind.past(), After: []OpID{op.ID()}})
		}
	}
	ofService := map[string][]OpID{} // the operations a service's started wait follows
	for _, op := range expanded {
		if op.Kind != OpRemove {
			ofService[op.Service] = append(ofService[op.Service], op.ID())
		}
	}
	// Every up makes sure the agent runs, also when it starts nothing itself: the
	// containers it creates may be started later by start, which does not.
	out = append(out, Op{Kind: OpStartAgent, Reason: "unless it runs: it serves the containers' DNS and healthchecks"})

	waits := map[OpID]*Op{}
	at := map[OpID]int{} // where a wait is in out, once emitted
	var wait func(id OpID, dependent string)
	wait = func(id OpID, dependent string) {
		if w, ok := waits[id]; ok {
			if !slices.Contains(w.For, dependent) {
				w.For = append(w.For, dependent)
				w.Reason += ", " + dependent
				if i, ok := at[id]; ok {
					out[i].For, out[i].Reason = slices.Clone(w.For), w.Reason
				}
			}
			return
		}
		w := &Op{Kind: id.Kind, Target: id.Target, Optional: id.Optional, Service: id.Target, Reason: "depends_on of " + dependent, For: []string{dependent}}
		waits[id] = w
		if id.Kind == OpServiceStarted {
			w.After = ofService[id.Target]
		} else {
			started := OpID{Kind: OpServiceStarted, Target: id.Target}
			wait(started, dependent)
			w.After = []OpID{started}
		}
	}
	emitted := map[OpID]bool{}
	var emit func(OpID)
	emit = func(id OpID) {
		w, ok := waits[id]
		if !ok || emitted[id] {
			return
		}
		emitted[id] = true
		for _, before := range w.After {
			emit(before)
		}
		at[id] = len(out)
		out = append(out, *w)
	}

	for _, op := range expanded {
		if op.Kind == OpRemove || op.Kind == OpKeep {
			out = append(out, op)
			continue
		}
		if op.Kind != OpStart || op.Existing != nil {
			// What the container is made with (a creation) or needs to run (a start of
			// an existing one): its networks and volumes, its dependencies.
			if _, ok := images[p.Services[op.Service].Image]; ok && op.Kind.makes() {
				op.After = append(op.After, OpID{Kind: OpImagesReady})
			}
			nets, vols := resourcesOf(p, []string{op.Service})
			for _, key := range nets {
				if id, ok := made[project.NetworkName(p, key)]; ok {
					op.After = append(op.After, id)
				}
			}
			for _, key := range vols {
				if id, ok := made[project.VolumeName(p, key)]; ok {
					op.After = append(op.After, id)
				}
			}
			// --no-deps leaves the named services' dependencies as they are, without
			// waiting for them; a dependent this plan restarts or recreates still waits.
			if !o.NoDeps || !slices.Contains(o.Services, op.Service) {
				for _, d := range g.Deps[op.Service] {
					id := dependencyWait(d, p.Services[op.Service].DependsOn[d], o.NoStart)
					wait(id, op.Service)
					op.After = append(op.After, id)
				}
			}
		}
		if op.Kind == OpStart || op.Kind == OpRestart {
			op.After = append(op.After, agent)
		}
		for _, id := range op.After {
			emit(id)
		}
		out = append(out, op)
	}
	if o.OneOff != "" {
		for _, d := range g.Deps[o.OneOff] {
			id := dependencyWait(d, p.Services[o.OneOff].DependsOn[d], false)
			wait(id, o.OneOff)
			emit(id)
		}
	}
	return out
}

// dependencyWait is the wait a dependent's operations follow for one depends_on
// entry: the dependency started, healthy or completed; optional when not required.
// A plan that starts nothing (create) waits only for the dependency's containers.
func dependencyWait(dep string, d types.ServiceDependency, noStart bool) OpID {
	kind := OpServiceStarted
	switch {
	case noStart:
	case d.Condition == types.ServiceConditionHealthy:
		kind = OpServiceHealthy
	case d.Condition == types.ServiceConditionCompletedSuccessfully:
		kind = OpServiceCompleted
	}
	return OpID{Kind: kind, Target: dep, Optional: kind != OpServiceStarted && !d.Required}
}

// makes says whether an operation may make a container: a start follows it.
func (k OpKind) makes() bool { return k == OpCreate || k == OpRecreate || k == OpRefresh }

// past is what a start after a creation says of it.
func (k OpKind) past() string {
	switch k {
	case OpRecreate:
		return "recreated"
	case OpRefresh:
		return "refreshed"
	}
	return "created"
}

// replacement is the one place that decides whether an existing container of s
// must be made anew (OpRecreate) or restarted (OpRestart), and why; "" keeps it.
// recreated are the services this plan recreates, decided before s's (dependency
// order): a container that joined the network, PID or IPC namespace of a recreated
// one is made anew, since that namespace went with the old container; as docker
// compose, a depends_on with restart: true restarts a running dependent. renew is
// the pull or build of s's image in this plan, if any: the container is refreshed,
// made anew once that image is there if its digest changed.
func replacement(c Container, s types.ServiceConfig, desiredHash string, renew *OpID, force, noRecreate bool, recreated map[string]bool) (OpKind, string) {
	switch {
	case force:
		return OpRecreate, "forced"
	case !noRecreate && c.Labels[project.LabelConfigHash] != desiredHash:
		return OpRecreate, "config hash changed"
	case !noRecreate && renew != nil:
		return OpRefresh, "made anew if the " + string(renew.Kind) + " changes its image's digest"
	}
	for _, dep := range sortedDeps(s) {
		if !recreated[dep] {
			continue
		}
		for _, ns := range []struct{ field, mode string }{{"network_mode", s.NetworkMode}, {"pid", s.Pid}, {"ipc", s.Ipc}} {
			if ns.mode == "service:"+dep {
				return OpRecreate, ns.field + ": service:" + dep + " recreated"
			}
		}
	}
	for _, dep := range sortedDeps(s) {
		if s.DependsOn[dep].Restart && recreated[dep] && c.State == StateRunning {
			return OpRestart, "dependency " + dep + " recreated"
		}
	}
	return "", ""
}

// DesiredHash is the config-hash label a container of s must carry.
func DesiredHash(s types.ServiceConfig, images map[string]string) (string, error) {
	sh, err := project.ServiceHash(s)
	if err != nil {
		return "", fmt.Errorf("service %q: %w", s.Name, err)
	}
	return project.ConfigHash(sh, images[s.Image]), nil
}

// orphanWarning is what up and down say of an orphan they leave.
func orphanWarning(c Container) string {
	return fmt.Sprintf("found orphan container %s of service %q, not in the project; remove it with --remove-orphans", c.Name, c.Service)
}

// orphans are the project's containers whose service the file no longer has (one
// of a service a profile leaves out is none); up and down both choose them here.
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
