package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newRmCommand(g *globals) *cobra.Command {
	var o compose.RmOptions
	var force bool
	var timeout timeoutFlag
	cmd := projectVerb(g, "rm [OPTIONS] [SERVICE...]", "Removes stopped service containers", true,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Services, o.Timeout = args, timeout.value(cmd)
			if !force {
				o.Confirm = confirmRemoval
			}
			return e.Rm(ctx, p, o)
		})
	f := cmd.Flags()
	f.BoolVarP(&force, "force", "f", false, "Don't ask to confirm removal")
	f.BoolVarP(&o.Stop, "stop", "s", false, "Stop the containers, if required, before removing")
	f.BoolVarP(&o.Volumes, "volumes", "v", false, "Remove any anonymous volumes attached to containers")
	timeout.add(cmd)
	return cmd
}

// confirmRemoval asks as docker compose does; no answer (end of input) is no.
func confirmRemoval(names []string) bool {
	fmt.Fprintf(os.Stderr, "Going to remove %s\n? Are you sure? [yN] ", strings.Join(names, ", "))
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}
