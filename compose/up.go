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

// UpOptions are the flags of `up`.
type UpOptions struct {
	PlanOptions
	Detach bool
	// Timeout overrides each service's stop_grace_period when up stops containers.
	Timeout *time.Duration
	// Force is closed when the user asks a second time to stop (a second Ctrl-C):
	// containers still stopping are killed.
	Force <-chan struct{}
	// NoColor turns off coloured prefixes while attached.
	NoColor bool
	// RenewAnonVolumes makes the anonymous volumes of the containers up creates anew
	// (-V), instead of keeping those of the containers they replace.
	RenewAnonVolumes bool
	// AbortOnExit stops everything when a container exits; AbortOnFailure when one
	// exits with a non-zero status; ExitCodeFrom names the service whose exit status
	// up returns (and implies AbortOnExit for it).
	AbortOnExit    bool
	AbortOnFailure bool
	ExitCodeFrom   string
	// Pull is --pull: "always", "missing", "never" or "policy" (the default: each
	// service's pull_policy); QuietPull hides
	// pull progress. (PlanOptions.Build is --build and --no-build.)
	Pull      string
	QuietPull bool
	// Timestamps shows the time of each line while attached; Attach and NoAttach
	// choose the services whose output is shown (default: all selected).
	Timestamps bool
	Attach     []string
	NoAttach   []string
	// Wait waits, detached, until the services run (and are healthy, with a
	// healthcheck); WaitTimeout bounds it (0 = none).
	Wait        bool
	WaitTimeout time.Duration
	// DryRun prints the plan and changes nothing.
	DryRun bool
	// NoLogPrefix prints attached output without the container's name;
	// AttachDependencies attaches to the named services' dependencies too;
	// QuietBuild hides the builds' output.
	NoLogPrefix        bool
	AttachDependencies bool
	QuietBuild         bool
	// Watch, attached, follows the services' develop.watch while up shows their
	// output (--watch); nil: no watch.
	Watch *WatchOptions
}

// Up brings the selected services to the state the project describes. ctx ends the
// attached phase (Ctrl-C): then the containers are stopped gracefully.
func (e *Engine) Up(ctx context.Context, p *types.Project, o UpOptions) error {
	if o.DryRun {
		return e.printUpPlan(ctx, p, o)
	}
	unlock, err := e.Runtime.Lock(ctx, p.Name)
	if err != nil {
		return err
	}
	started, err := e.converge(ctx, p, o)
	unlock()
	if err != nil || o.NoStart {
		return err
	}
	if o.Wait {
		return e.waitUp(ctx, p, o)
	}
	if o.Detach {
		return nil
	}
	if o.Watch != nil {
		go func() {
			if err := e.Watch(ctx, p, *o.Watch); err != nil {
				e.warn("watch: %v", err)
			}
		}()
	}
	return e.attach(ctx, p, o, started)
}

// converge plans and executes; it returns the names of the containers it created
// or started, which attach shows from their first line.
func (e *Engine) converge(ctx context.Context, p *types.Project, o UpOptions) (map[string]bool, error) {
	plan, obs, services, err := e.planUp(ctx, p, o)
	if err != nil {
		return nil, err
	}
	// Host ports are checked before anything is made: a port another program or
	// project holds stops up here.
	for _, name := range services {
		if err := e.Runtime.CheckPorts(ctx, p.Name, p.Services[name]); err != nil {
			return nil, err
		}
	}
	for _, w := range plan.Warnings {
		e.warn("%s", w)
	}
	x := e.newExecutor(p, obs)
	x.up, x.timeout = o, o.Timeout
	x.build, x.quietPull = BuildOptions{Quiet: o.QuietBuild}, o.QuietPull
	if err := x.execute(ctx, plan); err != nil {
		return nil, err
	}
	return x.started, nil
}

// planUp observes what up needs and plans it: the builds, pulls, networks,
// volumes, containers and waits of the selected services, in one graph. It also
// gives the observation the plan started from and the selected services.
func (e *Engine) planUp(ctx context.Context, p *types.Project, o UpOptions) (Plan, Observed, []string, error) {
	g, err := project.NewGraph(p)
	if err != nil {
		return Plan{}, Observed{}, nil, err
	}
	services, err := selectedServices(p, g, o.Services, o.NoDeps)
	if err != nil {
		return Plan{}, Observed{}, nil, err
	}
	// A device request the host cannot meet stops up before anything is made.
	devices, err := e.resolveDevices(p, servicesOf(p, services)...)
	if err != nil {
		return Plan{}, Observed{}, nil, err
	}
	obs, err := e.observe(ctx, p, services)
	if err != nil {
		return Plan{}, Observed{}, nil, err
	}
	if err := e.pullTimes(ctx, p, services, &obs); err != nil {
		return Plan{}, Observed{}, nil, err
	}
	obs.Devices = devices
	po := o.PlanOptions
	po.PullPolicy = pullOverride(o.Pull)
	plan, err := PlanUp(p, obs, po)
	return plan, obs, services, err
}

