package e2e

import (
	"context"
	"debug/elf"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// A berth built the ordinary Go way, with cgo (a dynamic binary, as `go build` makes
// where a C compiler exists), runs its agent too: names resolve.
func TestAgentDynamicBinary(t *testing.T) {
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler (cc) to build a dynamic berth with cgo")
	}
	bin := filepath.Join(t.TempDir(), "berth")
	build := exec.Command("go", "build", "-o", bin, "../cmd/berth")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build with cgo: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	dynamic := false
	for _, p := range f.Progs {
		dynamic = dynamic || p.Type == elf.PT_INTERP
	}
	f.Close()
	if !dynamic {
		t.Skip("go build with CGO_ENABLED=1 made a static binary here: nothing to test")
	}

	s := newScenario(t)
	s.bin = bin
	// The scenario's down runs the berth under test: that one is no copy of the
	// dynamic berth's, so it removes the dynamic berth's copy with its agent.
	t.Cleanup(func() { s.bin = "" })
	s.must("up", "-d")
	web := strings.TrimSpace(s.must("exec", "-T", "web", "hostname", "-i"))
	if got := lookupFrom(s, "client", "web"); strings.Join(got, ",") != web {
		t.Fatalf("web resolves to %v from client, want %s", got, web)
	}
}

// An agent that cannot serve (here: another process holds its socket, so it exits
// at once, again and again) makes up fail with one line naming the agent and its
// log, and ps warn; once it can serve, up brings it back.
func TestAgentNotServing(t *testing.T) {
	s := newScenario(t)
	removeAgent(t) // this test needs to start it
	squatter, err := net.Listen("unix", "@berth-agent/"+namespace)
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	log := filepath.Join(statePaths().StateDir, "logs", "berth-agent.log")

	r := s.berth("up", "-d")
	if r.code == 0 {
		t.Fatalf("up succeeded while the agent could not serve:\n%s", r.stderr)
	}
	last := lastLine(r.stderr)
	if !strings.Contains(last, "berth's agent is not serving") || !strings.Contains(last, log) {
		t.Errorf("up's last line does not say the agent is not serving, naming %s: %q", log, last)
	}
	t.Logf("up said: %s", last)
	r = s.berth("ps")
	if !strings.Contains(r.stderr, "berth's agent is not serving") {
		t.Errorf("ps does not warn that the agent is not serving: exit %d, stderr %q", r.code, r.stderr)
	}

	squatter.Close()
	s.must("up", "-d")
	web := strings.TrimSpace(s.must("exec", "-T", "web", "hostname", "-i"))
	if got := lookupFrom(s, "client", "web"); strings.Join(got, ",") != web {
		t.Fatalf("web resolves to %v from client, want %s", got, web)
	}
	if r := s.berth("ps"); strings.Contains(r.stderr, "agent") {
		t.Errorf("ps warns about a serving agent: %q", r.stderr)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// The agent stays while it has work without any network of berth: a healthchecked
// container in the host's network keeps it through another project's down, which
// removes berth's last network, and its health stays current.
func TestAgentKeptForHostHealth(t *testing.T) {
	s := newScenario(t)
	// The other project is taken down before s's own check of what is left.
	other := *s
	other.dir, other.project = filepath.Join(s.dir, "other"), s.project+"-other"
	t.Cleanup(func() { other.berth("down", "-t", "1") })
	s.must("up", "-d", "--wait", "--wait-timeout", "30")
	other.must("up", "-d")
	if nets := strings.Fields(s.must("network", "ls", "-q")); len(nets) != 1 {
		t.Skipf("networks of berth other than the other project's exist (%v): its down would not remove the last one", nets)
	}
	other.must("down")

	if _, err := runningPid("berth-agent"); err != nil {
		t.Fatalf("berth's agent after the other project's down, with hc's healthcheck still to run: %v", err)
	}
	// The health record is rewritten after every check (interval 1s).
	hc := s.ids()[s.project+"-hc-1"]
	record := filepath.Join(statePaths().StateDir, "health", hc+".json")
	first, err := os.Stat(record)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "hc's health record is rewritten", func() error {
		now, err := os.Stat(record)
		if err != nil || !now.ModTime().After(first.ModTime()) {
			return fmt.Errorf("not since %s: %v", first.ModTime(), err)
		}
		return nil
	})
}
