package main

import (
	"strings"

	"github.com/spf13/cobra"

	"berth.dev/berth/internal/logdriver"
	"berth.dev/berth/network/resolver"
)

// newLogDriverCommand is the binary log driver containerd's shim starts for each
// container task: berth _logdriver <log file>.
func newLogDriverCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "_logdriver LOGFILE",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return logdriver.Serve(cmd.Context(), args[0])
		},
	}
}

// newResolverCommand is the DNS resolver's task body.
func newResolverCommand() *cobra.Command {
	var o resolver.Options
	var upstreams string
	cmd := &cobra.Command{
		Use:    "_resolver",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if upstreams != "" {
				o.Upstreams = strings.Split(upstreams, ",")
			}
			return resolver.Run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.StateDir, "state-dir", "", "berth's state directory")
	cmd.Flags().StringVar(&upstreams, "upstreams", "", "comma-separated upstream resolvers, ip:port")
	cmd.Flags().IntVar(&o.Port, "port", 53, "port to listen on")
	return cmd
}