// printUpPlan is `up --dry-run`: the plan up would execute, from the state as it
// is; nothing is locked, swept or changed.
func (e *Engine) printUpPlan(ctx context.Context, p *types.Project, o UpOptions) error {
	plan, _, _, err := e.planUp(ctx, p, o)
	if err != nil {
		return err
	}
	if !plan.Changes() {
		fmt.Fprintln(e.Out, "nothing to do: every service is up to date")
	}
	_, err = fmt.Fprint(e.Out, plan.String())
	return err
}

// create makes the container of an OpCreate, or of an OpRecreate or OpRefresh after
// removing the old one.
func (e *Engine) create(ctx context.Context, p *types.Project, obs Observed, op Op, o UpOptions) (Container, error) {
	s := p.Services[op.Service]
	if op.Existing != nil {
		e.event("Container", op.Target, "Recreate", false)
		if err := e.stopAndRemove(ctx, *op.Existing, o.Timeout, s, RemoveOptions{}); err != nil {
			return Container{}, err
		}
	}
	e.event("Container", op.Target, "Creating", false)
	req, err := createRequest(p, s, op, obs)
	if err == nil {
		err = e.resolveShared(ctx, p, &req)
	}
	if err != nil {
		return Container{}, e.failed("Container", op.Target, err)
	}
	req.RenewAnonymous = o.RenewAnonVolumes
	c, err := e.Runtime.Create(ctx, req)
	if err != nil {
		return Container{}, e.failed("Container", op.Target, err)
	}
	e.event("Container", op.Target, "Created", o.NoStart)
	return c, nil
}

func (e *Engine) start(ctx context.Context, s types.ServiceConfig, name, id string, markStarted func(string)) error {
	e.event("Container", name, "Starting", false)
	if err := e.Runtime.Start(ctx, id); err != nil {
		return e.failed("Container", name, err)
	}
	markStarted(name)
	if err := e.runHooks(ctx, s, Container{ID: id, Name: name, State: StateRunning}, s.PostStart); err != nil {
		return e.failed("Container", name, err)
	}
	e.event("Container", name, "Started", true)
	return nil
}

func (e *Engine) stopAndRemove(ctx context.Context, c Container, timeout *time.Duration, s types.ServiceConfig, ro RemoveOptions) error {
	if c.State == StateRunning || c.State == StatePaused {
		e.event("Container", c.Name, "Stopping", false)
		if err := e.stopContainer(ctx, c, s, stopTimeout(s, timeout)); err != nil {
			return e.failed("Container", c.Name, err)
		}
		e.event("Container", c.Name, "Stopped", false)
	}
	e.event("Container", c.Name, "Removing", false)
	if err := e.Runtime.Remove(ctx, c.ID, ro); err != nil {
		return e.failed("Container", c.Name, err)
	}
	e.event("Container", c.Name, "Removed", true)
	return nil
}

// stopTimeout is -t when given, else the service's stop_grace_period, else Docker's 10s.
func stopTimeout(s types.ServiceConfig, override *time.Duration) time.Duration {
	if override != nil {
		return *override
	}
	if s.StopGracePeriod != nil {
		return time.Duration(*s.StopGracePeriod)
	}
	return 10 * time.Second
}

