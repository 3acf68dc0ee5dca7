package main

import (
	"github.com/spf13/cobra"
)

// deployOptions are deploy's flags.
type deployOptions struct {
	kubeFlags
	convertFlags
	dryRun, build bool
}

// newDeployCommand converts the project and applies it to a cluster in dependency
// waves, then prunes what the file no longer has. It runs in berth-kube (kubeexec.go).
func newDeployCommand(g *globals) *cobra.Command {
	var o deployOptions
	cmd := &cobra.Command{
		Use:   "deploy [OPTIONS]",
		Short: "Deploy the project to Kubernetes, waiting for each service's dependencies",
		Long: "Deploy converts the compose file as `berth convert` does and applies it with server-side apply\n" +
			"(field manager berth): a Job must complete, a Deployment must be rolled out and Ready, before\n" +
			"what depends on it is applied. --namespace names the Kubernetes namespace here.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDeploy(cmd, args, g, &o)
		},
	}
	o.kubeFlags.register(cmd)
	o.convertFlags.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.dryRun, "dry-run", false, "Have the server validate every object, and change nothing")
	f.BoolVar(&o.build, "build", false, "Build the images of services with build: and push them (under --registry when they have no image:) first")
	return cmd
}
