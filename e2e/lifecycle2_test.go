package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAbortOnExit(t *testing.T) {
	s := newScenario(t)
	r := s.berth("up", "--abort-on-container-exit", "--no-color")
	if r.code != 4 {
		t.Fatalf("up --abort-on-container-exit: exit %d, want quick's 4\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if st := s.states(); st["long-1"] != "exited" {
		t.Errorf("the other container was not stopped: %v", st)
	}
	r = s.berth("up", "--exit-code-from", "quick", "--no-color")
	if r.code != 4 || !strings.Contains(r.stdout, "Aborting on container exit") {
		t.Errorf("up --exit-code-from quick: exit %d\n%s", r.code, r.stdout)
	}
	if r := s.berth("up", "-d", "--abort-on-container-exit"); r.code == 0 || !strings.Contains(r.stderr, "cannot be combined") {
		t.Errorf("-d with --abort-on-container-exit: exit %d %q", r.code, r.stderr)
	}
}

func TestUpWait(t *testing.T) {
	s := newScenario(t)
	s.must("up", "--wait")
	if out := s.must("ps", "slow"); !strings.Contains(out, "(healthy)") {
		t.Errorf("up --wait returned before slow was healthy:\n%s", out)
	}
	r := s.berth("--profile", "broken", "up", "--wait", "--wait-timeout", "3", "never")
	if r.code == 0 || !strings.Contains(r.stderr, "--wait-timeout") {
		t.Errorf("up --wait on a service that never gets healthy: exit %d %q", r.code, r.stderr)
	}
}

// A restart: on-failure:2 container comes back twice after failing, then stays down.
func TestRestartOnFailure(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	id := s.ids()[s.project+"-flaky-1"]
	last := uint32(0)
	for kill := 1; kill <= 3; kill++ {
		eventually(t, 20*time.Second, fmt.Sprintf("flaky running before kill %d", kill), func() error {
			p, err := runningPid(id)
			if err != nil {
				return err
			}
			if p == last {
				return fmt.Errorf("still the killed process %d", p)
			}
			last = p
			return nil
		})
		if err := syscall.Kill(int(last), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}
	// deploy.restart_policy brings its service back the same way.
	dep := s.ids()[s.project+"-deployed-1"]
	first, err := runningPid(dep)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(int(first), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "deployed restarted by its restart_policy", func() error {
		p, err := runningPid(dep)
		if err == nil && p == first {
			return fmt.Errorf("still the killed process %d", p)
		}
		return err
	})
	// After the third failure the policy is spent: the agent takes flaky out of
	// containerd's restart monitor, and it stays exited.
	eventually(t, 20*time.Second, "flaky out of containerd's restart monitor", func() error {
		if st := restartStatus(t, id); st != "stopped" {
			return fmt.Errorf("restart status %q", st)
		}
		return nil
	})
	eventually(t, 20*time.Second, "flaky exited", func() error {
		if p, err := runningPid(id); err == nil {
			return fmt.Errorf("flaky came back a third time (pid %d)", p)
		}
		return nil
	})
}
