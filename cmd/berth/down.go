package main

import (
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newDownCommand(g *globals) *cobra.Command {
	var o compose.DownOptions
	var timeout timeoutFlag
	cmd := &cobra.Command{
		Use:   "down [OPTIONS] [SERVICES]",
		Short: "Stop and remove containers, networks",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Timeout = timeout.value(cmd)
			o.Services, o.DryRun = args, g.dryRun
			return g.withEngine(cmd.Context(), true, func(e *compose.Engine, p *types.Project) error {
				o.IgnoreOrphans = orphanEnv(cmd, p, &o.RemoveOrphans)
				return e.Down(cmd.Context(), p, o)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Volumes, "volumes", "v", false, "Remove named volumes declared in the volumes section")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers of services not in the compose file")
	timeout.add(cmd)
	f.StringVar(&o.RemoveImages, "rmi", "", `Remove images used by services: "local" or "all"`)
	return cmd
}
