package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// ExecOptions are the flags of `exec`.
type ExecOptions struct {
	Service string
	Index   int // replica number; 0 = 1
	ExecRequest
}

// ErrNotRunning is returned by exec into a container that does not run.
var ErrNotRunning = fmt.Errorf("container is not running")

// Exec runs a command in a running container of a service and returns its exit status.
func (e *Engine) Exec(ctx context.Context, p *types.Project, o ExecOptions) (int, error) {
	if err := checkServices(p, []string{o.Service}); err != nil {
		return 0, err
	}
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return 0, err
	}
	index := o.Index
	if index == 0 {
		index = 1
	}
	for _, c := range serviceContainers(cs, []string{o.Service}) {
		if c.OneOff || c.Number != index {
			continue
		}
		if c.State != StateRunning {
			return 0, fmt.Errorf("service %q: %s: %w", o.Service, c.Name, ErrNotRunning)
		}
		return e.Runtime.Exec(ctx, c.ID, o.ExecRequest)
	}
	return 0, fmt.Errorf("service %q has no container number %d: %w", o.Service, index, ErrNotFound)
}
