package compose

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// RunOptions are the flags of `run`.
type RunOptions struct {
	Service      string
	Cmd          []string  // replaces the service's command when given
	Entrypoint   *[]string // --entrypoint; empty slice clears it
	Env          []string  // KEY=VALUE or KEY (taken from berth's environment)
	User         string
	WorkDir      string
	Name         string
	Rm           bool
	Detach       bool
	NoDeps       bool
	ServicePorts bool     // publish the service's ports (off by default, as in Docker)
	Pull         string   // --pull: always, missing, never or policy (default)
	Build        bool     // --build: build the service's image even when the store has it
	Publish      []string // -p, in compose's short port syntax
	Volumes      []string // -v, in compose's short volume syntax
	// GPUs are --gpus, added to the service's gpus:.
	GPUs []types.DeviceRequest
	// EnvFiles are --env-from-file: variables -e does not set are read from them.
	EnvFiles []string
	CapAdd   []string
	CapDrop  []string
	Labels   []string // -l KEY=VALUE, over the service's labels
	// RemoveOrphans removes the containers of services the file no longer has;
	// QuietPull and QuietBuild hide the progress of pulls and builds.
	RemoveOrphans bool
	QuietPull     bool
	QuietBuild    bool
	UseAliases    bool // the service's name and aliases answer for the one-off too
	Stdio
}

// Run starts a one-off container of a service, after its dependencies are up, and
// returns the command's exit status (attached) or 0 (detached).
func (e *Engine) Run(ctx context.Context, p *types.Project, o RunOptions) (int, error) {
	s, err := p.GetService(o.Service)
	if err != nil {
		return 0, fmt.Errorf("%w: no such service: %s", project.ErrInvalid, o.Service)
	}
	g, err := project.NewGraph(p)
	if err != nil {
		return 0, err
	}
	if s, err = oneOffService(p, s, o); err != nil {
		return 0, err
	}
	devices, err := e.resolveDevices(p, s)
	if err != nil {
		return 0, err
	}
	if o.RemoveOrphans {
		if err := e.locked(ctx, p.Name, func() error { return e.removeOrphans(ctx, p) }); err != nil {
			return 0, err
		}
	}
	if deps := g.Deps[o.Service]; len(deps) > 0 && !o.NoDeps {
		if err := e.Up(ctx, p, UpOptions{PlanOptions: PlanOptions{Services: deps, OneOff: o.Service}, Detach: true}); err != nil {
			return 0, err
		}
	}
	name := o.Name
	if name == "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name = project.OneOffName(p, o.Service, hex.EncodeToString(b))
	}

	unlock, err := e.Runtime.Lock(ctx, p.Name)
	if err != nil {
		return 0, err
	}
	c, err := e.createOneOff(ctx, p, s, devices, name, o)
	unlock()
	if err != nil {
		return 0, err
	}
	if o.Detach {
		if err := e.Runtime.Start(ctx, c.ID); err != nil {
			return 0, err
		}
		fmt.Fprintln(e.Out, name)
		return 0, nil
	}
	code, err := e.Runtime.StartAttached(ctx, c.ID, o.Stdio)
	if o.Rm {
		if rmErr := e.Runtime.Remove(context.WithoutCancel(ctx), c.ID, RemoveOptions{}); rmErr != nil && err == nil {
			err = rmErr
		}
	}
	return code, err
}

// createOneOff makes the container with the networks and volumes it needs.
func (e *Engine) createOneOff(ctx context.Context, p *types.Project, s types.ServiceConfig, devices map[string][]string, name string, o RunOptions) (Container, error) {
	build := BuildPolicy{Always: o.Build}
	obs, err := e.observe(ctx, p, []string{s.Name})
	if err != nil {
		return Container{}, err
	}
	obs.Devices = devices
	if err := e.pullTimes(ctx, p, []string{s.Name}, &obs); err != nil {
		return Container{}, err
	}
	images, _, err := planImages(p, []string{s.Name}, obs, PlanOptions{Build: build, PullPolicy: pullOverride(o.Pull)})
	if err != nil {
		return Container{}, err
	}
	if len(images.Ops) > 0 {
		x := e.newExecutor(p, obs)
		x.build, x.quietPull = BuildOptions{Quiet: o.QuietBuild}, o.QuietPull
		if err := x.execute(ctx, images); err != nil {
			return Container{}, err
		}
		obs = x.observed()
	}
	nets, vols := resourcesOf(p, []string{s.Name})
	for _, key := range nets {
		if n := project.NetworkName(p, key); !obs.Networks[n] {
			if bool(p.Networks[key].External) {
				return Container{}, fmt.Errorf("%w: network %q is declared as external, but no network %q exists", project.ErrInvalid, key, n)
			}
			if err := e.Runtime.EnsureNetwork(ctx, projectNetwork(p, key, n)); err != nil {
				return Container{}, err
			}
		}
	}
	for _, key := range vols {
		if v := project.VolumeName(p, key); !obs.Volumes[v] {
			if bool(p.Volumes[key].External) {
				return Container{}, fmt.Errorf("%w: volume %q is declared as external, but no volume %q exists", project.ErrInvalid, key, v)
			}
			if err := e.Runtime.EnsureVolume(ctx, projectVolume(p, key, v)); err != nil {
				return Container{}, err
			}
		}
	}
	if err := e.Runtime.EnsureAgent(ctx); err != nil {
		return Container{}, err
	}
	req, err := createRequest(p, s, Op{Target: name, Service: s.Name, Number: 1}, obs)
	if err == nil {
		err = e.resolveShared(ctx, p, &req)
	}
	if err != nil {
		return Container{}, err
	}
	req.Labels[project.LabelOneOff] = "True"
	req.UseAliases = o.UseAliases
	return e.Runtime.Create(ctx, req)
}

