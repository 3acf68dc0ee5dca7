package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newKillCommand(g *globals) *cobra.Command {
	var signal string
	cmd := projectVerb(g, "kill [OPTIONS] [SERVICE...]", "Force stop service containers", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			return e.Kill(ctx, p, args, signal)
		})
	cmd.Flags().StringVarP(&signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	return cmd
}
