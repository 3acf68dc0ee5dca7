package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newKillCommand(g *globals) *cobra.Command {
	var signal string
	var removeOrphans bool
	cmd := projectVerb(g, "kill [OPTIONS] [SERVICE...]", "Force stop service containers", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			orphanEnv(cmd, p, &removeOrphans)
			return e.Kill(ctx, p, args, signal, removeOrphans)
		})
	cmd.Flags().StringVarP(&signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	cmd.Flags().BoolVar(&removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	return cmd
}
