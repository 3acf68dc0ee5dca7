package main

import (
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newLogsCommand(g *globals) *cobra.Command {
	var o compose.LogsOptions
	var tail string
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] [SERVICE...]",
		Short: "View output from containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.Tail = -1
			o.NoColor = o.NoColor || !g.colour()
			if tail != "all" {
				n, err := strconv.Atoi(tail)
				if err != nil || n < 0 {
					return usageError("--tail: %q is not a number or \"all\"", tail)
				}
				o.Tail = n
			}
			return g.withEngine(cmd.Context(), true, func(e *compose.Engine, p *types.Project) error {
				err := e.Logs(cmd.Context(), p, o)
				if cancelled(err) {
					return nil
				}
				return err
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Follow, "follow", "f", false, "Follow log output")
	f.StringVarP(&tail, "tail", "n", "all", "Number of lines to show from the end of the logs")
	f.BoolVarP(&o.Timestamps, "timestamps", "t", false, "Show timestamps")
	f.BoolVar(&o.NoColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&o.NoLogPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	return cmd
}
