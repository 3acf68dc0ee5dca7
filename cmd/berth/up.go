package main

import (
	"fmt"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"os"
	"strconv"
	"strings"
	"time"

	"berth.dev/berth/compose"
)

func newUpCommand(g *globals) *cobra.Command {
	var o compose.UpOptions
	var timeout timeoutFlag
	var scale []string
	var waitTimeout int
	var watch, menu bool
	cmd := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.Force = g.force
			o.DryRun = g.dryRun
			o.NoColor = o.NoColor || !g.colour()
			o.Timeout = timeout.value(cmd)
			o.WaitTimeout = time.Duration(waitTimeout) * time.Second
			if err := checkPullFlag(o.Pull); err != nil {
				return err
			}
			if o.ExitCodeFrom != "" {
				o.AbortOnExit = true
			}
			var err error
			if o.Scale, err = parseScale(scale); err != nil {
				return err
			}
			if err := checkConflicts(cmd, upConflicts); err != nil {
				return err
			}
			return g.withEngine(cmd.Context(), false, func(e *compose.Engine, p *types.Project) error {
				o.IgnoreOrphans = orphanEnv(cmd, p, &o.RemoveOrphans)
				if err := orphanConflict(o.RemoveOrphans, o.IgnoreOrphans); err != nil {
					return err
				}
				o.AllResources = g.allResources
				if note := menuNote(cmd, menu, !o.Detach && !o.Wait); note != "" {
					fmt.Fprintln(os.Stderr, note)
				}
				if watch {
					// The watch rules are checked before anything starts.
					if err := compose.CheckWatch(p, o.Services); err != nil {
						return err
					}
					o.Watch = &compose.WatchOptions{Services: o.Services, Prune: true, NoUp: true}
				}
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
	f.BoolVar(&o.AbortOnExit, "abort-on-container-exit", false, "Stops all containers if any container was stopped")
	f.BoolVar(&o.AbortOnFailure, "abort-on-container-failure", false, "Stops all containers if any container exited with failure")
	f.StringVar(&o.ExitCodeFrom, "exit-code-from", "", "Return the exit code of the selected service container (implies --abort-on-container-exit)")
	f.BoolVar(&o.Timestamps, "timestamps", false, "Show timestamps")
	f.StringArrayVar(&o.Attach, "attach", nil, "Restrict attaching to the specified services")
	f.StringArrayVar(&o.NoAttach, "no-attach", nil, "Do not attach (stream logs) to the specified services")
	f.BoolVar(&o.Build.Always, "build", false, "Build images before starting containers")
	f.BoolVar(&o.Build.Never, "no-build", false, "Don't build an image, even if it's policy")
	f.BoolVar(&o.QuietPull, "quiet-pull", false, "Pull without printing progress information")
	f.StringVar(&o.Pull, "pull", "policy", `Pull image before running ("always"|"missing"|"never"|"policy")`)
	f.BoolVar(&o.AlwaysRecreateDeps, "always-recreate-deps", false, "Recreate dependent containers. Incompatible with --no-recreate")
	f.BoolVarP(&o.RenewAnonVolumes, "renew-anon-volumes", "V", false, "Recreate anonymous volumes instead of retrieving data from the previous containers")
	f.BoolVar(&o.Wait, "wait", false, "Wait for services to be running|healthy (implies detached mode)")
	f.IntVar(&waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	f.BoolVarP(&watch, "watch", "w", false, "Watch source code and rebuild/refresh containers when files are updated.")
	f.BoolVar(&o.NoStart, "no-start", false, "Don't start the services after creating them")
	f.StringArrayVar(&scale, "scale", nil, "Scale SERVICE to NUM instances; overrides the scale setting in the file")
	f.BoolVar(&o.NoLogPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.BoolVar(&o.AttachDependencies, "attach-dependencies", false, "Automatically attach to log output of dependent services")
	f.BoolVar(&o.QuietBuild, "quiet-build", false, "Suppress the build output")
	f.BoolVar(&menu, "menu", false, "Enable interactive shortcuts when running attached (berth has none: it says so). Also COMPOSE_MENU")
	assumeYes(f)
	timeout.add(cmd)
	return cmd
}

// upConflicts is the table of flags of `up` that exclude each other.
var upConflicts = [][2]string{
	{"force-recreate", "no-recreate"},
	{"detach", "no-start"},
	{"detach", "abort-on-container-exit"},
	{"detach", "abort-on-container-failure"},
	{"detach", "exit-code-from"},
	{"detach", "watch"},
	{"wait", "watch"},
	{"wait", "abort-on-container-exit"},
	{"wait", "abort-on-container-failure"},
	{"wait", "exit-code-from"},
	{"abort-on-container-exit", "abort-on-container-failure"},
	{"always-recreate-deps", "no-recreate"},
	{"attach", "no-attach"},
	{"build", "no-build"},
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
