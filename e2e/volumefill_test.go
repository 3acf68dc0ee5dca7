package e2e

import (
	"strings"
	"testing"
)

func TestVolumeFill(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	if out := s.must("exec", "-T", "web", "sh", "-c", "test -s /app/app.py && echo present"); strings.TrimSpace(out) != "present" {
		t.Fatalf("the image's /app did not fill the new volume: %q", out)
	}
	if out := s.must("exec", "-T", "web", "stat", "-c", "%a", "/tmp"); strings.TrimSpace(out) != "1777" {
		t.Errorf("the volume root did not take the image directory's mode: %q", out)
	}
	// Filled once: emptied by the user, it stays empty when the container is recreated.
	s.must("exec", "-T", "web", "rm", "/app/app.py")
	s.must("up", "-d", "--force-recreate")
	if r := s.berth("exec", "-T", "web", "test", "-e", "/app/app.py"); r.code == 0 {
		t.Error("the volume was filled a second time")
	}
}
