package main

import (
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newWatchCommand(g *globals) *cobra.Command {
	var o compose.WatchOptions
	cmd := &cobra.Command{
		Use:   "watch [SERVICE...]",
		Short: "Watch the build context for services and rebuild/refresh containers when files are updated",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			return g.withEngine(cmd.Context(), false, func(e *compose.Engine, p *types.Project) error {
				err := e.Watch(cmd.Context(), p, o)
				if cancelled(err) {
					return nil
				}
				return err
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.NoUp, "no-up", false, "Do not build & start services before watching")
	f.BoolVar(&o.Prune, "prune", true, "Prune dangling images on rebuild")
	f.BoolVar(&o.Quiet, "quiet", false, "hide build output")
	return cmd
}
