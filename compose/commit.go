package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// CommitOptions are the arguments of `commit`.
type CommitOptions struct {
	Service string
	Index   int
	CommitRequest
}

// Commit makes an image of a service container's changes, as `docker compose
// commit` does, and prints its digest.
func (e *Engine) Commit(ctx context.Context, p *types.Project, o CommitOptions) error {
	c, err := e.replica(ctx, p, o.Service, o.Index)
	if err != nil {
		return err
	}
	digest, err := e.Runtime.Commit(ctx, c.ID, o.CommitRequest)
	if err != nil {
		return fmt.Errorf("service %q: commit %s: %w", o.Service, c.Name, err)
	}
	if digest != "" {
		fmt.Fprintln(e.Out, digest)
	}
	return nil
}
