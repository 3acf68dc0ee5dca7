package main

import (
	"github.com/spf13/cobra"
)

// newUndeployCommand removes everything deploy made for the project, and nothing else.
func newUndeployCommand(g *globals) *cobra.Command {
	var k kubeFlags
	var volumes bool
	cmd := &cobra.Command{
		Use:   "undeploy [OPTIONS]",
		Short: "Remove the project's objects from Kubernetes",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := g.loadForKube(cmd.Context())
			if err != nil {
				return err
			}
			d, err := k.deployer(cmd, g)
			if err != nil {
				return err
			}
			return d.Undeploy(cmd.Context(), p.Name, volumes)
		},
	}
	k.register(cmd)
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "Also remove the volumes' PersistentVolumeClaims (their data)")
	return cmd
}
