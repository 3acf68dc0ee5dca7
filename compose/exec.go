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
	c, err := e.runningReplica(ctx, p, o.Service, o.Index)
	if err != nil {
		return 0, err
	}
	return e.Runtime.Exec(ctx, c.ID, o.ExecRequest)
}
