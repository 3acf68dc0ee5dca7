package e2e

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	s := newScenario(t)
	r := s.berth("run", "--rm", "tool", "sh", "-c", "echo hi $FROM_FILE; exit 5")
	if r.code != 5 || strings.TrimSpace(r.stdout) != "hi yes" {
		t.Fatalf("run: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if st := s.states(); st["db-1"] != "running" || len(st) != 1 {
		t.Errorf("after run --rm: dependencies %v, want db running and no one-off left", st)
	}
	if out := s.must("run", "--rm", "tool"); strings.TrimSpace(out) != "default-command" {
		t.Errorf("run without a command: %q", out)
	}
	if out := s.must("run", "--rm", "-e", "X=1", "-w", "/tmp", "-u", "65534", "tool", "sh", "-c", "echo $X $(pwd) $(id -u)"); strings.TrimSpace(out) != "1 /tmp 65534" {
		t.Errorf("run -e -w -u: %q", out)
	}
	if out := s.must("run", "--rm", "--entrypoint", "echo", "tool", "from", "entrypoint"); strings.TrimSpace(out) != "from entrypoint" {
		t.Errorf("run --entrypoint: %q", out)
	}
	if out := s.must("run", "--rm", "-v", "./data:/mnt:ro", "tool", "cat", "/mnt/f"); strings.TrimSpace(out) != "mounted-content" {
		t.Errorf("run -v: %q", out)
	}
	if r := s.berth("run", "--rm", "tool", "nslookup", "db"); r.code != 0 {
		t.Errorf("a one-off does not resolve its dependency: %s %s", r.stdout, r.stderr)
	}
	// A one-off is not a replica of its service: "tool" does not resolve to it.
	if r := s.berth("run", "--rm", "--no-deps", "tool", "sh", "-c", "nslookup tool"); r.code == 0 {
		t.Errorf("the one-off answered as its service: %s", r.stdout)
	}
	if out := s.must("run", "-d", "--name", "e2e-run-background", "tool", "sleep", "300"); strings.TrimSpace(out) != "e2e-run-background" {
		t.Errorf("run -d: %q", out)
	}
	if st := s.states(); st["e2e-run-background"] != "running" {
		t.Errorf("the detached one-off: %v", st)
	}
	// up ignores one-offs: no orphan warning, no change.
	if r := s.berth("up", "-d", "db"); r.code != 0 || strings.Contains(r.stderr, "orphan") {
		t.Errorf("up with a one-off running: %d %q", r.code, r.stderr)
	}
}
