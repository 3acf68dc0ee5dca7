package main

import (
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"strconv"
	"strings"

	"berth.dev/berth/compose"
)

func newUpCommand(g *globals) *cobra.Command {
	var o compose.UpOptions
	var timeout timeoutFlag
	var scale []string
	cmd := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.Force = g.force
			o.Timeout = timeout.value(cmd)
			var err error
			if o.Scale, err = parseScale(scale); err != nil {
				return err
			}
			if err := checkConflicts(cmd, upConflicts); err != nil {
				return err
			}
			return g.withEngine(cmd.Context(), false, func(e *compose.Engine, p *types.Project) error {
				err := e.Up(cmd.Context(), p, o)
				if cancelled(err) && !o.Detach {
					return nil
				}
				return err
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Detach, "detach", "d", false, "Run containers in the background")
	f.BoolVar(&o.ForceRecreate, "force-recreate", false, "Recreate containers even if their configuration has not changed")
	f.BoolVar(&o.NoRecreate, "no-recreate", false, "Keep existing containers even if their configuration changed")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers of services not in the compose file")
	f.BoolVar(&o.NoColor, "no-color", false, "Monochrome output")
	f.BoolVar(&o.NoDeps, "no-deps", false, "Don't start linked services")
	f.BoolVar(&o.NoStart, "no-start", false, "Don't start the services after creating them")
	f.StringArrayVar(&scale, "scale", nil, "Scale SERVICE to NUM instances; overrides the scale setting in the file")
	timeout.add(cmd)
	return cmd
}

// upConflicts is the table of flags of `up` that exclude each other.
var upConflicts = [][2]string{
	{"force-recreate", "no-recreate"},
	{"detach", "no-start"},
}

// parseScale reads --scale SERVICE=NUM flags.
func parseScale(flags []string) (map[string]int, error) {
	out := map[string]int{}
	for _, f := range flags {
		name, num, ok := strings.Cut(f, "=")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || name == "" {
			return nil, usageError("--scale %q: want SERVICE=NUM", f)
		}
		out[name] = n
	}
	return out, nil
}
