package main

import (
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newUpCommand(g *globals) *cobra.Command {
	var o compose.UpOptions
	var timeout int
	cmd := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.Force = g.force
			if cmd.Flags().Changed("timeout") {
				d := time.Duration(timeout) * time.Second
				o.Timeout = &d
			}
			if err := checkConflicts(cmd, upConflicts); err != nil {
				return err
			}
			return g.withEngine(cmd.Context(), false, func(e *compose.Engine, p *types.Project) error {
				err := e.Up(cmd.Context(), p, o)
				if cancelled(err) && !o.Detach {
					return nil
				}
				return err
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Detach, "detach", "d", false, "Run containers in the background")
	f.BoolVar(&o.ForceRecreate, "force-recreate", false, "Recreate containers even if their configuration has not changed")
	f.BoolVar(&o.NoRecreate, "no-recreate", false, "Keep existing containers even if their configuration changed")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers of services not in the compose file")
	f.BoolVar(&o.NoColor, "no-color", false, "Monochrome output")
	f.IntVarP(&timeout, "timeout", "t", 10, "Seconds to wait for containers to stop")
	return cmd
}

// upConflicts is the table of flags of `up` that exclude each other.
var upConflicts = [][2]string{
	{"force-recreate", "no-recreate"},
}
