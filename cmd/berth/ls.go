package main

import (
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/format"
)

func newLsCommand(g *globals) *cobra.Command {
	var o compose.LsOptions
	var spec string
	var quiet bool
	cmd := engineVerb(g, "ls [OPTIONS]", "List running compose projects", cobra.NoArgs, func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		rows, err := e.Ls(cmd.Context(), o)
		if err != nil {
			return err
		}
		return render(cmd, format.LsListing, spec, quiet, rows)
	})
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all stopped Compose projects")
	f.BoolVarP(&quiet, "quiet", "q", false, "Only display project names")
	formatFlag(cmd, &spec)
	f.StringVar(&o.Filter, "filter", "", "Filter output based on conditions provided (name=...)")
	return cmd
}
