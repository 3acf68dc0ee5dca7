package containerd

import (
	"context"
	"fmt"
	"log"
	"time"

	apievents "github.com/containerd/containerd/api/events"
	"github.com/containerd/typeurl/v2"

	"berth.dev/berth/compose"
)

// Events reports what happens to containers in berth's namespace from now on, in
// docker's words (create, start, die, pause, unpause, destroy, oom), from
// containerd's event stream, until ctx ends.
func (r *Runtime) Events(ctx context.Context) (<-chan compose.Event, error) {
	events, errs := r.client.Subscribe(ctx, fmt.Sprintf(`namespace==%q`, r.o.Namespace))
	out := make(chan compose.Event)
	go func() {
		defer close(out)
		for {
			select {
			case env := <-events:
				if env == nil || env.Event == nil {
					continue
				}
				v, err := typeurl.UnmarshalAny(env.Event)
				if err != nil {
					continue
				}
				e, ok := dockerEvent(v)
				if !ok {
					continue
				}
				e.Time = env.Timestamp
				if e.Time.IsZero() {
					e.Time = time.Now()
				}
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			case <-errs:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// The backoff between attempts to subscribe again to containerd's events: short at
// first (a containerd restart takes about a second), never longer than the max, so
// the agent catches up soon after containerd is back.
const (
	resubscribeMin = 100 * time.Millisecond
	resubscribeMax = 2 * time.Second
)

// FollowEvents is how berth's agent follows containerd: it subscribes to the events
// of berth's namespace, then calls sync (which reads the full state), and returns
// the loop that hands every event to handle until ctx ends. When the stream breaks
// (containerd restarted: the tasks and their shims live on, the stream does not),
// the loop subscribes again, with a bounded backoff, and calls sync again, since
// whatever happened meanwhile came with no event. The first subscription and sync
// must succeed; later ones are retried.
func (r *Runtime) FollowEvents(ctx context.Context, what string, sync func(context.Context) error, handle func(compose.Event)) (func() error, error) {
	events, cancel, err := r.subscribeAndSync(ctx, sync)
	if err != nil {
		return nil, err
	}
	return func() error {
		backoff := resubscribeMin
		for {
			for ev := range events {
				handle(ev)
			}
			cancel()
			if ctx.Err() != nil {
				return nil
			}
			log.Printf("%s: containerd's event stream ended; subscribing again", what)
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, resubscribeMax)
				if events, cancel, err = r.subscribeAndSync(ctx, sync); err == nil {
					break
				}
			}
			log.Printf("%s: following containerd's events again", what)
			backoff = resubscribeMin
		}
	}, nil
}

// subscribeAndSync subscribes to containerd's events, then calls sync. cancel ends
// the subscription.
func (r *Runtime) subscribeAndSync(ctx context.Context, sync func(context.Context) error) (<-chan compose.Event, context.CancelFunc, error) {
	sctx, cancel := context.WithCancel(ctx)
	events, err := r.Events(sctx) // before sync: no change is missed in between
	if err == nil {
		err = sync(ctx)
	}
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return events, cancel, nil
}

// dockerEvent names a containerd event as docker does.
func dockerEvent(v any) (compose.Event, bool) {
	switch e := v.(type) {
	case *apievents.ContainerCreate:
		return compose.Event{Action: "create", ContainerID: e.ID}, true
	case *apievents.ContainerDelete:
		return compose.Event{Action: "destroy", ContainerID: e.ID}, true
	case *apievents.TaskStart:
		return compose.Event{Action: "start", ContainerID: e.ContainerID}, true
	case *apievents.TaskExit:
		if e.ID != e.ContainerID {
			return compose.Event{}, false // an exec'd process, not the container
		}
		return compose.Event{Action: "die", ContainerID: e.ContainerID, ExitCode: int(e.ExitStatus)}, true
	case *apievents.TaskPaused:
		return compose.Event{Action: "pause", ContainerID: e.ContainerID}, true
	case *apievents.TaskResumed:
		return compose.Event{Action: "unpause", ContainerID: e.ContainerID}, true
	case *apievents.TaskOOM:
		return compose.Event{Action: "oom", ContainerID: e.ContainerID}, true
	}
	return compose.Event{}, false
}
