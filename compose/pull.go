package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
	"berth.dev/berth/scheduler"
)

// PullOptions are the flags of `pull`.
type PullOptions struct {
	Services       []string
	IncludeDeps    bool
	IgnoreFailures bool
	Quiet          bool
	Policy         string // --policy: "always", "missing", or "" for each service's pull_policy
	// IgnoreBuildable leaves out the services with a build section.
	IgnoreBuildable bool
}

// Pull fetches the services' images, all in parallel: whether the store has them or
// not, unless the policy (--policy, else the service's pull_policy) says otherwise.
// With IgnoreFailures a failed pull is a warning.
func (e *Engine) Pull(ctx context.Context, p *types.Project, o PullOptions) error {
	g, err := project.NewGraph(p)
	if err != nil {
		return err
	}
	services, err := selectedServices(p, g, o.Services, !o.IncludeDeps)
	if err != nil {
		return err
	}
	// A service that only builds its image, or never pulls it, has nothing to pull.
	var pullable []string
	for _, name := range toPull(p, services, BuildPolicy{Never: true}) {
		if o.IgnoreBuildable && p.Services[name].Build != nil {
			continue
		}
		if policy, _, _ := p.Services[name].GetPullPolicy(); policy != types.PullPolicyNever && policy != types.PullPolicyBuild {
			pullable = append(pullable, name)
		}
	}
	images, err := e.imageDigests(ctx, p, pullable)
	if err != nil {
		return err
	}
	obs := Observed{Images: images}
	if err := e.pullTimes(ctx, p, pullable, &obs); err != nil {
		return err
	}
	plan, err := PlanPulls(p, pullable, obs, PullPolicy{Override: o.Policy, Default: types.PullPolicyAlways})
	if err != nil {
		return err
	}
	if !o.IgnoreFailures {
		return e.pull(ctx, p, plan, o.Quiet)
	}
	for _, op := range plan.Ops {
		if err := e.pull(ctx, p, Plan{Ops: []Op{op}}, o.Quiet); err != nil {
			e.warn("%v", err)
		}
	}
	return nil
}

// pull runs the planned pulls in parallel, each for its service's platform.
func (e *Engine) pull(ctx context.Context, p *types.Project, plan Plan, quiet bool) error {
	var nodes []scheduler.Node
	for _, op := range plan.Ops {
		ref, service, platform := op.Target, op.Service, project.Platform(p, p.Services[op.Service])
		nodes = append(nodes, scheduler.Node{ID: "pull:" + ref, Run: func(ctx context.Context) error {
			if !quiet {
				e.event("Image", ref, "Pulling", false)
			}
			if err := e.Runtime.Pull(ctx, ref, platform, e.transferred(ref, quiet)); err != nil {
				return e.failed("Image", ref, fmt.Errorf("service %q: pull %s: %w", service, ref, err))
			}
			if !quiet {
				e.event("Image", ref, "Pulled", true)
			}
			return nil
		}})
	}
	return e.run(ctx, nodes)
}
