package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newVolumesCommand(g *globals) *cobra.Command {
	var format string
	var quiet bool
	cmd := projectVerb(g, "volumes [OPTIONS] [SERVICE...]", "List volumes", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			return e.ProjectVolumes(ctx, p, args, format, quiet)
		})
	cmd.Flags().StringVar(&format, "format", "table", "Format the output: table or json")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display volume names")
	return cmd
}
