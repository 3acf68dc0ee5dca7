package containerd

import (
	"context"
	"log"

	"github.com/containerd/containerd/api/services/tasks/v1"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"

	"berth.dev/berth/compose"
	"berth.dev/berth/project"
)

// restoreStdin gives a stdin back to a stdin_open container that containerd's
// restart monitor brought back: the monitor starts a task with the log URI alone,
// so its process reads an empty stdin (a cat ends at once) and attach has nothing
// to write to. berth's agent, seeing that task start, starts it again with berth's
// IO, as dockerd restarts a container with its stdin open.
func (r *Runtime) restoreStdin(ctx context.Context, ev compose.Event) {
	if ev.Action != "start" {
		return
	}
	c, labels, err := r.load(ctx, ev.ContainerID)
	if err != nil || !hasStdin(labels) || labels[restartPolicy] == "" {
		return
	}
	// What the task was made with tells who made it: berth's Start always gives a stdin.
	resp, err := r.client.TaskService().Get(namespaces.WithNamespace(ctx, r.o.Namespace), &tasks.GetRequest{ContainerID: ev.ContainerID})
	if err != nil || resp.Process == nil || resp.Process.Stdin != "" {
		return
	}
	name := labels[project.LabelName]
	log.Printf("%s: restarted by its restart policy without a stdin; starting it again with one", name)
	if task, err := c.Task(ctx, nil); err == nil {
		if _, err := task.Delete(ctx, ctrd.WithProcessKill); err != nil {
			log.Printf("%s: %v", name, err)
			return
		}
	}
	if err := r.Start(ctx, ev.ContainerID); err != nil {
		log.Printf("%s: %v", name, err)
	}
}
