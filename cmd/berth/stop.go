package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newStopCommand(g *globals) *cobra.Command {
	var timeout timeoutFlag
	cmd := projectVerb(g, "stop [OPTIONS] [SERVICE...]", "Stop services", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			return e.Stop(ctx, p, compose.StopOptions{Services: args, Timeout: timeout.value(cmd)})
		})
	timeout.add(cmd)
	return cmd
}
