package containerd

import (
	"context"
	"log"
	"strconv"

	ctrd "github.com/containerd/containerd/v2/client"

	"berth.dev/berth/compose"
	"berth.dev/berth/project"
)

// labelFailures counts the failed exits of an on-failure:N container since berth
// last started it.
const labelFailures = "berth.restart.failures"

// EnforceRestartLimits gives on-failure:N its maximum. containerd 1.6's restart
// monitor restarts an on-failure container after every failure and keeps no count,
// so berth's agent counts failed exits and, past N, tells the monitor to leave the
// container stopped; should the monitor have restarted it first, it is stopped again.
func (r *Runtime) EnforceRestartLimits(ctx context.Context) error {
	// Nothing to re-read after containerd restarted: the counts are in the labels.
	nothing := func(context.Context) error { return nil }
	follow, err := r.followEvents(ctx, "restart limits", nothing, func(ev compose.Event) {
		r.countFailure(ctx, ev)
		r.restoreStdin(ctx, ev)
	})
	if err != nil {
		return err
	}
	return follow()
}

// countFailure counts a failed exit of an on-failure:N container, and keeps it
// stopped past N.
func (r *Runtime) countFailure(ctx context.Context, ev compose.Event) {
	if ev.Action != "die" && ev.Action != "start" {
		return
	}
	r.forget(ev.ContainerID) // labels change under us
	c, labels, err := r.load(ctx, ev.ContainerID)
	if err != nil {
		return
	}
	policy, err := project.ParseRestart(labels[restartPolicy])
	if err != nil || policy.Policy != "on-failure" || policy.MaxRetries == 0 {
		return
	}
	failures, _ := strconv.Atoi(labels[labelFailures])
	if ev.Action == "die" && ev.ExitCode != 0 {
		failures++
		if _, err := c.SetLabels(ctx, map[string]string{labelFailures: strconv.Itoa(failures)}); err != nil {
			log.Printf("restart limit: %s: %v", ev.ContainerID, err)
		}
	}
	if failures > policy.MaxRetries && labels[restartStatus] != string(ctrd.Stopped) {
		if _, err := c.SetLabels(ctx, map[string]string{restartStatus: string(ctrd.Stopped)}); err != nil {
			log.Printf("restart limit: %s: %v", ev.ContainerID, err)
		}
		if ev.Action == "start" {
			if err := r.Kill(ctx, ev.ContainerID, "SIGKILL"); err != nil && err != compose.ErrNotRunning {
				log.Printf("restart limit: %s: %v", ev.ContainerID, err)
			}
		}
	}
}
