package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// PushOptions are the flags of `push`.
type PushOptions struct {
	Services       []string
	IgnoreFailures bool
	Quiet          bool
	IncludeDeps    bool // the named services' dependencies too
}

// Push sends the images of the selected services (those that name an image) to
// their registries, all in parallel; with IgnoreFailures a failed push is a warning.
func (e *Engine) Push(ctx context.Context, p *types.Project, o PushOptions) error {
	services, err := servicesAndDeps(p, o.Services, o.IncludeDeps)
	if err != nil {
		return err
	}
	x := e.newExecutor(p, Observed{})
	x.quietPush, x.tolerate = o.Quiet, o.IgnoreFailures
	return x.execute(ctx, PlanPushes(p, services))
}

// PlanPushes lists the images of the services that name one, each pushed once. An
// image berth named after its service has no registry to go to.
func PlanPushes(p *types.Project, services []string) Plan {
	var plan Plan
	seen := map[string]bool{}
	for _, name := range services {
		s := p.Services[name]
		if s.Image == "" || seen[s.Image] || project.BuildsOwnImage(p, s) {
			continue
		}
		seen[s.Image] = true
		plan.Ops = append(plan.Ops, Op{Kind: OpPush, Target: s.Image, Service: name, Reason: "image of " + name})
	}
	return plan
}

// push sends one planned image to its registry; tolerate makes a failure a warning.
func (e *Engine) push(ctx context.Context, op Op, quiet, tolerate bool) error {
	ref := op.Target
	if !quiet {
		e.event("Image", ref, "Pushing", false)
	}
	if err := e.Runtime.Push(ctx, ref, e.transferred(ref, quiet)); err != nil {
		return e.tolerated(tolerate, e.failed("Image", ref, fmt.Errorf("service %q: push %s: %w", op.Service, ref, err)))
	}
	if !quiet {
		e.event("Image", ref, "Pushed", true)
	}
	return nil
}
