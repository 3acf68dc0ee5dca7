package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/builder"
	"berth.dev/berth/internal/progress"
	"berth.dev/berth/project"
)

// BuildRequest asks the runtime to build one service's image.
type BuildRequest struct {
	Service string
	Ref     string   // the image name the service runs
	Tags    []string // build.tags: more names for the same image
	Spec    builder.Spec
	// ContextImages are the additional contexts that are images of the store (a
	// service's, service:NAME): context name → image name.
	ContextImages map[string]string
	Output        io.Writer // the builder's output, line by line
}

// BuildOptions are the flags of `build`, and those of `up` that choose whether to build.
type BuildOptions struct {
	Services []string
	NoCache  bool
	Pull     bool     // fetch base images even when the builder has them
	Args     []string // --build-arg K=V (or K, from the environment), over the file's
	Quiet    bool
	// WithDependencies builds the named services' dependencies too; Push pushes the
	// images built.
	WithDependencies bool
	Push             bool
	// SSH are --ssh's keys, beside each build's own build.ssh.
	SSH []types.SSHKey
	// Check runs the Dockerfile checks instead of the builds; Print prints the
	// builds as a bake file instead of running them.
	Check, Print bool
	// Provenance and SBOM are the attestations to add (see builder.Spec).
	Provenance, SBOM string
}

// Build builds the images of the named services (all with a build: section when
// none are named), whether the store has them or not.
func (e *Engine) Build(ctx context.Context, p *types.Project, o BuildOptions) error {
	services, err := servicesAndDeps(p, o.Services, o.WithDependencies)
	if err != nil {
		return err
	}
	plan, err := PlanBuilds(p, services, Observed{}, BuildPolicy{Always: true})
	if err != nil {
		return err
	}
	if o.Print {
		return e.printBake(p, plan, o)
	}
	x := e.newExecutor(p, Observed{})
	x.build = o
	if err := x.execute(ctx, plan); err != nil || !o.Push || o.Check {
		return err
	}
	var built []string
	for _, op := range plan.Ops {
		built = append(built, op.Service)
	}
	return e.Push(ctx, p, PushOptions{Services: built, Quiet: o.Quiet})
}

// BuildPolicy is what `up` was told about building: --build or --no-build.
type BuildPolicy struct {
	Always bool
	Never  bool
}

// PlanBuilds lists the images to build for the selected services: a service with a
// build: section builds when its image is missing, on --build, or with pull_policy
// build. With --no-build a missing image it cannot pull is an error. A build that
// takes another service's image as a context (service:NAME) comes after that
// service's build, which is planned too when its image is missing.
func PlanBuilds(p *types.Project, services []string, obs Observed, policy BuildPolicy) (Plan, error) {
	var plan Plan
	seen := map[string]bool{}
	for _, name := range buildOrder(p, services) {
		s := p.Services[name]
		if s.Build == nil || seen[s.Image] {
			continue
		}
		_, have := obs.Images[s.Image]
		reason := ""
		switch {
		case policy.Never && !have && project.BuildsOwnImage(p, s):
			return Plan{}, fmt.Errorf("%w: service %q: image %s is not in the store and --no-build forbids building it: run `berth build %s` first",
				ErrImageNotFound, name, s.Image, name)
		case policy.Never:
		case policy.Always:
			reason = "--build"
		case s.PullPolicy == types.PullPolicyBuild:
			reason = "pull_policy build"
		case !have:
			reason = "missing"
		}
		if reason != "" {
			if err := planContextBuilds(p, s, obs, seen, &plan); err != nil {
				return Plan{}, err
			}
			seen[s.Image] = true
			plan.Ops = append(plan.Ops, Op{Kind: OpBuild, Target: s.Image, Service: name, Reason: reason, After: contextBuilds(p, s, seen)})
		}
	}
	return plan, nil
}

// buildOrder is services with the services whose images each one's build takes
// (service: contexts) before it, when they are among them.
func buildOrder(p *types.Project, services []string) []string {
	selected := map[string]bool{}
	for _, name := range services {
		selected[name] = true
	}
	var out []string
	done := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if done[name] {
			return
		}
		done[name] = true // the loader refuses cycles
		for _, dep := range project.BuildDependencies(p.Services[name]) {
			if selected[dep] {
				visit(dep)
			}
		}
		out = append(out, name)
	}
	for _, name := range services {
		visit(name)
	}
	return out
}

