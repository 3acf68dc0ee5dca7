package main

import (
	"context"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"berth.dev/berth/kube"
	"berth.dev/berth/project"
)

// loadForKube loads the project for convert, deploy and undeploy: the Kubernetes
// column of the field tables decides what is refused, not up's.
func (g *globals) loadForKube(ctx context.Context) (*types.Project, error) {
	return project.Load(ctx, project.Options{
		Files: g.files, Name: g.name, WorkingDir: g.projectDir, EnvFiles: g.envFiles, Profiles: g.profiles,
		SkipSupportCheck: true,
	})
}

// convertFlags are the choices convert and deploy take for what the file cannot say.
type convertFlags struct {
	o      kube.Options
	expose string
}

func (c *convertFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.expose, "expose", "", "Publish published ports outside the cluster: nodeport, loadbalancer or ingress (HTTP, at the service's x-berth-ingress-host)")
	f.StringVar(&c.o.Registry, "registry", "", "Registry prefix for the images of services that have build: and no image:")
	f.StringVar(&c.o.VolumeSize, "volume-size", "1Gi", "Size of a volume's claim when the volume has no x-berth-size")
	f.BoolVar(&c.o.Liveness, "liveness", false, "Also use healthchecks as liveness probes (restart a container that turns unhealthy)")
}

// convert loads and converts the project, printing the warnings to stderr.
func (c *convertFlags) convert(cmd *cobra.Command, g *globals) (*types.Project, *kube.Result, error) {
	p, err := g.loadForKube(cmd.Context())
	if err != nil {
		return nil, nil, err
	}
	res, err := c.convertProject(cmd, p)
	return p, res, err
}

func (c *convertFlags) convertProject(cmd *cobra.Command, p *types.Project) (*kube.Result, error) {
	c.o.Expose = kube.Expose(c.expose)
	res, err := kube.Convert(p, c.o)
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	return res, nil
}

// kubeFlags are the kubeconfig conventions deploy and undeploy share: KUBECONFIG (or
// ~/.kube/config), --context, and the namespace from --namespace or the context.
type kubeFlags struct {
	context    string
	kubeconfig string
	timeout    time.Duration
}

func (k *kubeFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&k.context, "context", "", "kubeconfig context to use (default: the current context)")
	f.StringVar(&k.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	f.DurationVar(&k.timeout, "timeout", 5*time.Minute, "How long one service may take to complete or get Ready")
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
