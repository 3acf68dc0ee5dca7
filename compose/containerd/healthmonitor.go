package containerd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"sync"
	"syscall"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/errdefs"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/health"
)

// MonitorHealth runs the healthchecks of every container of berth's namespace that
// has one, while its task runs, and records each container's health in the state
// directory. It runs in berth's agent task, so health is tracked with no CLI running.
func (r *Runtime) MonitorHealth(ctx context.Context) error {
	var mu sync.Mutex
	checkers := map[string]context.CancelFunc{}
	stop := func(id string) {
		mu.Lock()
		defer mu.Unlock()
		if cancel, ok := checkers[id]; ok {
			cancel()
			delete(checkers, id)
		}
	}
	checked := func(id string) bool {
		mu.Lock()
		defer mu.Unlock()
		return checkers[id] != nil
	}
	start := func(id string, started time.Time) {
		stop(id)
		c, labels, err := r.load(ctx, id)
		if err != nil || labels[labelHealthcheck] == "" {
			return
		}
		var check health.Check
		if err := json.Unmarshal([]byte(labels[labelHealthcheck]), &check); err != nil {
			log.Printf("health: container %s: bad healthcheck label: %v", id, err)
			return
		}
		cctx, cancel := context.WithCancel(ctx)
		mu.Lock()
		checkers[id] = cancel
		mu.Unlock()
		go r.runChecks(cctx, c, check, started)
	}

	// resync checks every running container with a healthcheck, and no other: at the
	// agent's start, and after containerd restarted, when starts and exits came with
	// no event.
	resync := func(ctx context.Context) error {
		list, err := r.client.Containers(ctx, fmt.Sprintf("labels.%q", labelHealthcheck))
		if err != nil {
			return err
		}
		up := map[string]bool{}
		for _, c := range list {
			r.remember(c)
			if running(ctx, c) {
				up[c.ID()] = true
				if !checked(c.ID()) {
					// Its start period is over as far as anyone can tell.
					start(c.ID(), time.Time{})
				}
			}
		}
		mu.Lock()
		var gone []string
		for id := range checkers {
			if !up[id] {
				gone = append(gone, id)
			}
		}
		mu.Unlock()
		for _, id := range gone {
			stop(id)
		}
		return nil
	}
	follow, err := r.followEvents(ctx, "health", resync, func(ev compose.Event) {
		switch ev.Action {
		case "start":
			r.forget(ev.ContainerID) // labels may be new
			start(ev.ContainerID, ev.Time)
		case "die":
			stop(ev.ContainerID)
		case "destroy":
			stop(ev.ContainerID)
			r.forget(ev.ContainerID)
			_ = health.Remove(r.o.StateDir, ev.ContainerID)
		}
	})
	if err != nil {
		return err
	}
	return follow()
}

// runChecks checks one container until ctx ends, recording every result.
func (r *Runtime) runChecks(ctx context.Context, c ctrd.Container, check health.Check, started time.Time) {
	state := health.NewState(started)
	if err := health.Write(r.o.StateDir, c.ID(), state); err != nil {
		log.Printf("health: %s: %v", c.ID(), err)
	}
	for {
		timer := time.NewTimer(state.NextDelay(check, time.Now()))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		res := r.checkOnce(ctx, c, check)
		if ctx.Err() != nil {
			return
		}
		state = state.Record(check, res)
		if err := health.Write(r.o.StateDir, c.ID(), state); err != nil {
			log.Printf("health: %s: %v", c.ID(), err)
		}
	}
}

// lockedBuffer gathers a check's stdout and stderr, written from two goroutines. It
// keeps the first health.MaxOutput bytes, all that a result keeps, and drops the rest
// while still taking it: a check printing without end must not grow the agent, and
// must not see its writes fail either.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := health.MaxOutput - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// checkOnce runs the check's command in the container, within its timeout.
func (r *Runtime) checkOnce(ctx context.Context, c ctrd.Container, check health.Check) (res health.Result) {
	res = health.Result{Start: time.Now(), ExitCode: -1}
	defer func() { res.End = time.Now() }()
	args, err := check.Args()
	if err != nil {
		res.Output = err.Error()
		return res
	}
	spec, err := c.Spec(ctx)
	if err != nil {
		res.Output = err.Error()
		return res
	}
	task, err := c.Task(ctx, nil)
	if err != nil {
		res.Output = err.Error()
		return res
	}
	p := *spec.Process
	p.Args, p.Terminal = args, false
	var out lockedBuffer
	proc, err := task.Exec(ctx, "health-"+newID()[:12], &p, cio.NewCreator(cio.WithStreams(nil, &out, &out)))
	if err != nil {
		res.Output = err.Error()
		return res
	}
	defer proc.Delete(context.WithoutCancel(ctx), ctrd.WithProcessKill)
	exited, err := proc.Wait(ctx)
	if err != nil {
		res.Output = err.Error()
		return res
	}
	if err := proc.Start(ctx); err != nil {
		res.Output = err.Error()
		return res
	}
	select {
	case st := <-exited:
		proc.IO().Wait()
		res.ExitCode, res.Output = int(st.ExitCode()), out.String()
	case <-time.After(check.Timeout):
		if err := proc.Kill(ctx, syscall.SIGKILL); err != nil && !errdefs.IsNotFound(err) {
			log.Printf("health: %s: kill timed-out check: %v", c.ID(), err)
		}
		res.Output = fmt.Sprintf("health check exceeded timeout (%s)", check.Timeout)
	case <-ctx.Done():
	}
	return res
}
