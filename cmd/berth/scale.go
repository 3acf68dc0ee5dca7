package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

// newScaleCommand is docker compose's scale: up -d of the named services with
// their new numbers of replicas.
func newScaleCommand(g *globals) *cobra.Command {
	var o compose.UpOptions
	cmd := projectVerb(g, "scale [SERVICE=REPLICAS...]", "Scale services", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			if len(args) == 0 {
				return usageError("scale: name at least one SERVICE=REPLICAS")
			}
			var err error
			if o.Scale, err = parseScale(args); err != nil {
				return err
			}
			o.Services = nil
			for name := range o.Scale {
				o.Services = append(o.Services, name)
			}
			o.Detach, o.Pull, o.DryRun = true, "policy", g.dryRun
			return e.Up(ctx, p, o)
		})
	cmd.Flags().BoolVar(&o.NoDeps, "no-deps", false, "Don't start linked services")
	return cmd
}
