package containerd

import (
	"context"
	"fmt"

	apievents "github.com/containerd/containerd/api/events"
	"github.com/containerd/typeurl/v2"
)

// TaskStarts reports the ID of every container whose task starts in berth's
// namespace from now on, until ctx ends, from containerd's event stream.
func (r *Runtime) TaskStarts(ctx context.Context) (<-chan string, error) {
	events, errs := r.client.Subscribe(ctx, fmt.Sprintf(`namespace==%q,topic=="/tasks/start"`, r.o.Namespace))
	out := make(chan string)
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
				if start, ok := v.(*apievents.TaskStart); ok {
					select {
					case out <- start.ContainerID:
					case <-ctx.Done():
						return
					}
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
