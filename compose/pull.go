package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
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
	x := e.newExecutor(p, obs)
	x.quietPull, x.tolerate = o.Quiet, o.IgnoreFailures
	return x.execute(ctx, plan)
}

// pull fetches one planned image for its service's platform; tolerate makes a
// failure a warning.
func (e *Engine) pull(ctx context.Context, p *types.Project, op Op, quiet, tolerate bool) error {
	ref := op.Target
	if !quiet {
		e.event("Image", ref, "Pulling", false)
	}
	if err := e.Runtime.Pull(ctx, ref, project.Platform(p, p.Services[op.Service]), e.transferred(ref, quiet)); err != nil {
		return e.tolerated(tolerate, e.failed("Image", ref, fmt.Errorf("service %q: pull %s: %w", op.Service, ref, err)))
	}
	if !quiet {
		e.event("Image", ref, "Pulled", true)
	}
	return nil
}

// tolerated is err, or nil after a warning when tolerate says so
// (--ignore-pull-failures, --ignore-push-failures).
func (e *Engine) tolerated(tolerate bool, err error) error {
	if tolerate && err != nil {
		e.warn("%v", err)
		return nil
	}
	return err
}
