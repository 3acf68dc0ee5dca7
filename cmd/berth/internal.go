package main

import (
	"github.com/spf13/cobra"

	"berth.dev/berth/compose/containerd/agent"
	"berth.dev/berth/internal/logdriver"
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

// newAgentCommand is the body of berth's agent task (compose/containerd/agent),
// where the berth-agent binary is not beside berth: the same command line.
func newAgentCommand() *cobra.Command {
	return &cobra.Command{
		Use:    agent.Command,
		Hidden: true,
		// The agent parses its own flags, as berth-agent does.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return agent.Main(cmd.Context(), args)
		},
	}
}
