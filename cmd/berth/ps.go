package main

import (
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newPsCommand(g *globals) *cobra.Command {
	var o compose.PsOptions
	cmd := &cobra.Command{
		Use:   "ps [OPTIONS] [SERVICE...]",
		Short: "List containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			return g.withEngine(cmd.Context(), true, func(e *compose.Engine, p *types.Project) error {
				return e.Ps(cmd.Context(), p, o)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all containers, also stopped ones")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only display IDs")
	f.BoolVar(&o.ListServices, "services", false, "Display services")
	f.StringVar(&o.Format, "format", "table", "Format the output: table or json")
	return cmd
}