// planContextBuilds plans the builds of the images s's build takes as contexts
// that neither the store nor the plan has yet.
func planContextBuilds(p *types.Project, s types.ServiceConfig, obs Observed, seen map[string]bool, plan *Plan) error {
	for _, name := range project.BuildDependencies(s) {
		dep, ok := p.Services[name]
		if !ok {
			return fmt.Errorf("%w: service %q: build.additional_contexts service:%s: service %s is not enabled (see its profiles)", project.ErrInvalid, s.Name, name, name)
		}
		if _, have := obs.Images[dep.Image]; have || seen[dep.Image] {
			continue
		}
		if err := planContextBuilds(p, dep, obs, seen, plan); err != nil {
			return err
		}
		seen[dep.Image] = true
		plan.Ops = append(plan.Ops, Op{Kind: OpBuild, Target: dep.Image, Service: name, Reason: "a context of " + s.Name + "'s build", After: contextBuilds(p, dep, seen)})
	}
	return nil
}

// contextBuilds are the builds a build of s waits for: those of the images it takes
// as contexts (service:NAME) that the plan builds (planned).
func contextBuilds(p *types.Project, s types.ServiceConfig, planned map[string]bool) []OpID {
	var out []OpID
	for _, name := range project.BuildDependencies(s) {
		if image := p.Services[name].Image; planned[image] {
			out = append(out, OpID{Kind: OpBuild, Target: image})
		}
	}
	return out
}

// toPull keeps the services whose image comes from a registry: not those that build
// it, except under --no-build, when a service naming an image of its own pulls it.
func toPull(p *types.Project, services []string, policy BuildPolicy) []string {
	var out []string
	for _, name := range services {
		s := p.Services[name]
		if s.Build == nil || (policy.Never && !project.BuildsOwnImage(p, s)) {
			out = append(out, name)
		}
	}
	return out
}

// build runs one planned build (the builder takes them one at a time); the
// builder's lines go to progress.
func (e *Engine) build(ctx context.Context, p *types.Project, op Op, o BuildOptions) error {
	s := p.Services[op.Service]
	ref := op.Target
	spec, err := buildSpec(p, s, o)
	if err != nil {
		return e.failed("Image", ref, err)
	}
	// A service: context is the other service's image, built before it when the
	// plan builds it.
	images := map[string]string{}
	for name, ctx := range s.Build.AdditionalContexts {
		if dep, ok := strings.CutPrefix(ctx, types.ServicePrefix); ok {
			images[name] = p.Services[dep].Image
		}
	}
	e.event("Image", ref, "Building", false)
	out := &buildOutput{emit: func(line string) {
		if !o.Quiet {
			e.Progress.Event(progress.Event{Kind: "Image", Name: ref, Status: "Building", Text: line})
		}
	}}
	err = e.Runtime.Build(ctx, BuildRequest{Service: s.Name, Ref: ref, Tags: s.Build.Tags, Spec: spec, ContextImages: images, Output: out})
	if err != nil {
		var be *builder.Error
		if errors.As(err, &be) && len(be.Output) > 0 {
			// One write, so that parallel builds do not interleave their lines.
			fmt.Fprintf(e.Err, "service %q: the builder's last lines:\n  %s\n", s.Name, strings.Join(be.Output, "\n  "))
		}
		return e.failed("Image", ref, fmt.Errorf("service %q: build %s: %w", s.Name, ref, err))
	}
	if o.Check {
		e.event("Image", ref, "Checked", true)
	} else {
		e.event("Image", ref, "Built", true)
	}
	return nil
}

