package main

import (
	"github.com/spf13/cobra"
)

// undeployOptions are undeploy's flags.
type undeployOptions struct {
	kubeFlags
	volumes bool
}

// newUndeployCommand removes everything deploy made for the project, and nothing
// else. It runs in berth-kube (kubeexec.go).
func newUndeployCommand(g *globals) *cobra.Command {
	var o undeployOptions
	cmd := &cobra.Command{
		Use:   "undeploy [OPTIONS]",
		Short: "Remove the project's objects from Kubernetes",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUndeploy(cmd, args, g, &o)
		},
	}
	o.kubeFlags.register(cmd)
	cmd.Flags().BoolVarP(&o.volumes, "volumes", "v", false, "Also remove the volumes' PersistentVolumeClaims (their data)")
	return cmd
}
