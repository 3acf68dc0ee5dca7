package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/gpu"
)

func newRunCommand(g *globals) *cobra.Command {
	var o compose.RunOptions
	var stdio stdioFlags
	var entrypoint, gpus string
	var quiet bool
	cmd := projectVerb(g, "run [OPTIONS] SERVICE [COMMAND] [ARGS...]", "Run a one-off command on a service", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Service, o.Cmd = args[0], args[1:]
			if err := checkPullFlag(o.Pull); err != nil {
				return err
			}
			if cmd.Flags().Changed("gpus") {
				req, err := gpu.ParseFlag(gpus)
				if err != nil {
					return usageError("%v", err)
				}
				o.GPUs = []types.DeviceRequest{req}
			}
			if cmd.Flags().Changed("entrypoint") {
				ep := []string{}
				if entrypoint != "" {
					ep = []string{entrypoint}
				}
				o.Entrypoint = &ep
			}
			var err error
			if o.Stdio, err = stdio.stdio(cmd); err != nil {
				return err
			}
			o.TTY = o.TTY && !o.Detach // nothing to give a detached one-off's terminal to
			if err := orphanConflict(o.RemoveOrphans, orphanEnv(cmd, p, &o.RemoveOrphans)); err != nil {
				return err
			}
			code, err := e.Run(ctx, p, o)
			if err != nil {
				return err
			}
			if code != 0 {
				return exitError{code}
			}
			return nil
		})
	cmd.Args = cobra.MinimumNArgs(1)
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.BoolVarP(&o.Detach, "detach", "d", false, "Run container in background and print its name")
	f.BoolVar(&o.Rm, "rm", false, "Automatically remove the container when it exits")
	f.StringArrayVarP(&o.Env, "env", "e", nil, "Set environment variables")
	f.StringVar(&entrypoint, "entrypoint", "", "Override the entrypoint of the image")
	f.StringVarP(&o.User, "user", "u", "", "Run as specified username or uid")
	f.StringVarP(&o.WorkDir, "workdir", "w", "", "Working directory inside the container")
	stdio.add(cmd)
	f.StringVar(&o.Name, "name", "", "Assign a name to the container")
	f.BoolVar(&o.NoDeps, "no-deps", false, "Don't start linked services")
	f.BoolVarP(&o.ServicePorts, "service-ports", "P", false, "Run command with the service's ports published to the host")
	f.StringArrayVarP(&o.Publish, "publish", "p", nil, "Publish a container's port(s) to the host")
	f.StringArrayVarP(&o.Volumes, "volume", "v", nil, "Bind mount a volume")
	f.StringVar(&o.Pull, "pull", "policy", `Pull image before running ("always"|"missing"|"never"|"policy")`)
	f.BoolVar(&o.Build, "build", false, "Build image before starting container")
	f.StringVar(&gpus, "gpus", "", `GPUs to give the container, as docker run takes them: all, a count, or '"device=0,1"'`)
	f.StringArrayVar(&o.EnvFiles, "env-from-file", nil, "Set environment variables from file")
	f.StringArrayVar(&o.CapAdd, "cap-add", nil, "Add Linux capabilities")
	f.StringArrayVar(&o.CapDrop, "cap-drop", nil, "Drop Linux capabilities")
	f.StringArrayVarP(&o.Labels, "label", "l", nil, "Add or override a label")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.BoolVar(&o.QuietPull, "quiet-pull", false, "Pull without printing progress information")
	f.BoolVar(&o.QuietBuild, "quiet-build", false, "Suppress progress output from the build process")
	f.BoolVarP(&quiet, "quiet", "q", false, "Don't print anything to STDOUT")
	f.BoolVar(&o.UseAliases, "use-aliases", false, "Use the service's network aliases in the network(s) the container connects to")
	cmd.PreRun = func(*cobra.Command, []string) {
		if quiet { // no progress of pulls, builds or creation
			g.progress = "quiet"
		}
	}
	return cmd
}
