package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newAttachCommand(g *globals) *cobra.Command {
	var index int
	var noStdin bool
	cmd := projectVerb(g, "attach [OPTIONS] SERVICE", "Attach to a service's running container's output (stdin is not connected)", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			_ = noStdin // berth's containers read no stdin from attach: it is always so
			err := e.Attach(ctx, p, args[0], index)
			if cancelled(err) {
				return nil
			}
			return err
		})
	cmd.Args = cobra.ExactArgs(1)
	cmd.Flags().IntVar(&index, "index", 0, "Index of the container if the service has several replicas")
	cmd.Flags().BoolVar(&noStdin, "no-stdin", false, "Do not attach STDIN (berth never does)")
	return cmd
}
