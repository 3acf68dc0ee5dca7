package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newBuildCommand(g *globals) *cobra.Command {
	var o compose.BuildOptions
	cmd := projectVerb(g, "build [OPTIONS] [SERVICE...]", "Build or rebuild services", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Services = args
			return e.Build(ctx, p, o)
		})
	f := cmd.Flags()
	f.BoolVar(&o.NoCache, "no-cache", false, "Do not use cache when building the image")
	f.BoolVar(&o.Pull, "pull", false, "Always attempt to pull a newer version of the image")
	f.StringArrayVar(&o.Args, "build-arg", nil, "Set build-time variables for services")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Don't print anything to STDOUT")
	return cmd
}
