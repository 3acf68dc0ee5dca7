package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

// projectVerb makes a command over the project's services: it loads the project (by
// name alone when there is no file and nameOnlyOK), connects, and runs fn.
func projectVerb(g *globals, use, short string, nameOnlyOK bool, fn func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withEngine(cmd.Context(), nameOnlyOK, func(e *compose.Engine, p *types.Project) error {
				return fn(cmd.Context(), cmd, e, p, args)
			})
		},
	}
}

// servicesVerb makes a command whose arguments are the services verb acts on: they
// go to *services, then verb runs with the options o the flags filled.
func servicesVerb[O any](g *globals, use, short string, o *O, services *[]string, verb func(*compose.Engine, context.Context, *types.Project, O) error) *cobra.Command {
	return projectVerb(g, use, short, false, func(ctx context.Context, _ *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
		*services = args
		return verb(e, ctx, p, *o)
	})
}
