package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/progress"
	"berth.dev/berth/project"
	"berth.dev/berth/scheduler"
)

// Engine runs the verbs against one runtime.
type Engine struct {
	Runtime  Runtime
	Progress progress.Writer
	Out      io.Writer // container output
	Err      io.Writer // messages for the user
	Parallel int       // scheduler limit; 0 = none
	// Devices resolves the CDI devices services ask for; nil: none are given.
	Devices DeviceResolver
}

// locked runs fn holding the project's lock: every verb that changes a project's
// containers holds it, so two berths never change one project at once (a `start`
// re-attaching networks while a `down` removes them).
func (e *Engine) locked(ctx context.Context, projectName string, fn func() error) error {
	unlock, err := e.Runtime.Lock(ctx, projectName)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// observe reads the state a plan starts from.
func (e *Engine) observe(ctx context.Context, p *types.Project, services []string) (Observed, error) {
	obs := Observed{Networks: map[string]bool{}, NetworkSettings: map[string]Network{}, Volumes: map[string]bool{}, Images: map[string]string{}}
	var err error
	if obs.Containers, err = e.Runtime.Containers(ctx, p.Name); err != nil {
		return obs, err
	}
	// Every network and volume: a project may use another's or one made with
	// `berth network create` as external.
	nets, err := e.Runtime.Networks(ctx, "")
	if err != nil {
		return obs, err
	}
	for _, n := range nets {
		obs.Networks[n.Name] = true
		obs.NetworkSettings[n.Name] = n
	}
	vols, err := e.Runtime.Volumes(ctx, "")
	if err != nil {
		return obs, err
	}
	for _, v := range vols {
		obs.Volumes[v.Name] = true
	}
	if obs.Images, err = e.imageDigests(ctx, p, services); err != nil {
		return obs, err
	}
	return obs, nil
}

func (e *Engine) imageDigests(ctx context.Context, p *types.Project, services []string) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range services {
		ref := p.Services[name].Image
		if _, done := out[ref]; done || ref == "" {
			continue
		}
		d, err := e.Runtime.ImageDigest(ctx, ref)
		if errors.Is(err, ErrImageNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", ref, err)
		}
		out[ref] = d
	}
	return out, nil
}

// pullTimes adds to obs when berth last pulled the images of the services whose
// pull_policy refreshes them; a project without such a policy costs nothing here.
func (e *Engine) pullTimes(ctx context.Context, p *types.Project, services []string, obs *Observed) error {
	obs.Now = time.Now()
	for _, name := range refreshes(p, services) {
		ref := p.Services[name].Image
		t, err := e.Runtime.ImagePulled(ctx, ref)
		if errors.Is(err, ErrImageNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("image %s: %w", ref, err)
		}
		if !t.IsZero() {
			if obs.ImagesPulled == nil {
				obs.ImagesPulled = map[string]time.Time{}
			}
			obs.ImagesPulled[ref] = t
		}
	}
	return nil
}

// pullOverride turns --pull into a policy for every service; "policy" (the default)
// leaves each service its own.
func pullOverride(flag string) PullPolicy {
	if flag == "policy" {
		flag = ""
	}
	return PullPolicy{Override: flag, Default: types.PullPolicyMissing}
}

// run executes scheduler nodes with the engine's parallelism.
func (e *Engine) run(ctx context.Context, nodes []scheduler.Node) error {
	return scheduler.Run(ctx, nodes, scheduler.Options{Parallel: e.Parallel})
}

func (e *Engine) event(kind, name, status string, finished bool) {
	e.Progress.Event(progress.Event{Kind: kind, Name: name, Status: status, Finished: finished})
}

// transferred reports the bytes of an image's pull or push as they move; nothing
// when quiet.
func (e *Engine) transferred(ref string, quiet bool) func(Progress) {
	return func(pr Progress) {
		if !quiet {
			e.Progress.Event(progress.Event{Kind: "Image", Name: ref, Status: pr.Status, Current: pr.Current, Total: pr.Total})
		}
	}
}

func (e *Engine) failed(kind, name string, err error) error {
	e.Progress.Event(progress.Event{Kind: kind, Name: name, Status: "Error", Text: err.Error(), Err: true, Finished: true})
	return err
}

func (e *Engine) warn(format string, args ...any) {
	fmt.Fprintf(e.Err, "WARN[0000] "+format+"\n", args...)
}

// serviceContainers keeps the containers of the given services (all when none given),
// sorted by service and number.
func serviceContainers(cs []Container, services []string) []Container {
	want := map[string]bool{}
	for _, s := range services {
		want[s] = true
	}
	var out []Container
	for _, c := range cs {
		if len(services) == 0 || want[c.Service] {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		if out[i].Number != out[j].Number {
			return out[i].Number < out[j].Number
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// checkServices refuses service names the project does not have.
func checkServices(p *types.Project, names []string) error {
	for _, n := range names {
		if _, ok := p.Services[n]; !ok {
			return fmt.Errorf("%w: no such service: %s", project.ErrInvalid, n)
		}
	}
	return nil
}

// servicesAndDeps are the named services (all when none), with the services they
// depend on, transitively, when withDeps.
func servicesAndDeps(p *types.Project, names []string, withDeps bool) ([]string, error) {
	if err := checkServices(p, names); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return p.ServiceNames(), nil
	}
	if !withDeps {
		return names, nil
	}
	g, err := project.NewGraph(p)
	if err != nil {
		return nil, err
	}
	return selectedServices(p, g, names, false)
}
