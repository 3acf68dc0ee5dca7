package main

import (
	"context"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newEventsCommand(g *globals) *cobra.Command {
	var o compose.EventsOptions
	var since, until string
	cmd := projectVerb(g, "events [OPTIONS] [SERVICE...]", "Receive real time events from containers", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Services = args
			return e.Events(ctx, p, o)
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
	f.BoolVar(&o.JSON, "json", false, "Output events as a stream of json objects")
	f.StringVar(&since, "since", "", "Show all events created since timestamp (2013-01-02T13:23:37Z) or relative (42m); past ones as far as berth can replay them")
	f.StringVar(&until, "until", "", "Stream events until this timestamp (2013-01-02T13:23:37Z) or relative (42m)")
	return cmd
}
