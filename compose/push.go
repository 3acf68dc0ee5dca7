package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
	"berth.dev/berth/scheduler"
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
	seen := map[string]bool{}
	var nodes []scheduler.Node
	for _, service := range services {
		s := p.Services[service]
		ref := s.Image
		// An image berth named after the service has no registry to go to.
		if ref == "" || seen[ref] || project.BuildsOwnImage(p, s) {
			continue
		}
		seen[ref] = true
		nodes = append(nodes, scheduler.Node{ID: "push:" + ref, Run: func(ctx context.Context) error {
			if !o.Quiet {
				e.event("Image", ref, "Pushing", false)
			}
			if err := e.Runtime.Push(ctx, ref, e.transferred(ref, o.Quiet)); err != nil {
				err = e.failed("Image", ref, fmt.Errorf("service %q: push %s: %w", service, ref, err))
				if o.IgnoreFailures {
					e.warn("%v", err)
					return nil
				}
				return err
			}
			if !o.Quiet {
				e.event("Image", ref, "Pushed", true)
			}
			return nil
		}})
	}
	return e.run(ctx, nodes)
}
