package compose

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"
)

// Attach follows a running container's output from now on, until it exits or ctx
// ends. Containers write through berth's log driver, so attach shows their output;
// their standard input is not connected.
func (e *Engine) Attach(ctx context.Context, p *types.Project, service string, index int) error {
	c, err := e.runningReplica(ctx, p, service, index)
	if err != nil {
		return err
	}
	pr := newPrinter(e.Out, nil, LogsOptions{NoLogPrefix: true})
	g, gctx := errgroup.WithContext(ctx)
	follow, stop := context.WithCancel(gctx)
	g.Go(func() error {
		err := e.Runtime.Logs(follow, c.ID, LogOptions{Tail: 0, Follow: true}, func(l LogEntry) error {
			pr.print(c.Name, l)
			return nil
		})
		if follow.Err() != nil {
			return nil
		}
		return err
	})
	g.Go(func() error {
		defer stop()
		_, err := e.Runtime.Wait(gctx, c.ID)
		if gctx.Err() != nil {
			return nil
		}
		return err
	})
	return g.Wait()
}
