package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newCpCommand(g *globals) *cobra.Command {
	var o compose.CpOptions
	cmd := projectVerb(g, "cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH | SRC_PATH SERVICE:DEST_PATH", "Copy files/folders between a service container and the local filesystem", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Src, o.Dst = args[0], args[1]
			return e.Cp(ctx, p, o)
		})
	cmd.Args = cobra.ExactArgs(2)
	cmd.Flags().IntVar(&o.Index, "index", 0, "Index of the container if the service has several replicas (default: into every replica, out of the first)")
	cmd.Flags().BoolVar(&o.All, "all", false, "Include containers created by the run command")
	cmd.Flags().BoolVarP(&o.Archive, "archive", "a", false, "Archive mode (copy all uid/gid information)")
	cmd.Flags().BoolVarP(&o.FollowLink, "follow-link", "L", false, "Always follow symbol link in SRC_PATH")
	return cmd
}
