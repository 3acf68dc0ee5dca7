package main

import (
	"context"
	"os"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"berth.dev/berth/compose"
)

func newExportCommand(g *globals) *cobra.Command {
	var o compose.ExportOptions
	cmd := projectVerb(g, "export [OPTIONS] SERVICE", "Export a service container's filesystem as a tar archive", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Service = args[0]
			if o.Output == "" && term.IsTerminal(int(os.Stdout.Fd())) {
				return usageError("export: refusing to write a tar archive to a terminal: use -o FILE or redirect the output")
			}
			return e.Export(ctx, p, o)
		})
	cmd.Args = cobra.ExactArgs(1)
	cmd.Flags().IntVar(&o.Index, "index", 0, "Index of the container if the service has several replicas")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Write to a file, instead of STDOUT")
	return cmd
}
