// berth-agent is berth's agent alone (compose/containerd/agent): the containerd
// task berth starts per namespace runs it (`berth-agent _agent --state-dir ...`),
// so it carries no CLI, no BuildKit client and no Kubernetes client. The berth CLI
// answers the same command line, and stands in where this binary is not beside it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/containerd/log"

	"berth.dev/berth/compose/containerd/agent"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != agent.Command {
		fmt.Fprintf(os.Stderr, "usage: %s %s --state-dir DIR ... (started by berth as its agent task)\n", os.Args[0], agent.Command)
		os.Exit(2)
	}
	// containerd's client logs at info level; the agent's own lines say what matters.
	_ = log.SetLevel("warn")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := agent.Main(ctx, os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "berth-agent:", err)
		os.Exit(1)
	}
}
