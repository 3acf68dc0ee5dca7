package main

import (
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/format"
)

func newPsCommand(g *globals) *cobra.Command {
	var o compose.PsOptions
	var filter, spec string
	var orphans, quiet, services, noTrunc bool
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
			if err := checkFormat(format.PsListing, spec); err != nil {
				return err
			}
			return g.withEngine(cmd.Context(), true, func(e *compose.Engine, p *types.Project) error {
				infos, err := e.Ps(cmd.Context(), p, o)
				if err != nil {
					return err
				}
				now := time.Now()
				rows := make([]format.ContainerRow, 0, len(infos))
				for _, c := range infos {
					// --quiet prints whole IDs, as docker compose's.
					rows = append(rows, format.NewContainerRow(c, now, !noTrunc && !quiet))
				}
				if services && !quiet {
					return render(cmd, format.PsServicesListing, "", true, rows)
				}
				return render(cmd, format.PsListing, spec, quiet, rows)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "Show all containers, also stopped ones")
	f.BoolVarP(&quiet, "quiet", "q", false, "Only display IDs")
	f.BoolVar(&services, "services", false, "Display services")
	formatFlag(cmd, &spec)
	f.StringVar(&filter, "filter", "", "Filter services by a property (supported filters: status)")
	f.StringArrayVar(&o.Status, "status", nil, "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]")
	f.BoolVar(&orphans, "orphans", true, "Include orphaned services (not declared by project)")
	f.BoolVar(&noTrunc, "no-trunc", false, "Don't truncate output")
	return cmd
}
