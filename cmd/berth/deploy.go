package main

import (
	"github.com/spf13/cobra"
)

// newDeployCommand converts the project and applies it to a cluster in dependency
// waves, then prunes what the file no longer has.
func newDeployCommand(g *globals) *cobra.Command {
	var k kubeFlags
	var cf convertFlags
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "deploy [OPTIONS]",
		Short: "Deploy the project to Kubernetes, waiting for each service's dependencies",
		Long: "Deploy converts the compose file as `berth convert` does and applies it with server-side apply\n" +
			"(field manager berth): a Job must complete, a Deployment must be rolled out and Ready, before\n" +
			"what depends on it is applied. --namespace names the Kubernetes namespace here.",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, res, err := cf.convert(cmd, g)
			if err != nil {
				return err
			}
			d, err := k.deployer(cmd, g)
			if err != nil {
				return err
			}
			if dryRun {
				d.DryRun = true
				return d.Apply(cmd.Context(), res.Objects)
			}
			return d.Deploy(cmd.Context(), p, res.Objects)
		},
	}
	k.register(cmd)
	f := cmd.Flags()
	cf.register(cmd)
	f.BoolVar(&dryRun, "dry-run", false, "Have the server validate every object, and change nothing")
	return cmd
}
