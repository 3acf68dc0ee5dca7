package e2e

import (
	"strings"
	"testing"
)

func TestNetworkOptions(t *testing.T) {
	s := newScenario(t)
	t.Cleanup(func() {
		s.berth("network", "rm", "e2e-shared-net")
		s.berth("volume", "rm", "e2e-ext-vol")
	})
	r := s.berth("up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, `"shared" is declared as external`) || !strings.Contains(r.stderr, "e2e-shared-net") {
		t.Fatalf("up with a missing external network: exit %d %q", r.code, r.stderr)
	}
	s.must("network", "create", "e2e-shared-net")
	r = s.berth("up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, "e2e-ext-vol") {
		t.Fatalf("up with a missing external volume: exit %d %q", r.code, r.stderr)
	}
	s.must("volume", "create", "e2e-ext-vol")
	s.must("up", "-d")

	if out := s.must("exec", "-T", "a", "ip", "-4", "-o", "addr"); !strings.Contains(out, "inet 10.124.7.50/24") {
		t.Errorf("a does not have its ipv4_address in the fixed subnet: %s", out)
	}
	// b is only on the internal network: no way out, but a is reachable there.
	if out := s.must("exec", "-T", "b", "ip", "route"); strings.Contains(out, "default") {
		t.Errorf("a container on an internal network has a default route: %s", out)
	}
	if r := s.berth("exec", "-T", "b", "ping", "-c", "1", "-W", "2", "a"); r.code != 0 {
		t.Errorf("b cannot reach a on their internal network: %s %s", r.stdout, r.stderr)
	}
	s.must("exec", "-T", "a", "sh", "-c", "echo kept > /ext/f")
	// down leaves what the project does not own.
	s.must("down", "-v")
	if out := s.must("network", "ls", "-q"); !strings.Contains(out, "e2e-shared-net") {
		t.Errorf("down removed the external network: %q", out)
	}
	if out := s.must("volume", "ls", "-q"); !strings.Contains(out, "e2e-ext-vol") {
		t.Errorf("down -v removed the external volume: %q", out)
	}
}
