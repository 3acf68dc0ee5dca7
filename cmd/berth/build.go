package main

import (
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newBuildCommand(g *globals) *cobra.Command {
	var o compose.BuildOptions
	cmd := servicesVerb(g, "build [OPTIONS] [SERVICE...]", "Build or rebuild services", &o, &o.Services, (*compose.Engine).Build)
	f := cmd.Flags()
	f.BoolVar(&o.NoCache, "no-cache", false, "Do not use cache when building the image")
	f.BoolVar(&o.Pull, "pull", false, "Always attempt to pull a newer version of the image")
	f.StringArrayVar(&o.Args, "build-arg", nil, "Set build-time variables for services")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Don't print anything to STDOUT")
	f.BoolVar(&o.WithDependencies, "with-dependencies", false, "Also build dependencies (transitively)")
	f.BoolVar(&o.Push, "push", false, "Push service images")
	return cmd
}
