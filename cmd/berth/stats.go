package main

import (
	"context"
	"os"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/format"
)

func newStatsCommand(g *globals) *cobra.Command {
	var o compose.StatsOptions
	var spec string
	cmd := projectVerb(g, "stats [OPTIONS] [SERVICE...]", "Display a live stream of container(s) resource usage statistics", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Services = args
			if err := checkFormat(format.StatsListing, spec); err != nil {
				return err
			}
			// A terminal is cleared before each refresh of a stream; elsewhere one
			// table follows another.
			var clear []byte
			if term.IsTerminal(int(os.Stdout.Fd())) && !o.NoStream {
				clear = []byte("\x1b[H\x1b[2J")
			}
			err := e.Stats(ctx, p, o, func(rows []format.StatsRow) error {
				if _, err := cmd.OutOrStdout().Write(clear); err != nil {
					return err
				}
				return render(cmd, format.StatsListing, spec, false, rows)
			})
			if cancelled(err) {
				return nil
			}
			return err
		})
	f := cmd.Flags()
	f.BoolVar(&o.NoStream, "no-stream", false, "Disable streaming stats and only pull the first result")
	formatFlag(cmd, &spec)
	f.BoolVarP(&o.All, "all", "a", false, "Show all containers (default shows just running)")
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Do not truncate output")
	return cmd
}
