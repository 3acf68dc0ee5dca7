package main

import (
	"log"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"golang.org/x/sync/errgroup"

	"berth.dev/berth/compose"
	berthctr "berth.dev/berth/compose/containerd"
	"berth.dev/berth/internal/logdriver"
	"berth.dev/berth/internal/progress"
	"berth.dev/berth/network"
	"berth.dev/berth/network/resolver"
)

// newLogDriverCommand is the binary log driver containerd's shim starts for each
// container task: berth _logdriver <log file>.
func newLogDriverCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "_logdriver LOGFILE",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return logdriver.Serve(cmd.Context(), args[0])
		},
	}
}

// newAgentCommand is the body of berth's agent task: the DNS resolver, the
// healthcheck monitor, the restart limits and the proxy of ports on ::1, side by side.
func newAgentCommand() *cobra.Command {
	var o resolver.Options
	var rt berthctr.Options
	var upstreams string
	cmd := &cobra.Command{
		Use:    "_agent",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if upstreams != "" {
				o.Upstreams = strings.Split(upstreams, ",")
			}
			rt.StateDir = o.StateDir
			runtime, err := berthctr.New(rt)
			if err != nil {
				return err
			}
			defer runtime.Close()
			g, ctx := errgroup.WithContext(cmd.Context())
			var followRunning func() error
			if o.Answerable, o.Changed, followRunning, err = runtime.TrackRunning(ctx); err != nil {
				return err
			}
			g.Go(followRunning)
			g.Go(func() error { return resolver.Run(ctx, o) })
			g.Go(func() error { return runtime.MonitorHealth(ctx) })
			g.Go(func() error { return runtime.EnforceRestartLimits(ctx) })
			g.Go(func() error { return network.ProxyIPv6Loopback(ctx, o.StateDir, log.Printf) })
			// At boot (and at every start of the agent), what should run comes back.
			g.Go(func() error {
				plain, _ := progress.New("plain", os.Stderr, false)
				boot := &compose.Engine{Runtime: runtime, Progress: plain, Out: os.Stderr, Err: os.Stderr}
				if err := boot.Boot(ctx); err != nil {
					log.Printf("boot: %v", err)
				}
				return nil
			})
			// Last: holding the agent socket tells berth's commands that all of the
			// above runs.
			serve, err := berthctr.ServeAgentSocket(ctx, rt.Namespace)
			if err != nil {
				return err
			}
			g.Go(serve)
			return g.Wait()
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.StateDir, "state-dir", "", "berth's state directory")
	f.StringVar(&rt.RunDir, "run-dir", "", "berth's runtime directory")
	f.StringVar(&rt.Address, "address", "/run/containerd/containerd.sock", "containerd socket")
	f.StringVar(&rt.Namespace, "namespace", "berth", "containerd namespace")
	f.StringVar(&upstreams, "upstreams", "", "comma-separated upstream resolvers, ip:port")
	f.StringVar(&rt.Binary, "binary", "", "berth's binary as the host sees it")
	f.IntVar(&o.Port, "port", 53, "port to listen on")
	return cmd
}
