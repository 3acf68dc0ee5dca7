package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newRestartCommand(g *globals) *cobra.Command {
	var timeout timeoutFlag
	var noDeps bool
	cmd := projectVerb(g, "restart [OPTIONS] [SERVICE...]", "Restart service containers", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			return e.Restart(ctx, p, args, timeout.value(cmd), noDeps)
		})
	timeout.add(cmd)
	cmd.Flags().BoolVar(&noDeps, "no-deps", false, "Don't restart dependent services")
	return cmd
}
