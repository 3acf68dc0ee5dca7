package containerd

import (
	"context"
	"sync"
)

// TrackRunning follows which containers of berth's namespace have a running (or
// paused) task, from containerd's events, so the resolver answers for those only: a
// stopped container's name disappears, as in Docker. changed is signalled after
// every change.
func (r *Runtime) TrackRunning(ctx context.Context) (func(id string) bool, <-chan struct{}, error) {
	events, err := r.Events(ctx) // before listing: no change is missed in between
	if err != nil {
		return nil, nil, err
	}
	states, err := r.taskStates(ctx)
	if err != nil {
		return nil, nil, err
	}
	var mu sync.RWMutex
	running := map[string]bool{}
	for id, t := range states {
		state, _ := containerState(t)
		running[id] = state == "running" || state == "paused"
	}
	changed := make(chan struct{}, 1)
	go func() {
		for ev := range events {
			mu.Lock()
			switch ev.Action {
			case "start":
				running[ev.ContainerID] = true
			case "die", "destroy":
				delete(running, ev.ContainerID)
			default:
				mu.Unlock()
				continue
			}
			mu.Unlock()
			select {
			case changed <- struct{}{}:
			default: // a signal is already pending
			}
		}
	}()
	return func(id string) bool {
		mu.RLock()
		defer mu.RUnlock()
		return running[id]
	}, changed, nil
}