// buildSpec is the service's build: section as the builder takes it, with the
// command line's overrides.
func buildSpec(p *types.Project, s types.ServiceConfig, o BuildOptions) (builder.Spec, error) {
	b := s.Build
	spec := builder.Spec{
		Context: b.Context, Dockerfile: b.Dockerfile, DockerfileInline: b.DockerfileInline,
		Target: b.Target, Labels: b.Labels, Network: b.Network, ShmSize: int64(b.ShmSize), Platform: s.Platform,
		NoCache: b.NoCache || o.NoCache, Pull: b.Pull || o.Pull,
		Check: o.Check, Provenance: o.Provenance, SBOM: o.SBOM,
	}
	if spec.Context == "" {
		spec.Context = p.WorkingDir
	}
	args := map[string]*string{}
	for k, v := range b.Args {
		args[k] = v
	}
	for _, a := range o.Args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			env, set := os.LookupEnv(k)
			if !set {
				continue // as docker: an unset variable leaves the file's value
			}
			v = env
		}
		args[k] = &v
	}
	for _, k := range slices.Sorted(maps.Keys(args)) {
		if args[k] == nil {
			spec.Args = append(spec.Args, k)
		} else {
			spec.Args = append(spec.Args, k+"="+*args[k])
		}
	}
	for _, host := range slices.Sorted(maps.Keys(b.ExtraHosts)) {
		for _, ip := range b.ExtraHosts[host] {
			spec.ExtraHosts = append(spec.ExtraHosts, host+":"+ip)
		}
	}
	for name, ctx := range b.AdditionalContexts {
		if !strings.HasPrefix(ctx, types.ServicePrefix) { // those are the runtime's: see BuildRequest
			if spec.Contexts == nil {
				spec.Contexts = map[string]string{}
			}
			spec.Contexts[name] = ctx
		}
	}
	for _, name := range slices.Sorted(maps.Keys(b.Ulimits)) {
		u := b.Ulimits[name]
		if u.Single != 0 {
			spec.Ulimits = append(spec.Ulimits, fmt.Sprintf("%s=%d", name, u.Single))
		} else {
			spec.Ulimits = append(spec.Ulimits, fmt.Sprintf("%s=%d:%d", name, u.Soft, u.Hard))
		}
	}
	for _, sec := range b.Secrets {
		src := p.Secrets[sec.Source]
		id := sec.Source
		if sec.Target != "" {
			id = sec.Target
		}
		spec.Secrets = append(spec.Secrets, builder.Secret{ID: id, File: src.File, Env: src.Environment})
		if v, ok := p.Environment[src.Environment]; ok && src.Environment != "" {
			spec.Env = append(spec.Env, src.Environment+"="+v)
		}
	}
	var err error
	if spec.CacheFrom, err = buildCaches(p, "cache_from", b.CacheFrom); err != nil {
		return spec, fmt.Errorf("%w: service %q: %w", project.ErrInvalid, s.Name, err)
	}
	if spec.CacheTo, err = buildCaches(p, "cache_to", b.CacheTo); err != nil {
		return spec, fmt.Errorf("%w: service %q: %w", project.ErrInvalid, s.Name, err)
	}
	for _, key := range append(slices.Clone(b.SSH), o.SSH...) {
		if key.Path == "" {
			if os.Getenv("SSH_AUTH_SOCK") == "" {
				return spec, fmt.Errorf("%w: service %q: build.ssh default: no SSH agent (SSH_AUTH_SOCK is not set)", project.ErrInvalid, s.Name)
			}
			spec.SSH = append(spec.SSH, key.ID)
			continue
		}
		spec.SSH = append(spec.SSH, key.ID+"="+key.Path)
	}
	return spec, nil
}

// buildCaches parses a cache_from or cache_to list; a local cache's directory is
// taken relative to the project's.
func buildCaches(p *types.Project, field string, entries []string) ([]builder.Cache, error) {
	var out []builder.Cache
	for _, e := range entries {
		c, err := project.ParseBuildCache(field, e)
		if err != nil {
			return nil, err
		}
		for _, k := range []string{"src", "dest"} {
			if dir, ok := c.Attrs[k]; ok && c.Type == "local" && !filepath.IsAbs(dir) {
				c.Attrs[k] = filepath.Join(p.WorkingDir, dir)
			}
		}
		out = append(out, builder.Cache{Type: c.Type, Attrs: c.Attrs})
	}
	return out, nil
}

// buildOutput turns the builder's output into lines.
type buildOutput struct {
	mu   sync.Mutex
	part []byte
	emit func(string)
}

func (w *buildOutput) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.part = append(w.part, b...)
	for {
		i := strings.IndexByte(string(w.part), '\n')
		if i < 0 {
			return len(b), nil
		}
		w.emit(strings.TrimRight(string(w.part[:i]), "\r"))
		w.part = w.part[i+1:]
	}
}
