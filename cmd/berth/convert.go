package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"berth.dev/berth/kube"
	"berth.dev/berth/project"
)

// newConvertCommand writes the project as Kubernetes manifests: one stream on stdout,
// or one file per object in a directory. Warnings (what changes meaning on a cluster)
// go to stderr.
func newConvertCommand(g *globals) *cobra.Command {
	var out, format, expose string
	var o kube.Options
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
			p, err := project.Load(cmd.Context(), project.Options{
				Files: g.files, Name: g.name, WorkingDir: g.projectDir, EnvFiles: g.envFiles, Profiles: g.profiles,
				SkipSupportCheck: true, // the Kubernetes column of the field table decides instead
			})
			if err != nil {
				return err
			}
			o.Expose = kube.Expose(expose)
			res, err := kube.Convert(p, o)
			if err != nil {
				return err
			}
			for _, w := range res.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
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
			return writeManifests(out, res.Objects)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "-", "Directory to write one file per object into, or - for stdout")
	f.StringVar(&format, "format", "yaml", "Format of stdout: yaml (a stream) or json (a v1 List)")
	f.StringVar(&expose, "expose", "", "Publish published ports outside the cluster: nodeport or loadbalancer")
	f.StringVar(&o.Registry, "registry", "", "Registry prefix for the images of services that have build: and no image:")
	f.StringVar(&o.VolumeSize, "volume-size", "1Gi", "Size of a volume's claim when the volume has no x-berth-size")
	f.BoolVar(&o.Liveness, "liveness", false, "Also use healthchecks as liveness probes (restart a container that turns unhealthy)")
	return cmd
}

// writeManifests writes one file per object; it writes into a fresh or existing
// directory and replaces only the files of these objects.
func writeManifests(dir string, objs []kube.Object) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, obj := range objs {
		b, err := kube.YAML([]kube.Object{obj})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, kube.FileName(obj)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
