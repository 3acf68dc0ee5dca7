package containerd

import (
	"context"
	"fmt"
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
