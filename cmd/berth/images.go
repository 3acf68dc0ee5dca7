package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/format"
)

func newImagesCommand(g *globals) *cobra.Command {
	var spec string
	var quiet bool
	cmd := projectVerb(g, "images [OPTIONS] [SERVICE...]", "List images used by the created containers", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			rows, err := e.Images(ctx, p, args)
			if err != nil {
				return err
			}
			return render(cmd, format.ImagesListing, spec, quiet, rows)
		})
	formatFlag(cmd, &spec)
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display IDs")
	return cmd
}
