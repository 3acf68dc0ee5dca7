package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newStartCommand(g *globals) *cobra.Command {
	return projectVerb(g, "start [SERVICE...]", "Start services", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			return e.Start(ctx, p, args)
		})
}
