package main

import (
	"context"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newStartCommand(g *globals) *cobra.Command {
	var wait bool
	var waitTimeout int
	cmd := projectVerb(g, "start [SERVICE...]", "Start services", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			if err := e.Start(ctx, p, args); err != nil || !wait {
				return err
			}
			return e.WaitRunning(ctx, p, args, time.Duration(waitTimeout)*time.Second)
		})
	cmd.Flags().BoolVar(&wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode.")
	cmd.Flags().IntVar(&waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	return cmd
}
