package containerd

import (
	"testing"

	apitask "github.com/containerd/containerd/api/types/task"

	"berth.dev/berth/compose"
)

func TestContainerState(t *testing.T) {
	for _, c := range []struct {
		name   string
		task   *apitask.Process
		labels map[string]string
		state  string
		code   int
	}{
		{"never started", nil, nil, compose.StateCreated, 0},
		{"running", &apitask.Process{Status: apitask.Status_RUNNING}, nil, compose.StateRunning, 0},
		{"paused", &apitask.Process{Status: apitask.Status_PAUSED}, nil, compose.StatePaused, 0},
		{"task made, not started", &apitask.Process{Status: apitask.Status_CREATED}, nil, compose.StateCreated, 0},
		{"exited", &apitask.Process{Status: apitask.Status_STOPPED, ExitStatus: 7}, nil, compose.StateExited, 7},
		// The restart monitor killed and deleted the task of a container berth had
		// just stopped or killed.
		{"stopped, task taken by the restart monitor", nil, map[string]string{restartExplicit: "true"}, compose.StateExited, 137},
		{"started again", nil, map[string]string{restartExplicit: ""}, compose.StateCreated, 0},
	} {
		state, code := containerState(c.task, c.labels)
		if state != c.state || code != c.code {
			t.Errorf("%s: %s (%d), want %s (%d)", c.name, state, code, c.state, c.code)
		}
	}
}
