package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newBuildCommand(g *globals) *cobra.Command {
	var o compose.BuildOptions
	var ssh, builderName, memory string
	cmd := projectVerb(g, "build [OPTIONS] [SERVICE...]", "Build or rebuild services", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Services = args
			if cmd.Flags().Changed("ssh") {
				key, err := parseBuildSSH(ssh)
				if err != nil {
					return err
				}
				o.SSH = []types.SSHKey{key}
			}
			return e.Build(ctx, p, o)
		})
	f := cmd.Flags()
	f.BoolVar(&o.NoCache, "no-cache", false, "Do not use cache when building the image")
	f.BoolVar(&o.Pull, "pull", false, "Always attempt to pull a newer version of the image")
	f.StringArrayVar(&o.Args, "build-arg", nil, "Set build-time variables for services")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Don't print anything to STDOUT")
	f.BoolVar(&o.WithDependencies, "with-dependencies", false, "Also build dependencies (transitively)")
	f.BoolVar(&o.Push, "push", false, "Push service images")
	f.StringVar(&ssh, "ssh", "", "Set SSH authentications used when building service images (use 'default' for your default SSH agent, or ID=PATH)")
	f.BoolVar(&o.Check, "check", false, "Check build configuration: run the Dockerfile checks, build nothing")
	f.BoolVar(&o.Print, "print", false, "Print the equivalent bake file, build nothing")
	f.StringVar(&o.Provenance, "provenance", "", "Add a provenance attestation (true, false, or its attributes, e.g. mode=max)")
	f.StringVar(&o.SBOM, "sbom", "", "Add a SBOM attestation (true, false, or its attributes)")
	f.StringVar(&builderName, "builder", "", "Set builder to use (berth builds with its own BuildKit)")
	f.StringVarP(&memory, "memory", "m", "", "Set memory limit for the build container (not supported by BuildKit)")
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		// buildx builders and the classic builder's memory limit have no place in
		// berth's BuildKit: accepted, as docker compose accepts --memory, and said.
		if builderName != "" {
			fmt.Fprintf(os.Stderr, "build --builder %s: ignored, berth builds with its own BuildKit (BUILDKIT_HOST chooses another buildkitd)\n", builderName)
		}
		if memory != "" {
			if _, err := units.RAMInBytes(memory); err != nil {
				return usageError("build --memory %q: %v", memory, err)
			}
			fmt.Fprintln(os.Stderr, "build --memory: ignored, BuildKit sets no memory limit on build steps")
		}
		if o.Check && o.Push {
			return usageError("build: --check builds no image to --push")
		}
		return nil
	}
	return cmd
}

// parseBuildSSH reads build --ssh as docker compose does: "default" (the SSH agent),
// or ID=PATH, a key or socket on this host.
func parseBuildSSH(value string) (types.SSHKey, error) {
	if value == "" {
		value = "default"
	}
	id, path, ok := strings.Cut(value, "=")
	if !ok {
		if id != "default" {
			return types.SSHKey{}, usageError("build --ssh %q: use default or ID=PATH", value)
		}
		return types.SSHKey{ID: id}, nil
	}
	if id == "" || path == "" {
		return types.SSHKey{}, usageError("build --ssh %q: use default or ID=PATH", value)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return types.SSHKey{}, err
	}
	return types.SSHKey{ID: id, Path: abs}, nil
}
