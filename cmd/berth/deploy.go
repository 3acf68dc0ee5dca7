package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
	"berth.dev/berth/kube"
)

// newDeployCommand converts the project and applies it to a cluster in dependency
// waves, then prunes what the file no longer has.
func newDeployCommand(g *globals) *cobra.Command {
	var k kubeFlags
	var cf convertFlags
	var dryRun, build bool
	cmd := &cobra.Command{
		Use:   "deploy [OPTIONS]",
		Short: "Deploy the project to Kubernetes, waiting for each service's dependencies",
		Long: "Deploy converts the compose file as `berth convert` does and applies it with server-side apply\n" +
			"(field manager berth): a Job must complete, a Deployment must be rolled out and Ready, before\n" +
			"what depends on it is applied. --namespace names the Kubernetes namespace here.",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := g.loadForKube(cmd.Context())
			if err != nil {
				return err
			}
			if build {
				if err := buildAndPush(cmd.Context(), g, p, cf.o.Registry); err != nil {
					return err
				}
			}
			res, err := cf.convertProject(cmd, p)
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
	f.BoolVar(&build, "build", false, "Build the images of services with build: and push them (under --registry when they have no image:) first")
	return cmd
}

// buildAndPush builds the services that have build: with berth's builder and pushes
// them where the cluster pulls them from: their image:, or their name under registry.
func buildAndPush(ctx context.Context, g *globals, p *types.Project, registry string) error {
	var built []string
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Build == nil {
			continue
		}
		if s.Image == "" {
			if registry == "" {
				return usageError("--build: service %q has no image:, so give --registry to push it to", name)
			}
			s.Image = kube.BuiltImage(registry, p.Name, name)
			p.Services[name] = s
		}
		built = append(built, name)
	}
	if len(built) == 0 {
		return nil
	}
	e, done, err := g.engine()
	if err != nil {
		return err
	}
	defer done()
	if err := e.Build(ctx, p, compose.BuildOptions{Services: built}); err != nil {
		return err
	}
	return e.Push(ctx, p, compose.PushOptions{Services: built})
}
