package main

import (
	"context"
	"os"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"berth.dev/berth/compose"
)

func newStatsCommand(g *globals) *cobra.Command {
	var o compose.StatsOptions
	cmd := projectVerb(g, "stats [OPTIONS] [SERVICE...]", "Display a live stream of container(s) resource usage statistics", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Services = args
			if term.IsTerminal(int(os.Stdout.Fd())) {
				o.Clear = []byte("\x1b[H\x1b[2J")
			}
			err := e.Stats(ctx, p, o)
			if cancelled(err) {
				return nil
			}
			return err
		})
	f := cmd.Flags()
	f.BoolVar(&o.NoStream, "no-stream", false, "Disable streaming stats and only pull the first result")
	f.StringVar(&o.Format, "format", "table", "Format the output: table, json, or a Go template (table TEMPLATE for a table of it)")
	f.BoolVarP(&o.All, "all", "a", false, "Show all containers (default shows just running)")
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Do not truncate output")
	return cmd
}
