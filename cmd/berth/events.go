package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newEventsCommand(g *globals) *cobra.Command {
	var asJSON bool
	cmd := projectVerb(g, "events [OPTIONS] [SERVICE...]", "Receive real time events from containers", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			return e.Events(ctx, p, args, asJSON)
		})
	cmd.Flags().BoolVar(&asJSON, "json", false, "Output events as a stream of json objects")
	return cmd
}
