package main

import (
	"context"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/format"
)

func newEventsCommand(g *globals) *cobra.Command {
	var o compose.EventsOptions
	var since, until string
	var asJSON bool
	cmd := projectVerb(g, "events [OPTIONS] [SERVICE...]", "Receive real time events from containers", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Services = args
			spec := ""
			if asJSON {
				spec = "json"
			}
			return e.Events(ctx, p, o, func(ev format.EventRow) error {
				return render(cmd, format.EventsListing, spec, false, []format.EventRow{ev})
			})
		})
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		var err error
		now := time.Now()
		if o.Since, err = parseLogTime("since", since, now); err != nil {
			return err
		}
		o.Until, err = parseLogTime("until", until, now)
		return err
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "Output events as a stream of json objects")
	f.StringVar(&since, "since", "", "Show all events created since timestamp (2013-01-02T13:23:37Z) or relative (42m); past ones as far as berth can replay them")
	f.StringVar(&until, "until", "", "Stream events until this timestamp (2013-01-02T13:23:37Z) or relative (42m)")
	return cmd
}
