package main

import (
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newPushCommand(g *globals) *cobra.Command {
	var o compose.PushOptions
	cmd := servicesVerb(g, "push [OPTIONS] [SERVICE...]", "Push service images", &o, &o.Services, (*compose.Engine).Push)
	f := cmd.Flags()
	f.BoolVar(&o.IgnoreFailures, "ignore-push-failures", false, "Push what it can and ignore images with push failures")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Push without printing progress information")
	f.BoolVar(&o.IncludeDeps, "include-deps", false, "Also push images of services declared as dependencies")
	return cmd
}
