package e2e

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func (s *scenario) services() string {
	var names []string
	for _, c := range s.ps(false) {
		names = append(names, c.Service)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func TestProjectOptions(t *testing.T) {
	s := newScenario(t)
	top := s.dir
	// Default discovery: compose.yaml and compose.override.yaml found from a
	// subdirectory, .env beside them.
	s.dir = filepath.Join(top, "sub", "deeper")
	s.must("up", "-d")
	if got := s.services(); got != "base,fromoverride" {
		t.Errorf("services from discovery: %s", got)
	}
	greeting := func() string {
		var out string
		eventually(t, 10*time.Second, "base's greeting", func() error {
			out = s.must("logs", "--no-log-prefix", "--tail", "1", "base")
			if !strings.HasPrefix(out, "greeting=") {
				return fmt.Errorf("logs %q", out)
			}
			return nil
		})
		return strings.TrimSpace(out)
	}
	if g := greeting(); g != "greeting=from-dotenv" {
		t.Errorf(".env: %s", g)
	}
	// --profile enables the extra service; --env-file replaces .env (base changes).
	s.dir = top
	s.must("--profile", "extras", "--env-file", "alt.env", "up", "-d")
	if got := s.services(); got != "base,extra,fromoverride" {
		t.Errorf("services with --profile: %s", got)
	}
	if g := greeting(); g != "greeting=from-alt-env" {
		t.Errorf("--env-file: %s", g)
	}
	// COMPOSE_PROFILES does the same as --profile.
	if r := s.berthEnv([]string{"COMPOSE_PROFILES=extras"}, "up", "-d", "--remove-orphans"); r.code != 0 {
		t.Fatalf("up with COMPOSE_PROFILES: %s", r.stderr)
	}
	if got := s.services(); got != "base,extra,fromoverride" {
		t.Errorf("services with COMPOSE_PROFILES: %s", got)
	}
	// -f, repeated, replaces discovery: the override file is then not read. extra is
	// in the file, only not enabled: not an orphan, as in docker compose.
	s.must("-f", "compose.yaml", "-f", "other.yaml", "up", "-d", "--remove-orphans")
	if got := s.services(); got != "base,extra,other" {
		t.Errorf("services with -f -f and --remove-orphans: %s", got)
	}
	// COMPOSE_FILE, with the path separator, does the same.
	if r := s.berthEnv([]string{"COMPOSE_FILE=compose.yaml:compose.override.yaml"}, "up", "-d", "--remove-orphans"); r.code != 0 {
		t.Fatalf("up with COMPOSE_FILE: %s", r.stderr)
	}
	if got := s.services(); got != "base,extra,fromoverride" {
		t.Errorf("services with COMPOSE_FILE: %s", got)
	}
}
