package e2e

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// Ctrl-C in the middle of up leaves a state that the next up converges from: every
// service running once, nothing duplicated, nothing leaked (the scenario's check).
func TestInterruptedUp(t *testing.T) {
	s := newScenario(t)
	cmd := exec.Command(berthBin, "-p", s.project, "up", "-d")
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), s.env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A chain of ten starts one after the other: stop it part of the way along.
	time.Sleep(400 * time.Millisecond)
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	s.must("up", "-d")
	st := s.states()
	if len(st) != 10 {
		t.Fatalf("after the second up: %d containers: %v", len(st), st)
	}
	for name, state := range st {
		if state != "running" {
			t.Errorf("%s is %s", name, state)
		}
	}
}
