package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newPortCommand(g *globals) *cobra.Command {
	var protocol string
	var index int
	cmd := projectVerb(g, "port [OPTIONS] SERVICE PRIVATE_PORT", "Print the public port for a port binding", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			port, err := strconv.ParseUint(args[1], 10, 16)
			if err != nil {
				return usageError("port %q is not a number", args[1])
			}
			addr, err := e.Port(ctx, p, args[0], uint32(port), protocol, index)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), addr)
			return nil
		})
	cmd.Args = cobra.ExactArgs(2)
	cmd.Flags().StringVar(&protocol, "protocol", "tcp", "tcp or udp")
	cmd.Flags().IntVar(&index, "index", 0, "Index of the container if the service has several replicas")
	return cmd
}
