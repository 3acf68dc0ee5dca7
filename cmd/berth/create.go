package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newCreateCommand(g *globals) *cobra.Command {
	var o compose.UpOptions
	var scale []string
	cmd := projectVerb(g, "create [OPTIONS] [SERVICE...]", "Creates containers for a service", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			var err error
			if o.Scale, err = parseScale(scale); err != nil {
				return err
			}
			if err := checkConflicts(cmd, upConflicts); err != nil {
				return err
			}
			if err := checkPullFlag(o.Pull); err != nil {
				return err
			}
			o.Services, o.NoStart, o.DryRun = args, true, g.dryRun
			o.IgnoreOrphans = orphanEnv(cmd, p, &o.RemoveOrphans)
			if err := orphanConflict(o.RemoveOrphans, o.IgnoreOrphans); err != nil {
				return err
			}
			o.AllResources = g.allResources
			return e.Up(ctx, p, o)
		})
	f := cmd.Flags()
	f.BoolVar(&o.ForceRecreate, "force-recreate", false, "Recreate containers even if their configuration has not changed")
	f.BoolVar(&o.NoRecreate, "no-recreate", false, "Keep existing containers even if their configuration changed")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers of services not in the compose file")
	f.BoolVar(&o.Build.Always, "build", false, "Build images before starting containers")
	f.BoolVar(&o.Build.Never, "no-build", false, "Don't build an image, even if it's policy")
	f.StringArrayVar(&scale, "scale", nil, "Scale SERVICE to NUM instances")
	f.StringVar(&o.Pull, "pull", "policy", `Pull image before running ("always"|"missing"|"never"|"policy")`)
	f.BoolVar(&o.QuietPull, "quiet-pull", false, "Pull without printing progress information")
	assumeYes(f)
	return cmd
}
