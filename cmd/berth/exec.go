package main

import (
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newExecCommand(g *globals) *cobra.Command {
	var o compose.ExecOptions
	var stdio stdioFlags
	cmd := &cobra.Command{
		Use:   "exec [OPTIONS] SERVICE COMMAND [ARGS...]",
		Short: "Execute a command in a running container",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Service, o.Cmd = args[0], args[1:]
			var err error
			if o.Stdio, err = stdio.stdio(cmd); err != nil {
				return err
			}
			return g.withEngine(cmd.Context(), false, func(e *compose.Engine, p *types.Project) error {
				code, err := e.Exec(cmd.Context(), p, o)
				if err != nil {
					return err
				}
				if code != 0 {
					return exitError{code}
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false)
	stdio.add(cmd)
	f.StringArrayVarP(&o.Env, "env", "e", nil, "Set environment variables")
	f.StringVarP(&o.WorkDir, "workdir", "w", "", "Working directory inside the container")
	f.StringVarP(&o.User, "user", "u", "", "Run the command as this user")
	f.IntVar(&o.Index, "index", 0, "Index of the container if the service has several replicas")
	f.BoolVarP(&o.Detach, "detach", "d", false, "Detached mode: Run command in the background")
	f.BoolVar(&o.Privileged, "privileged", false, "Give extended privileges to the process")
	return cmd
}
