package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHealthchecks(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	st := map[string]psEntry{}
	for _, c := range s.ps(true) {
		st[c.Service] = c
	}
	if st["app"].State != "running" || st["web"].State != "running" {
		t.Fatalf("dependents did not start: %+v", st)
	}
	if st["migrate"].State != "exited" || st["migrate"].ExitCode != 0 {
		t.Errorf("the migration: %+v", st["migrate"])
	}
	if !strings.Contains(s.must("ps", "db"), "(healthy)") {
		t.Errorf("ps does not show db healthy:\n%s", s.must("ps"))
	}
	// app started only once db was healthy, which it became after it was ready.
	readyAt := regexp.MustCompile(`ready-at-(\d+)`).FindStringSubmatch(s.must("logs", "db"))
	startedAt := regexp.MustCompile(`started-at-(\d+)`).FindStringSubmatch(s.must("logs", "app"))
	if readyAt == nil || startedAt == nil || startedAt[1] < readyAt[1] {
		t.Errorf("app started at %v, before db was ready at %v", startedAt, readyAt)
	}
	// Health keeps being tracked with no berth running: make db unhealthy by hand.
	s.must("exec", "-T", "db", "rm", "/tmp/ready")
	eventually(t, 15*time.Second, "db turns unhealthy", func() error {
		if out := s.must("ps", "db"); !strings.Contains(out, "(unhealthy)") {
			return fmt.Errorf("ps: %s", out)
		}
		return nil
	})
}

func TestDependencyFailures(t *testing.T) {
	s := newScenario(t)
	r := s.berth("up", "-d", "needs-sick")
	if r.code == 0 {
		t.Fatal("up succeeded though its dependency never got healthy")
	}
	if !strings.Contains(r.stderr, `"sick"`) || !strings.Contains(r.stderr, `"needs-sick"`) || !strings.Contains(r.stderr, "unhealthy") {
		t.Errorf("the error does not name the unhealthy dependency: %q", r.stderr)
	}
	if st := s.states(); st["needs-sick-1"] != "" {
		t.Errorf("the dependent was created: %v", st)
	}
	// required: false: the dependent starts anyway, with a warning.
	r = s.berth("up", "-d", "tolerant")
	if r.code != 0 || !strings.Contains(r.stderr, "optional dependency") {
		t.Errorf("up of a service with an optional unhealthy dependency: exit %d %q", r.code, r.stderr)
	}
	if st := s.states(); st["tolerant-1"] != "running" {
		t.Errorf("tolerant did not start: %v", st)
	}
	r = s.berth("up", "-d", "needs-migration")
	if r.code == 0 {
		t.Fatal("up succeeded though its migration failed")
	}
	if !strings.Contains(r.stderr, `"bad-migration"`) || !strings.Contains(r.stderr, `"needs-migration"`) || !strings.Contains(r.stderr, "exited with code 1") {
		t.Errorf("the error does not name the failed migration: %q", r.stderr)
	}
	if st := s.states(); st["needs-migration-1"] != "" {
		t.Errorf("the dependent was created: %v", st)
	}
}