// createRequest is everything the runtime needs to create replica op.Number of s.
func createRequest(p *types.Project, s types.ServiceConfig, op Op, obs Observed) (CreateRequest, error) {
	hash, err := DesiredHash(s, obs.Images)
	if err != nil {
		return CreateRequest{}, err
	}
	var deps []string
	for _, name := range sortedDeps(s) {
		d := s.DependsOn[name]
		deps = append(deps, fmt.Sprintf("%s:%s:%t", name, d.Condition, d.Restart))
	}
	labels := map[string]string{
		project.LabelProject:     p.Name,
		project.LabelService:     s.Name,
		project.LabelNumber:      fmt.Sprint(op.Number),
		project.LabelConfigHash:  hash,
		project.LabelOneOff:      "False",
		project.LabelWorkingDir:  p.WorkingDir,
		project.LabelConfigFiles: strings.Join(p.ComposeFiles, ","),
		project.LabelDependsOn:   strings.Join(deps, ","),
		project.LabelImage:       obs.Images[s.Image],
		project.LabelName:        op.Target,
	}
	for k, v := range s.Labels {
		labels[k] = v
	}
	s, err = withVolumesFrom(p, s)
	if err != nil {
		return CreateRequest{}, err
	}
	req := CreateRequest{Project: p, Service: s, Name: op.Target, Labels: labels, Volumes: map[string]string{}, Devices: obs.Devices[s.Name]}
	if len(req.Devices) > 0 {
		labels[LabelDevices] = strings.Join(req.Devices, ",")
	}
	for i, key := range s.NetworksByPriority() {
		a := Attachment{Network: project.NetworkName(p, key)}
		if n := s.Networks[key]; n != nil {
			a.Aliases, a.IPv4, a.IPv6, a.MAC = n.Aliases, n.Ipv4Address, n.Ipv6Address, n.MacAddress
			a.IfName, a.GwPriority = n.InterfaceName, n.GatewayPriority
			a.NoServiceName, a.LinkLocal = !n.ServiceNameAliasEnabled(), n.LinkLocalIPs
		}
		if i == 0 && a.MAC == "" {
			a.MAC = s.MacAddress // the service's own applies to its first network
		}
		req.Networks = append(req.Networks, a)
	}
	var vols []string
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source != "" {
			req.Volumes[v.Source] = project.VolumeName(p, v.Source)
			vols = append(vols, req.Volumes[v.Source])
		}
	}
	if len(vols) > 0 {
		labels[LabelVolumes] = strings.Join(vols, ",")
	}
	return req, nil
}

func sortedDeps(s types.ServiceConfig) []string {
	var names []string
	for n := range s.DependsOn {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// keyOf is the key under which a file's networks: or volumes: (m) declares what the
// host knows as hostName (name gives a key's host name).
func keyOf[T any](p *types.Project, m map[string]T, name func(*types.Project, string) string, hostName string) string {
	for key := range m {
		if name(p, key) == hostName {
			return key
		}
	}
	return ""
}

// projectVolume is the volume a file's volumes: key asks for, under its host name.
func projectVolume(p *types.Project, key, name string) Volume {
	cfg := p.Volumes[key]
	return Volume{Name: name, Project: p.Name, Key: key, Labels: cfg.Labels, DriverOpts: cfg.DriverOpts}
}

// projectNetwork is the network the file declares under key, as the runtime makes it.
func projectNetwork(p *types.Project, key, name string) Network {
	cfg := p.Networks[key]
	n := Network{Name: name, Project: p.Name, Key: key, Labels: cfg.Labels, Internal: cfg.Internal}
	n.applyDriverOpts(cfg.DriverOpts) // checked while loading
	n.IPv6 = cfg.EnableIPv6 != nil && *cfg.EnableIPv6
	// At most one pool of each family (checked while loading).
	for _, pool := range cfg.Ipam.Config {
		if strings.Contains(pool.Subnet, ":") {
			n.Subnet6, n.Gateway6, n.IPRange6 = pool.Subnet, pool.Gateway, pool.IPRange
		} else {
			n.Subnet, n.Gateway, n.IPRange = pool.Subnet, pool.Gateway, pool.IPRange
		}
		for name, ip := range pool.AuxiliaryAddresses {
			if n.AuxAddresses == nil {
				n.AuxAddresses = map[string]string{}
			}
			n.AuxAddresses[name] = ip
		}
	}
	return n
}

// withVolumesFrom adds to s the mounts of the services its volumes_from names, at
// the same places, read-only when it says ro.
func withVolumesFrom(p *types.Project, s types.ServiceConfig) (types.ServiceConfig, error) {
	if len(s.VolumesFrom) == 0 {
		return s, nil
	}
	vols := append([]types.ServiceVolumeConfig{}, s.Volumes...)
	for _, ref := range s.VolumesFrom {
		name, mode, _ := strings.Cut(ref, ":")
		if name == "container" {
			continue // resolveShared finds the container
		}
		from, ok := p.Services[name]
		if !ok {
			return s, fmt.Errorf("%w: service %q: volumes_from: no service %q", project.ErrInvalid, s.Name, name)
		}
		for _, v := range from.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source == "" {
				continue // the container's own: resolveShared finds it
			}
			if mode == "ro" {
				v.ReadOnly = true
			}
			vols = append(vols, v)
		}
	}
	s.Volumes = vols
	return s, nil
}
