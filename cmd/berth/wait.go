package main

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newWaitCommand(g *globals) *cobra.Command {
	var down bool
	cmd := projectVerb(g, "wait SERVICE [SERVICE...]", "Block until the first service container stops", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			code, err := e.Wait(ctx, p, args)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), code)
			if down {
				if err := e.Down(ctx, p, compose.DownOptions{}); err != nil {
					return err
				}
			}
			if code != 0 {
				return exitError{code}
			}
			return nil
		})
	cmd.Args = cobra.MinimumNArgs(1)
	cmd.Flags().BoolVar(&down, "down-project", false, "Drops project when the first container stops")
	return cmd
}
