package main

import (
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func newVersionCommand() *cobra.Command {
	var format string
	var short bool
	cmd := &cobra.Command{
		Use:   "version [OPTIONS]",
		Short: "Show the berth version information",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := buildVersion()
			out := cmd.OutOrStdout()
			switch {
			case short:
				fmt.Fprintln(out, strings.TrimPrefix(v, "v"))
			case format == "json":
				b, err := json.Marshal(struct {
					Version string `json:"version"`
				}{v})
				if err != nil {
					return err
				}
				fmt.Fprintln(out, string(b))
			case format == "" || format == "pretty":
				fmt.Fprintf(out, "berth version %s\n", v)
			default:
				return usageError("version --format %q: use pretty or json", format)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "Format the output. Values: [pretty | json]. (Default: pretty)")
	cmd.Flags().BoolVar(&short, "short", false, "Shows only berth's version number")
	return cmd
}

// buildVersion is the version set at build time, else the commit it was built from.
func buildVersion() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v = "dev-" + s.Value[:12]
			}
		}
	}
	return v
}
