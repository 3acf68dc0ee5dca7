package main

import (
	"github.com/spf13/cobra"
)

// convertOptions are convert's flags.
type convertOptions struct {
	convertFlags
	out, format string
}

// newConvertCommand writes the project as Kubernetes manifests: one stream on stdout,
// or one file per object in a directory. Warnings (what changes meaning on a cluster)
// go to stderr. It runs in berth-kube (kubeexec.go).
func newConvertCommand(g *globals) *cobra.Command {
	var o convertOptions
	cmd := &cobra.Command{
		Use:   "convert [OPTIONS]",
		Short: "Convert the compose file to Kubernetes manifests",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConvert(cmd, args, g, &o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "-", "Directory to write one file per object into, or - for stdout")
	f.StringVar(&o.format, "format", "yaml", "Format of stdout: yaml (a stream) or json (a v1 List)")
	o.convertFlags.register(cmd)
	return cmd
}
