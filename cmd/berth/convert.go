package main

import (
	"github.com/spf13/cobra"

	"berth.dev/berth/kube"
)

// newConvertCommand writes the project as Kubernetes manifests: one stream on stdout,
// or one file per object in a directory. Warnings (what changes meaning on a cluster)
// go to stderr.
func newConvertCommand(g *globals) *cobra.Command {
	var out, format string
	var cf convertFlags
	cmd := &cobra.Command{
		Use:   "convert [OPTIONS]",
		Short: "Convert the compose file to Kubernetes manifests",
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "yaml" && format != "json" {
				return usageError("--format %q: use yaml or json", format)
			}
			if out != "-" && format == "json" {
				return usageError("--format json writes one List to stdout: use -o -")
			}
			_, res, err := cf.convert(cmd, g)
			if err != nil {
				return err
			}
			if out == "-" {
				write := kube.YAML
				if format == "json" {
					write = kube.JSON
				}
				b, err := write(res.Objects)
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			return kube.WriteDir(out, res.Objects)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "-", "Directory to write one file per object into, or - for stdout")
	f.StringVar(&format, "format", "yaml", "Format of stdout: yaml (a stream) or json (a v1 List)")
	cf.register(cmd)
	return cmd
}
