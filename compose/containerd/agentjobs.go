package containerd

import (
	"context"
	"fmt"
	"strconv"

	"github.com/containerd/containerd/api/services/tasks/v1"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"

	"berth.dev/berth/compose"
	"berth.dev/berth/project"
)

// What berth's agent (compose/containerd/agent) asks of the runtime: its jobs
// decide, these read and change containers.

// labelFailures counts the failed exits of an on-failure:N container since berth
// last started it.
const labelFailures = "berth.restart.failures"

// RunningSet is every container of the namespace whose task runs or is paused.
func (r *Runtime) RunningSet(ctx context.Context) (map[string]bool, error) {
	states, err := r.taskStates(ctx)
	if err != nil {
		return nil, err
	}
	now := map[string]bool{}
	for id, t := range states {
		if state, _ := containerState(t, nil); state == compose.StateRunning || state == compose.StatePaused {
			now[id] = true
		}
	}
	return now, nil
}

// RestartCount is a container's restart policy, the failed exits counted since
// berth last started it, and whether containerd's restart monitor is told to leave
// it stopped.
type RestartCount struct {
	Policy   project.Restart
	Failures int
	Stopped  bool
}

// RestartCount reads the container's restart policy and count from its labels.
func (r *Runtime) RestartCount(ctx context.Context, id string) (RestartCount, error) {
	r.forget(id) // labels change under us
	_, labels, err := r.load(ctx, id)
	if err != nil {
		return RestartCount{}, err
	}
	policy, err := project.ParseRestart(labels[restartPolicy])
	if err != nil {
		return RestartCount{}, err
	}
	failures, _ := strconv.Atoi(labels[labelFailures])
	return RestartCount{Policy: policy, Failures: failures, Stopped: labels[restartStatus] == string(ctrd.Stopped)}, nil
}

// SetFailures records the container's count of failed exits.
func (r *Runtime) SetFailures(ctx context.Context, id string, failures int) error {
	return r.setLabels(ctx, id, map[string]string{labelFailures: strconv.Itoa(failures)})
}

// KeepStopped tells containerd's restart monitor to leave the container stopped.
func (r *Runtime) KeepStopped(ctx context.Context, id string) error {
	return r.setLabels(ctx, id, map[string]string{restartStatus: string(ctrd.Stopped)})
}

func (r *Runtime) setLabels(ctx context.Context, id string, labels map[string]string) error {
	c, _, err := r.load(ctx, id)
	if err != nil {
		return err
	}
	_, err = c.SetLabels(ctx, labels)
	return err
}

// StartedWithoutStdin tells whether a stdin_open container with a restart policy
// runs a task made without a stdin, and names it: containerd's restart monitor
// starts a task with the log URI alone, while berth's Start always gives a stdin.
func (r *Runtime) StartedWithoutStdin(ctx context.Context, id string) (string, bool) {
	_, labels, err := r.load(ctx, id)
	if err != nil || !hasStdin(labels) || labels[restartPolicy] == "" {
		return "", false
	}
	// What the task was made with tells who made it.
	resp, err := r.client.TaskService().Get(namespaces.WithNamespace(ctx, r.o.Namespace), &tasks.GetRequest{ContainerID: id})
	if err != nil || resp.Process == nil || resp.Process.Stdin != "" {
		return "", false
	}
	return labels[project.LabelName], true
}

// StartWithStdin replaces the container's task with one berth starts, with its
// stdin.
func (r *Runtime) StartWithStdin(ctx context.Context, id string) error {
	c, _, err := r.load(ctx, id)
	if err != nil {
		return err
	}
	if task, err := c.Task(ctx, nil); err == nil {
		if _, err := deleteTask(ctx, task); err != nil {
			return fmt.Errorf("delete its task: %w", err)
		}
	}
	return r.Start(ctx, id)
}
