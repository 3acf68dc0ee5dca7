package compose

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// PullOptions are the flags of `pull`.
type PullOptions struct {
	Services       []string
	IncludeDeps    bool
	IgnoreFailures bool
	Quiet          bool
}

// Pull fetches the services' images, all in parallel, whether the store has them or
// not; with IgnoreFailures a failed pull is a warning.
func (e *Engine) Pull(ctx context.Context, p *types.Project, o PullOptions) error {
	g, err := project.NewGraph(p)
	if err != nil {
		return err
	}
	services, err := selectedServices(p, g, o.Services, !o.IncludeDeps)
	if err != nil {
		return err
	}
	// A service that only builds its image has nothing to pull.
	plan, err := PlanPulls(p, toPull(p, services, BuildPolicy{Never: true}), Observed{}, "always")
	if err != nil {
		return err
	}
	if !o.IgnoreFailures {
		return e.pull(ctx, plan, o.Quiet)
	}
	for _, op := range plan.Ops {
		if err := e.pull(ctx, Plan{Ops: []Op{op}}, o.Quiet); err != nil {
			e.warn("%v", err)
		}
	}
	return nil
}
