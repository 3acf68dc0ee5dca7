package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newPushCommand(g *globals) *cobra.Command {
	var o compose.PushOptions
	cmd := projectVerb(g, "push [OPTIONS] [SERVICE...]", "Push service images", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Services = args
			return e.Push(ctx, p, o)
		})
	f := cmd.Flags()
	f.BoolVar(&o.IgnoreFailures, "ignore-push-failures", false, "Push what it can and ignore images with push failures")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Push without printing progress information")
	return cmd
}
