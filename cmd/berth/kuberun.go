//go:build kube

// The Kubernetes verbs as berth-kube runs them: `go build -tags kube` (make build)
// links client-go and kube/ here; berth itself forwards these verbs (kubeexec.go).

package main

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"berth.dev/berth/compose"
	"berth.dev/berth/kube"
	"berth.dev/berth/project"
)

func runConvert(cmd *cobra.Command, _ []string, g *globals, o *convertOptions) error {
	if o.format != "yaml" && o.format != "json" {
		return usageError("--format %q: use yaml or json", o.format)
	}
	if o.out != "-" && o.format == "json" {
		return usageError("--format json writes one List to stdout: use -o -")
	}
	p, err := g.loadForKube(cmd.Context())
	if err != nil {
		return err
	}
	res, err := o.convertProject(cmd, p)
	if err != nil {
		return err
	}
	if o.out != "-" {
		return kube.WriteDir(o.out, res.Objects)
	}
	write := kube.YAML
	if o.format == "json" {
		write = kube.JSON
	}
	b, err := write(res.Objects)
	if err != nil {
		return err
	}
	_, err = cmd.OutOrStdout().Write(b)
	return err
}

func runDeploy(cmd *cobra.Command, _ []string, g *globals, o *deployOptions) error {
	p, err := g.loadForKube(cmd.Context())
	if err != nil {
		return err
	}
	if o.build {
		if err := buildAndPush(cmd.Context(), g, p, o.registry); err != nil {
			return err
		}
	}
	res, err := o.convertProject(cmd, p)
	if err != nil {
		return err
	}
	d, err := o.deployer(cmd, g)
	if err != nil {
		return err
	}
	if o.dryRun {
		d.DryRun = true
		return d.Apply(cmd.Context(), res.Objects)
	}
	return d.Deploy(cmd.Context(), p, res.Objects)
}

func runUndeploy(cmd *cobra.Command, _ []string, g *globals, o *undeployOptions) error {
	p, err := g.loadForKube(cmd.Context())
	if err != nil {
		return err
	}
	d, err := o.deployer(cmd, g)
	if err != nil {
		return err
	}
	return d.Undeploy(cmd.Context(), p.Name, o.volumes)
}

// loadForKube loads the project for convert, deploy and undeploy: the Kubernetes
// column of the field tables decides what is refused, not up's.
func (g *globals) loadForKube(ctx context.Context) (*types.Project, error) {
	return project.Load(ctx, project.Options{
		Files: g.files, Name: g.name, WorkingDir: g.projectDir, EnvFiles: g.envFiles, Profiles: g.profiles,
		SkipSupportCheck: true,
	})
}

// convertProject converts the project, printing the warnings to stderr.
func (c *convertFlags) convertProject(cmd *cobra.Command, p *types.Project) (*kube.Result, error) {
	res, err := kube.Convert(p, kube.Options{
		Expose: kube.Expose(c.expose), Registry: c.registry, VolumeSize: c.volumeSize, Liveness: c.liveness,
	})
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	return res, nil
}

// deployer connects to the cluster. --namespace, given to deploy or undeploy, names
// the Kubernetes namespace (for the other verbs it is containerd's).
func (k *kubeFlags) deployer(cmd *cobra.Command, g *globals) (*kube.Deployer, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = k.kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: k.context}
	if cmd.Flags().Changed("namespace") {
		overrides.Context.Namespace = g.namespace
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, err
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	typed, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	pw, err := g.progressWriter()
	if err != nil {
		return nil, err
	}
	return &kube.Deployer{Applier: kube.Applier{Client: dyn, Namespace: ns}, Typed: typed, Progress: pw, Timeout: k.timeout}, nil
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
