package main

import (
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newPsCommand(g *globals) *cobra.Command {
	var o compose.PsOptions
	var filter string
	var orphans bool
	cmd := &cobra.Command{
		Use:   "ps [OPTIONS] [SERVICE...]",
		Short: "List containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.NoOrphans = !orphans
			if filter != "" {
				// docker compose's one filter: status=STATE.
				key, value, ok := strings.Cut(filter, "=")
				if !ok || key != "status" {
					return usageError("--filter %q: the one filter is status=STATE", filter)
				}
				o.Status = append(o.Status, value)
			}
			return g.withEngine(cmd.Context(), true, func(e *compose.Engine, p *types.Project) error {
				return e.Ps(cmd.Context(), p, o)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all containers, also stopped ones")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Only display IDs")
	f.BoolVar(&o.ListServices, "services", false, "Display services")
	f.StringVar(&o.Format, "format", "table", "Format the output: table, json, or a Go template (table TEMPLATE for a table of it)")
	f.StringVar(&filter, "filter", "", "Filter services by a property (supported filters: status)")
	f.StringArrayVar(&o.Status, "status", nil, "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]")
	f.BoolVar(&orphans, "orphans", true, "Include orphaned services (not declared by project)")
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Don't truncate output")
	return cmd
}
