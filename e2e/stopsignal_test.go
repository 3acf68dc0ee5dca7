package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStopSignalsInit: stop, kill and down signal the container's init from berth
// (by pidfd), not through the shim's `runc kill`, and a task that has exited is
// deleted without the shim's `runc kill --all`: each of those was an exec of runc,
// together half of what stopping a container cost. The service runs under a
// runtime that logs the calls it gets and hands them to runc.
func TestStopSignalsInit(t *testing.T) {
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> %s\nexec %s \"$@\"\n", calls, runc)
	if err := os.WriteFile(filepath.Join(dir, "runc-logged"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	s := newScenario(t)
	s.env = append(s.env, "PATH="+dir+":"+os.Getenv("PATH"))

	s.must("up", "-d")
	s.must("stop", "app")
	if r := s.berth("wait", "app"); r.code != 0 {
		t.Errorf("after stop: the init exited %d, want 0 (its SIGTERM trap): %s", r.code, r.stderr)
	}
	s.must("start", "app")
	s.must("kill", "app")
	if r := s.berth("wait", "app"); r.code != 137 {
		t.Errorf("after kill: the init exited %d, want 137 (SIGKILL): %s", r.code, r.stderr)
	}
	s.must("start", "app")
	s.must("down")

	b, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		for _, verb := range []string{"create", "start", "kill", "delete"} {
			if strings.Contains(" "+line+" ", " "+verb+" ") {
				count[verb]++
			}
		}
	}
	// Three tasks: the runtime saw them made and deleted, and was never asked to signal.
	if count["create"] != 3 || count["start"] != 3 || count["delete"] < 3 || count["kill"] != 0 {
		t.Errorf("runc calls %v, want 3 creates and starts, 3 or more deletes, no kill:\n%s", count, b)
	}
}
