package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newPauseCommand(g *globals) *cobra.Command {
	return projectVerb(g, "pause [SERVICE...]", "Pause services", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			return e.Pause(ctx, p, args)
		})
}

func newUnpauseCommand(g *globals) *cobra.Command {
	return projectVerb(g, "unpause [SERVICE...]", "Unpause services", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			return e.Unpause(ctx, p, args)
		})
}
