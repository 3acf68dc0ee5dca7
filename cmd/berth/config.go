package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/project"
)

// newConfigCommand prints the normalised model, as docker compose config does. It
// prints any valid file, also one with fields berth does not run.
func newConfigCommand(g *globals) *cobra.Command {
	var format, hash, output string
	var services, volumes, networks, profiles, images, quiet, noInterpolate, noNormalize bool
	var environment, variables, noPathResolution, noConsistency, noEnvResolution bool
	var models, resolveDigests, lockDigests bool
	cmd := &cobra.Command{
		Use:   "config [OPTIONS] [SERVICE...]",
		Short: "Parse, resolve and render compose file in canonical format",
		RunE: func(cmd *cobra.Command, args []string) error {
			o := project.Options{
				Files: g.files, Name: g.name, WorkingDir: g.projectDir, EnvFiles: g.envFiles, Profiles: g.profiles,
				Services: args, SkipSupportCheck: true, NoInterpolate: noInterpolate, NoNormalize: noNormalize,
				NoPathResolution: noPathResolution, NoConsistency: noConsistency, NoEnvResolution: noEnvResolution,
				Remote: g.remoteLoaders(),
			}
			if variables {
				return printVariables(cmd, o, format)
			}
			p, err := project.Load(cmd.Context(), o)
			if err != nil {
				return err
			}
			if !g.allResources {
				// As docker compose: the networks, volumes, secrets and configs no
				// service uses are left out, unless --all-resources.
				p = p.WithoutUnnecessaryResources()
			}
			if resolveDigests || lockDigests {
				if p, err = g.resolveImageDigests(cmd.Context(), p); err != nil {
					return err
				}
			}
			if lockDigests {
				p = lockFile(p)
			}
			if quiet {
				return nil
			}
			var out strings.Builder
			lines := func(xs []string) {
				for _, x := range xs {
					out.WriteString(x + "\n")
				}
			}
			switch {
			case environment:
				// The variables interpolation read, as docker compose prints them.
				lines(p.Environment.Values())
			case services:
				lines(p.ServiceNames())
			case volumes:
				lines(p.VolumeNames())
			case networks:
				lines(p.NetworkNames())
			case models:
				// As docker compose: each model's reference, here in the order of the keys.
				for _, key := range slices.Sorted(maps.Keys(p.Models)) {
					if m := p.Models[key].Model; m != "" {
						out.WriteString(m + "\n")
					}
				}
				if len(p.Models) > 0 {
					fmt.Fprintln(cmd.ErrOrStderr(), "berth: models are listed, not run: up refuses a file with models: (not supported yet)")
				}
			case profiles:
				seen := map[string]bool{}
				for _, s := range p.AllServices() {
					for _, pr := range s.Profiles {
						seen[pr] = true
					}
				}
				lines(sortedSet(seen))
			case images:
				for _, name := range p.ServiceNames() {
					out.WriteString(project.ImageName(p.Name, p.Services[name]) + "\n")
				}
			case hash != "":
				names := strings.Split(hash, ",")
				if hash == "*" {
					names = p.ServiceNames()
				}
				for _, name := range names {
					s, err := p.GetService(name)
					if err != nil {
						return fmt.Errorf("%w: no such service: %s", project.ErrInvalid, name)
					}
					h, err := project.ServiceHash(s)
					if err != nil {
						return err
					}
					fmt.Fprintf(&out, "%s %s\n", name, h)
				}
			default:
				var b []byte
				switch format {
				case "yaml", "":
					b, err = p.MarshalYAML()
				case "json":
					b, err = p.MarshalJSON()
				default:
					return usageError("--format %q: use yaml or json", format)
				}
				if err != nil {
					return err
				}
				if !noInterpolate {
					// Loading interpolated the file: a $ left in a value is a literal one
					// ($$ in the file) and is written back as $$, as docker compose
					// does, so the output loads again with the same meaning.
					b = bytes.ReplaceAll(b, []byte("$"), []byte("$$"))
				}
				out.Write(b)
			}
			var w io.Writer = cmd.OutOrStdout()
			if output != "" {
				return os.WriteFile(output, []byte(out.String()), 0o644)
			}
			_, err = io.WriteString(w, out.String())
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "yaml", "Format the output: yaml or json")
	f.BoolVar(&services, "services", false, "Print the service names, one per line")
	f.BoolVar(&volumes, "volumes", false, "Print the volume names, one per line")
	f.BoolVar(&networks, "networks", false, "Print the network names, one per line")
	f.BoolVar(&profiles, "profiles", false, "Print the profile names, one per line")
	f.BoolVar(&images, "images", false, "Print the image names, one per line")
	f.StringVar(&hash, "hash", "", `Print the service config hash (without the image digest berth's label adds), one per line: SERVICE[,SERVICE] or "*"`)
	f.BoolVarP(&quiet, "quiet", "q", false, "Only validate the configuration, don't print anything")
	f.BoolVar(&noInterpolate, "no-interpolate", false, "Don't interpolate environment variables")
	f.BoolVar(&noNormalize, "no-normalize", false, "Don't normalize compose model")
	f.StringVarP(&output, "output", "o", "", "Save to file (default to stdout)")
	f.BoolVar(&environment, "environment", false, "Print environment used for interpolation.")
	f.BoolVar(&variables, "variables", false, "Print model variables and default values.")
	f.BoolVar(&noPathResolution, "no-path-resolution", false, "Don't resolve file paths")
	f.BoolVar(&noConsistency, "no-consistency", false, "Don't check model consistency - warning: may produce invalid Compose output")
	f.BoolVar(&noEnvResolution, "no-env-resolution", false, "Don't resolve service env files")
	f.BoolVar(&models, "models", false, "Print the model names, one per line (berth lists them; up does not run models yet)")
	f.BoolVar(&resolveDigests, "resolve-image-digests", false, "Pin image tags to digests: berth's store's, else the registry's")
	f.BoolVar(&lockDigests, "lock-image-digests", false, "Produces an override file with image digests")
	return cmd
}

// resolveImageDigests pins the project's images to digests through berth's store and
// the registries it pulls from.
func (g *globals) resolveImageDigests(ctx context.Context, p *types.Project) (*types.Project, error) {
	e, done, err := g.engine()
	if err != nil {
		return nil, err
	}
	defer done()
	return e.ResolveImageDigests(ctx, p)
}

// lockFile is what config --lock-image-digests writes, as docker compose: an override
// file that keeps, per service, only its pinned image and its image volumes.
func lockFile(p *types.Project) *types.Project {
	services := types.Services{}
	for name, s := range p.Services {
		var locked types.ServiceConfig
		locked.Image = s.Image
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeImage {
				locked.Volumes = append(locked.Volumes, v)
			}
		}
		services[name] = locked
	}
	return &types.Project{Services: services}
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// printVariables is config --variables: each variable the files use, whether it is
// required, its default and its alternate value, as a table or JSON.
func printVariables(cmd *cobra.Command, o project.Options, format string) error {
	vars, err := project.Variables(cmd.Context(), o)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	out := cmd.OutOrStdout()
	if format == "json" {
		return json.NewEncoder(out).Encode(vars)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREQUIRED\tDEFAULT VALUE\tALTERNATE VALUE")
	for _, name := range names {
		v := vars[name]
		fmt.Fprintf(tw, "%s\t%t\t%s\t%s\n", name, v.Required, v.DefaultValue, v.PresenceValue)
	}
	return tw.Flush()
}
