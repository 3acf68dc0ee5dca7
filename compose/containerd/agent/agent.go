// Package agent is the body of berth's agent task: the DNS resolver, the health
// monitor, the restart limits, the running set the resolver answers for, the stdin
// given back to stdin_open containers, the proxy of ports on ::1 and the boot, side
// by side, until the task is stopped. It decides; compose/containerd, which it
// imports (never the other way), reads and changes containers and starts the task.
package agent

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"

	"golang.org/x/sync/errgroup"

	"berth.dev/berth/compose"
	"berth.dev/berth/compose/containerd"
	"berth.dev/berth/internal/health"
	"berth.dev/berth/internal/progress"
	"berth.dev/berth/network"
	"berth.dev/berth/network/resolver"
)

// Command is the argument that names the agent on its command line, the same for
// berth and for berth-agent: ARGV0 _agent --state-dir ... (see containerd.EnsureAgent).
const Command = "_agent"

// Runtime is what the agent's jobs ask of berth's runtime on containerd.
type Runtime interface {
	FollowEvents(ctx context.Context, what string, sync func(context.Context) error, handle func(compose.Event)) (func() error, error)
	RunningSet(ctx context.Context) (map[string]bool, error)
	HealthChecked(ctx context.Context) ([]string, error)
	HealthCheck(ctx context.Context, id string) (*health.Check, error)
	RunCheck(ctx context.Context, id string, check health.Check) (health.Result, error)
	Forget(id string)
	RestartCount(ctx context.Context, id string) (containerd.RestartCount, error)
	SetFailures(ctx context.Context, id string, failures int) error
	KeepStopped(ctx context.Context, id string) error
	Kill(ctx context.Context, id, sig string) error
	StartedWithoutStdin(ctx context.Context, id string) (string, bool)
	StartWithStdin(ctx context.Context, id string) error
}

var _ Runtime = (*containerd.Runtime)(nil)

// Main parses the agent's flags (the arguments after Command) and runs it until
// ctx ends.
func Main(ctx context.Context, args []string) error {
	var o resolver.Options
	var rt containerd.Options
	var upstreams string
	f := flag.NewFlagSet(Command, flag.ContinueOnError)
	f.StringVar(&o.StateDir, "state-dir", "", "berth's state directory")
	f.StringVar(&rt.RunDir, "run-dir", "", "berth's runtime directory")
	f.StringVar(&rt.Address, "address", "/run/containerd/containerd.sock", "containerd socket")
	f.StringVar(&rt.Namespace, "namespace", "berth", "containerd namespace")
	f.StringVar(&upstreams, "upstreams", "", "comma-separated upstream resolvers, ip:port")
	f.StringVar(&rt.LogDriver, "log-driver", "", "the log driver's binary as the host sees it")
	f.IntVar(&o.Port, "port", 53, "port to listen on")
	if err := f.Parse(args); err != nil {
		return err
	}
	if upstreams != "" {
		o.Upstreams = strings.Split(upstreams, ",")
	}
	rt.StateDir = o.StateDir
	runtime, err := containerd.New(rt)
	if err != nil {
		return err
	}
	defer runtime.Close()
	return Run(ctx, runtime, rt.Namespace, o)
}

// Run runs the agent's jobs on runtime, for containerd's namespace, until ctx ends
// or one of them fails.
func Run(ctx context.Context, runtime *containerd.Runtime, namespace string, o resolver.Options) error {
	g, ctx := errgroup.WithContext(ctx)
	var followRunning func() error
	var err error
	if o.Answerable, o.Changed, followRunning, err = TrackRunning(ctx, runtime); err != nil {
		return err
	}
	g.Go(followRunning)
	g.Go(func() error { return resolver.Run(ctx, o) })
	g.Go(func() error { return MonitorHealth(ctx, runtime, o.StateDir) })
	g.Go(func() error { return EnforceRestartLimits(ctx, runtime) })
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
	// Last: holding the agent socket tells berth's commands that all of the above
	// runs.
	serve, err := ServeSocket(ctx, namespace)
	if err != nil {
		return err
	}
	g.Go(serve)
	return g.Wait()
}
