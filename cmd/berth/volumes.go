package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/format"
)

func newVolumesCommand(g *globals) *cobra.Command {
	var spec string
	var quiet bool
	cmd := projectVerb(g, "volumes [OPTIONS] [SERVICE...]", "List volumes", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			rows, err := e.ProjectVolumes(ctx, p, args)
			if err != nil {
				return err
			}
			return render(cmd, format.VolumeListing, spec, quiet, rows)
		})
	formatFlag(cmd, &spec)
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display volume names")
	return cmd
}
