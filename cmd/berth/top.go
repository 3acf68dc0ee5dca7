package main

import (
	"context"
	"errors"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/format"
)

func newTopCommand(g *globals) *cobra.Command {
	return projectVerb(g, "top [SERVICES...]", "Display the running processes", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			// What was read before an error is shown all the same.
			all, err := e.Top(ctx, p, args)
			return errors.Join(format.Top(cmd.OutOrStdout(), all), err)
		})
}
