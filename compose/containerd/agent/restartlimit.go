package agent

import (
	"context"
	"log"

	"berth.dev/berth/compose"
)

// EnforceRestartLimits gives on-failure:N its maximum, and a stdin back to a
// stdin_open container containerd's restart monitor brought back. containerd's
// restart monitor restarts an on-failure container after every failure and keeps no
// count, so the agent counts failed exits and, past N, tells the monitor to leave
// the container stopped; should the monitor have restarted it first, it is stopped
// again.
func EnforceRestartLimits(ctx context.Context, rt Runtime) error {
	// Nothing to re-read after containerd restarted: the counts are in the labels.
	nothing := func(context.Context) error { return nil }
	follow, err := rt.FollowEvents(ctx, "restart limits", nothing, func(ev compose.Event) {
		countFailure(ctx, rt, ev)
		restoreStdin(ctx, rt, ev)
	})
	if err != nil {
		return err
	}
	return follow()
}

// countFailure counts a failed exit of an on-failure:N container, and keeps it
// stopped past N.
func countFailure(ctx context.Context, rt Runtime, ev compose.Event) {
	if ev.Action != "die" && ev.Action != "start" {
		return
	}
	count, err := rt.RestartCount(ctx, ev.ContainerID)
	if err != nil || count.Policy.Policy != "on-failure" || count.Policy.MaxRetries == 0 {
		return
	}
	if ev.Action == "die" && ev.ExitCode != 0 {
		count.Failures++
		if err := rt.SetFailures(ctx, ev.ContainerID, count.Failures); err != nil {
			log.Printf("restart limit: %s: %v", ev.ContainerID, err)
		}
	}
	if count.Failures > count.Policy.MaxRetries && !count.Stopped {
		if err := rt.KeepStopped(ctx, ev.ContainerID); err != nil {
			log.Printf("restart limit: %s: %v", ev.ContainerID, err)
		}
		if ev.Action == "start" {
			if err := rt.Kill(ctx, ev.ContainerID, "SIGKILL"); err != nil && err != compose.ErrNotRunning {
				log.Printf("restart limit: %s: %v", ev.ContainerID, err)
			}
		}
	}
}

// restoreStdin gives a stdin back to a stdin_open container that containerd's
// restart monitor brought back: the monitor starts a task with the log URI alone,
// so its process reads an empty stdin (a cat ends at once) and attach has nothing
// to write to. Seeing that task start, the agent starts it again with berth's IO,
// as dockerd restarts a container with its stdin open.
func restoreStdin(ctx context.Context, rt Runtime, ev compose.Event) {
	if ev.Action != "start" {
		return
	}
	name, ok := rt.StartedWithoutStdin(ctx, ev.ContainerID)
	if !ok {
		return
	}
	log.Printf("%s: restarted by its restart policy without a stdin; starting it again with one", name)
	if err := rt.StartWithStdin(ctx, ev.ContainerID); err != nil {
		log.Printf("%s: %v", name, err)
	}
}
