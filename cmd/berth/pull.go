package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newPullCommand(g *globals) *cobra.Command {
	var o compose.PullOptions
	cmd := projectVerb(g, "pull [OPTIONS] [SERVICE...]", "Pull service images", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Services = args
			switch o.Policy {
			case "", "always", "missing":
			default:
				return usageError("--policy %q: use always or missing", o.Policy)
			}
			return e.Pull(ctx, p, o)
		})
	f := cmd.Flags()
	f.BoolVar(&o.IgnoreFailures, "ignore-pull-failures", false, "Pull what it can and ignores images with pull failures")
	f.BoolVar(&o.IncludeDeps, "include-deps", false, "Also pull services declared as dependencies")
	f.StringVar(&o.Policy, "policy", "", `Apply pull policy ("missing"|"always")`)
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Pull without printing progress information")
	f.BoolVar(&o.IgnoreBuildable, "ignore-buildable", false, "Ignore images that can be built")
	return cmd
}

// checkPullFlag refuses an unknown --pull of up and run.
func checkPullFlag(v string) error {
	switch v {
	case "always", "missing", "never", "policy":
		return nil
	}
	return usageError("--pull %q: use always, missing, never or policy", v)
}
