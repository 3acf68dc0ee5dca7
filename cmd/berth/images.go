package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newImagesCommand(g *globals) *cobra.Command {
	var format string
	var quiet bool
	cmd := projectVerb(g, "images [OPTIONS] [SERVICE...]", "List images used by the created containers", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			return e.Images(ctx, p, args, format, quiet)
		})
	cmd.Flags().StringVar(&format, "format", "table", "Format the output: table, json, or a Go template (table TEMPLATE for a table of it)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display IDs")
	return cmd
}
