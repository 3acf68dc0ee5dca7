package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestUpFlags(t *testing.T) {
	s := newScenario(t)
	r := s.berth("up", "--timestamps", "--attach", "shown", "--no-color", "--quiet-pull")
	if r.code != 0 {
		t.Fatalf("up: %s", r.stderr)
	}
	if !regexp.MustCompile(`shown-1 \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z shown-line`).MatchString(r.stdout) {
		t.Errorf("--timestamps --attach shown: %q", r.stdout)
	}
	if strings.Contains(r.stdout, "hidden-line") {
		t.Errorf("a service not attached was shown: %q", r.stdout)
	}
	if strings.Contains(r.stderr, "Pulling") {
		t.Errorf("--quiet-pull printed pulls: %q", r.stderr)
	}
	r = s.berth("--profile", "absent", "up", "-d", "--pull", "never", "absent")
	if r.code == 0 || !strings.Contains(r.stderr, "--pull never forbids pulling it") || !strings.Contains(r.stderr, `"absent"`) {
		t.Errorf("--pull never with a missing image: exit %d %q", r.code, r.stderr)
	}
}

// A dependent with restart: true restarts when its dependency is recreated.
func TestDependencyRestart(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	starts := func() int { return strings.Count(s.must("logs", "app"), "app-started") }
	eventually(t, 10*time.Second, "app's first start", func() error {
		if n := starts(); n != 1 {
			return fmt.Errorf("%d starts", n)
		}
		return nil
	})
	appID := s.ids()[s.project+"-app-1"]
	if r := s.berthEnv([]string{"DB_VERSION=2"}, "up", "-d"); r.code != 0 {
		t.Fatalf("up with a changed db: %s", r.stderr)
	}
	eventually(t, 10*time.Second, "app restarted after db was recreated", func() error {
		if n := starts(); n != 2 {
			return fmt.Errorf("%d starts", n)
		}
		return nil
	})
	if s.ids()[s.project+"-app-1"] != appID {
		t.Error("app was recreated; it should only restart")
	}
	// restart db restarts app too.
	s.must("restart", "db")
	eventually(t, 10*time.Second, "app restarted with db", func() error {
		if n := starts(); n != 3 {
			return fmt.Errorf("%d starts", n)
		}
		return nil
	})
}