// oneOffService is the service as `run` changes it: the command and flags of the
// command line, no restart policy, no published ports unless asked, no fixed name.
func oneOffService(p *types.Project, s types.ServiceConfig, o RunOptions) (types.ServiceConfig, error) {
	if len(o.Cmd) > 0 {
		s.Command = o.Cmd
	}
	if o.Entrypoint != nil {
		s.Entrypoint = *o.Entrypoint
	}
	if o.User != "" {
		s.User = o.User
	}
	if o.WorkDir != "" {
		s.WorkingDir = o.WorkDir
	}
	env := types.MappingWithEquals{}
	for k, v := range s.Environment {
		env[k] = v
	}
	given := types.NewMappingWithEquals(o.Env).Resolve(lookupEnv(p))
	for k, v := range given {
		env[k] = v
	}
	for _, file := range o.EnvFiles {
		vars, err := readEnvFile(file, given)
		if err != nil {
			return s, fmt.Errorf("%w: --env-from-file: %w", project.ErrInvalid, err)
		}
		for k, v := range vars {
			if _, set := given[k]; !set {
				env[k] = &v
			}
		}
	}
	s.Environment = env
	s.Gpus = append(append([]types.DeviceRequest{}, s.Gpus...), o.GPUs...)
	s.CapAdd = append(append([]string{}, s.CapAdd...), o.CapAdd...)
	s.CapDrop = append(append([]string{}, s.CapDrop...), o.CapDrop...)
	if len(o.Labels) > 0 {
		labels := types.Labels{}
		for k, v := range s.Labels {
			labels[k] = v
		}
		for _, l := range o.Labels {
			k, v, _ := strings.Cut(l, "=")
			labels[k] = v
		}
		s.Labels = labels
	}
	s.Restart = ""
	s.ContainerName = ""
	s.Tty = o.TTY
	if !o.ServicePorts {
		s.Ports = nil
	}
	for _, spec := range o.Publish {
		ports, err := types.ParsePortConfig(spec)
		if err != nil {
			return s, fmt.Errorf("%w: -p %q: %w", project.ErrInvalid, spec, err)
		}
		s.Ports = append(s.Ports, ports...)
	}
	for _, spec := range o.Volumes {
		v, err := parseVolume(p, spec)
		if err != nil {
			return s, fmt.Errorf("%w: -v %q: %w", project.ErrInvalid, spec, err)
		}
		s.Volumes = append(s.Volumes, v)
	}
	return s, nil
}

// readEnvFile reads a --env-from-file file; its ${VAR} take their values from the
// -e variables, as docker compose's run does.
func readEnvFile(file string, given types.MappingWithEquals) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return dotenv.ParseWithLookup(f, func(k string) (string, bool) {
		if v, ok := given[k]; ok && v != nil {
			return *v, true
		}
		return "", false
	})
}

// lookupEnv finds values for `-e KEY` in the project's environment (berth's own,
// with .env), as docker compose does.
func lookupEnv(p *types.Project) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := p.Environment[k]
		return v, ok
	}
}

// parseVolume reads -v in compose's short syntax; a relative bind source is taken
// from the project directory, as in the file.
func parseVolume(p *types.Project, spec string) (types.ServiceVolumeConfig, error) {
	v, err := format.ParseVolume(spec)
	if err != nil {
		return v, err
	}
	if v.Type == types.VolumeTypeBind && !filepath.IsAbs(v.Source) {
		v.Source = filepath.Join(p.WorkingDir, v.Source)
	}
	if v.Type == types.VolumeTypeBind {
		v.Bind = &types.ServiceVolumeBind{CreateHostPath: true}
	}
	if v.Type == types.VolumeTypeVolume {
		if _, ok := p.Volumes[v.Source]; !ok {
			return v, fmt.Errorf("volume %q is not declared in the project", v.Source)
		}
	}
	return v, nil
}
