package agent

import (
	"context"
	"sync"

	"berth.dev/berth/compose"
)

// TrackRunning follows which containers of berth's namespace have a running (or
// paused) task, from containerd's events, so the resolver answers for those only: a
// stopped container's name disappears, as in Docker. changed is signalled after
// every change. The returned loop follows the events until ctx ends, through
// containerd's restarts (see containerd.Runtime.FollowEvents).
func TrackRunning(ctx context.Context, rt Runtime) (func(id string) bool, <-chan struct{}, func() error, error) {
	var mu sync.RWMutex
	running := map[string]bool{}
	changed := make(chan struct{}, 1)
	signal := func() {
		select {
		case changed <- struct{}{}:
		default: // a signal is already pending
		}
	}
	resync := func(ctx context.Context) error {
		now, err := rt.RunningSet(ctx)
		if err != nil {
			return err
		}
		mu.Lock()
		running = now
		mu.Unlock()
		signal()
		return nil
	}
	handle := func(ev compose.Event) {
		mu.Lock()
		switch ev.Action {
		case "start":
			running[ev.ContainerID] = true
		case "die", "destroy":
			delete(running, ev.ContainerID)
		default:
			mu.Unlock()
			return
		}
		mu.Unlock()
		signal()
	}
	follow, err := rt.FollowEvents(ctx, "names", resync, handle)
	if err != nil {
		return nil, nil, nil, err
	}
	return func(id string) bool {
		mu.RLock()
		defer mu.RUnlock()
		return running[id]
	}, changed, follow, nil
}
