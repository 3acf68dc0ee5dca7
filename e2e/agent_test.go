package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"
)

// agentBundle is where containerd's shim makes the bundle of berth's agent task.
var agentBundle = filepath.Join("/run/containerd/io.containerd.runtime.v2.task", namespace, "berth-agent")

// An up killed while the agent's shim started leaves a bundle that containerd
// removes a moment later; the next up starting the agent meanwhile waits it out, as
// a container's start does, instead of failing with "file exists".
func TestAgentBundleLeft(t *testing.T) {
	s := newScenario(t)
	removeAgent(t) // this test needs to start it
	if err := os.MkdirAll(agentBundle, 0o711); err != nil {
		t.Fatal(err)
	}
	// The bundle goes a moment after up made the agent's container, as containerd
	// removes one a moment after its creator was killed.
	cleared := make(chan struct{})
	go func() {
		defer close(cleared)
		for deadline := time.Now().Add(2 * time.Minute); !agentExists(t) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		_ = os.Remove(agentBundle)
	}()
	r := s.berth("up", "-d")
	<-cleared
	if r.code != 0 {
		t.Fatalf("up with a leftover agent bundle: exit %d: %s", r.code, r.stderr)
	}
	if _, err := runningPid("berth-agent"); err != nil {
		t.Fatalf("berth's agent: %v", err)
	}
}

// removeAgent removes berth's agent of the test namespace, as berth does when it
// replaces one: the next berth command that needs it starts it again.
func removeAgent(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	c, err := ctrd.New(containerdSocket, ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	agent, err := c.LoadContainer(ctx, "berth-agent")
	if errdefs.IsNotFound(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	// Out of containerd's restart monitor first, so it does not bring the task back.
	if _, err := agent.SetLabels(ctx, map[string]string{"containerd.io/restart.status": "stopped"}); err != nil {
		t.Fatal(err)
	}
	if task, err := agent.Task(ctx, nil); err == nil {
		if _, err := task.Delete(ctx, ctrd.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	if err := agent.Delete(ctx); err != nil && !errdefs.IsNotFound(err) {
		t.Fatal(err)
	}
}

// agentExists tells whether berth's agent container is in the test namespace.
func agentExists(t *testing.T) bool {
	t.Helper()
	c, err := ctrd.New(containerdSocket, ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.LoadContainer(context.Background(), "berth-agent")
	return err == nil
}
