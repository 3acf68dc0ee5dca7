package main

import (
	"time"

	"github.com/spf13/cobra"
)

// convertFlags are the choices convert and deploy take for what the file cannot say.
// They are plain values: the berth binary declares them (for --help and its parity
// with docker compose) without linking the kube package that reads them.
type convertFlags struct {
	expose     string
	registry   string
	volumeSize string
	liveness   bool
}

func (c *convertFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.expose, "expose", "", "Publish published ports outside the cluster: nodeport, loadbalancer or ingress (HTTP, at the service's x-berth-ingress-host)")
	f.StringVar(&c.registry, "registry", "", "Registry prefix for the images of services that have build: and no image:")
	f.StringVar(&c.volumeSize, "volume-size", "1Gi", "Size of a volume's claim when the volume has no x-berth-size")
	f.BoolVar(&c.liveness, "liveness", false, "Also use healthchecks as liveness probes (restart a container that turns unhealthy)")
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
