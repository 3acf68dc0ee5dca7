package main

import (
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newLsCommand(g *globals) *cobra.Command {
	var o compose.LsOptions
	cmd := engineVerb(g, "ls [OPTIONS]", "List running compose projects", cobra.NoArgs, func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		return e.Ls(cmd.Context(), o)
	})
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all stopped Compose projects")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only display project names")
	f.StringVar(&o.Format, "format", "table", "Format the output: table, json, or a Go template (table TEMPLATE for a table of it)")
	f.StringVar(&o.Filter, "filter", "", "Filter output based on conditions provided (name=...)")
	return cmd
}
