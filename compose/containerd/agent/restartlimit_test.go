package agent

import (
	"context"
	"testing"

	"berth.dev/berth/compose"
	"berth.dev/berth/compose/containerd"
	"berth.dev/berth/project"
)

// on-failure:2: two failed exits are counted and leave the container to the restart
// monitor; a clean exit counts nothing; the third failure keeps it stopped, and a
// start the monitor made meanwhile is killed.
func TestRestartLimit(t *testing.T) {
	f := &fakeRuntime{count: containerd.RestartCount{Policy: project.Restart{Policy: "on-failure", MaxRetries: 2}}}
	ctx := context.Background()
	die := func(code int) { countFailure(ctx, f, compose.Event{Action: "die", ContainerID: "c1", ExitCode: code}) }
	die(1)
	die(0)
	die(1)
	if f.count.Failures != 2 || f.count.Stopped {
		t.Fatalf("after 2 failures and a clean exit: %+v, want 2 failures and not stopped", f.count)
	}
	countFailure(ctx, f, compose.Event{Action: "start", ContainerID: "c1"})
	if f.killed {
		t.Fatal("a start within the limit was killed")
	}
	die(1)
	if f.count.Failures != 3 || !f.count.Stopped {
		t.Fatalf("after 3 failures: %+v, want 3 failures and stopped", f.count)
	}
	f.count.Stopped = false // the monitor's start raced the label
	countFailure(ctx, f, compose.Event{Action: "start", ContainerID: "c1"})
	if !f.killed || !f.count.Stopped {
		t.Fatalf("a start past the limit: killed %v, stopped %v; want both", f.killed, f.count.Stopped)
	}
}
