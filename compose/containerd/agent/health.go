package agent

import (
	"context"
	"log"
	"sync"
	"time"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/health"
)

// MonitorHealth runs the healthchecks of every container of berth's namespace that
// has one, while its task runs, and records each container's health in the state
// directory, so health is tracked with no CLI running.
func MonitorHealth(ctx context.Context, rt Runtime, stateDir string) error {
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
		check, err := rt.HealthCheck(ctx, id)
		if err != nil {
			log.Printf("health: %v", err)
		}
		if check == nil {
			return
		}
		cctx, cancel := context.WithCancel(ctx)
		mu.Lock()
		checkers[id] = cancel
		mu.Unlock()
		go runChecks(cctx, rt, stateDir, id, *check, started)
	}

	// resync checks every running container with a healthcheck, and no other: at the
	// agent's start, and after containerd restarted, when starts and exits came with
	// no event.
	resync := func(ctx context.Context) error {
		list, err := rt.HealthChecked(ctx)
		if err != nil {
			return err
		}
		up := map[string]bool{}
		for _, id := range list {
			up[id] = true
			if !checked(id) {
				// Its start period is over as far as anyone can tell.
				start(id, time.Time{})
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
	follow, err := rt.FollowEvents(ctx, "health", resync, func(ev compose.Event) {
		switch ev.Action {
		case "start":
			start(ev.ContainerID, ev.Time)
		case "die":
			stop(ev.ContainerID)
		case "destroy":
			stop(ev.ContainerID)
			rt.Forget(ev.ContainerID)
			_ = health.Remove(stateDir, ev.ContainerID)
		}
	})
	if err != nil {
		return err
	}
	return follow()
}

// runChecks checks one container until ctx ends, recording every result.
func runChecks(ctx context.Context, rt Runtime, stateDir, id string, check health.Check, started time.Time) {
	state := health.NewState(started)
	if err := health.Write(stateDir, id, state); err != nil {
		log.Printf("health: %s: %v", id, err)
	}
	for {
		timer := time.NewTimer(state.NextDelay(check, time.Now()))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		res, err := rt.RunCheck(ctx, id, check)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// containerd did not answer (it restarts): no result, try again later.
			log.Printf("health: %s: %v", id, err)
			continue
		}
		state = state.Record(check, res)
		if err := health.Write(stateDir, id, state); err != nil {
			log.Printf("health: %s: %v", id, err)
		}
	}
}
