package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Ctrl-C in the middle of up leaves a state that the next up converges from: every
// service running once, nothing duplicated, nothing leaked (the scenario's check).
func TestInterruptedUp(t *testing.T) {
	s := newScenario(t)
	cmd := s.command("up", "-d")
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

// Ctrl-C during a build stops the builder and leaves nothing: no image, no
// container, no working container in buildah's store, no temporary files.
func TestInterruptedBuild(t *testing.T) {
	s := newBuildScenario(t)
	before := buildahContainers(t)
	temps := func() []string {
		m, _ := filepath.Glob(filepath.Join(os.TempDir(), "berth-build-*"))
		d, _ := filepath.Glob(filepath.Join(os.TempDir(), "berth-dockerfile-*"))
		return append(m, d...)
	}
	tempsBefore := temps()
	// Interrupt as the slow step starts: buildah is setting up its working container.
	cmd, out := s.startUntil("sleeping now", "up", "-d")
	defer func() {
		if t.Failed() {
			t.Logf("up said:\n%s", out)
		}
	}()
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("an interrupted up succeeded")
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("up did not stop within 20s of the interrupt")
	}
	if d := imageDigest(t, "docker.io/library/e2e-testinterruptedbuild-slow:latest"); d != "" {
		t.Errorf("an interrupted build left image %s", d)
	}
	if got := s.ps(true); len(got) != 0 {
		t.Errorf("an interrupted build left containers: %v", got)
	}
	if after := buildahContainers(t); after != before {
		t.Errorf("an interrupted build left working containers: before %q, after %q", before, after)
	}
	if after := temps(); len(after) != len(tempsBefore) {
		t.Errorf("an interrupted build left temporary files: before %v, after %v", tempsBefore, after)
	}
}
