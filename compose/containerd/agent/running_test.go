package agent

import (
	"context"
	"testing"

	"berth.dev/berth/compose"
)

// The resolver answers for the containers running when the agent syncs, then
// follows starts, exits and removals; each change is signalled.
func TestTrackRunning(t *testing.T) {
	f := &fakeRuntime{running: map[string]bool{"a": true, "b": true}, events: []compose.Event{
		{Action: "die", ContainerID: "a"},
		{Action: "start", ContainerID: "c"},
		{Action: "destroy", ContainerID: "b"},
		{Action: "pause", ContainerID: "c"}, // paused still answers
	}}
	answerable, changed, follow, err := TrackRunning(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if !answerable("a") || !answerable("b") || answerable("c") {
		t.Fatalf("after the sync: a %v, b %v, c %v; want a and b only", answerable("a"), answerable("b"), answerable("c"))
	}
	<-changed // the sync's
	if err := follow(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Fatal("no change signalled for the events")
	}
	if answerable("a") || answerable("b") || !answerable("c") {
		t.Fatalf("after the events: a %v, b %v, c %v; want c only", answerable("a"), answerable("b"), answerable("c"))
	}
}
