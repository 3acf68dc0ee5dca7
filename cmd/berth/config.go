package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"berth.dev/berth/project"
)

// newConfigCommand prints the normalised model, as docker compose config does. It
// prints any valid file, also one with fields berth does not run.
func newConfigCommand(g *globals) *cobra.Command {
	var format, hash, output string
	var services, volumes, networks, profiles, images, quiet, noInterpolate, noNormalize bool
	cmd := &cobra.Command{
		Use:   "config [OPTIONS] [SERVICE...]",
		Short: "Parse, resolve and render compose file in canonical format",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := project.Load(cmd.Context(), project.Options{
				Files: g.files, Name: g.name, WorkingDir: g.projectDir, EnvFiles: g.envFiles, Profiles: g.profiles,
				Services: args, SkipSupportCheck: true, NoInterpolate: noInterpolate, NoNormalize: noNormalize,
			})
			if err != nil {
				return err
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
			case services:
				lines(p.ServiceNames())
			case volumes:
				lines(p.VolumeNames())
			case networks:
				lines(p.NetworkNames())
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
	return cmd
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
