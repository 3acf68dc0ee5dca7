package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"berth.dev/berth/network"
)

func TestSCTPPorts(t *testing.T) {
	s := newScenario(t)
	if !network.SCTPSupported() {
		t.Log("this kernel has no SCTP: up must refuse the port and make nothing")
		r := s.berth("up", "-d")
		if r.code == 0 || !strings.Contains(r.stderr, `service "web": field "ports": 9000/sctp: this kernel has no SCTP`) {
			t.Fatalf("up with an sctp port on a kernel without SCTP: exit %d\n%s", r.code, r.stderr)
		}
		if lines := strings.Count(strings.TrimSpace(r.stderr), "\n"); lines > 0 {
			t.Errorf("the refusal takes %d lines:\n%s", lines+1, r.stderr)
		}
		if out := s.must("ps", "-a", "-q"); strings.TrimSpace(out) != "" {
			t.Errorf("a refused up made containers: %s", out)
		}
		return
	}
	s.must("up", "-d")
	out, err := exec.Command("iptables-save", "-t", "nat").CombinedOutput()
	if err != nil {
		t.Fatalf("iptables-save: %v\n%s", err, out)
	}
	found := false
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "-p sctp") && strings.Contains(line, "--dport 18711") && strings.Contains(line, ":9000") {
			found = true
		}
	}
	if !found {
		t.Errorf("no DNAT rule for 18711/sctp to the container's port 9000:\n%s", out)
	}
	if got := s.must("port", "--protocol", "sctp", "web", "9000"); !strings.Contains(got, ":18711") {
		t.Errorf("port web 9000/sctp: %q", got)
	}
}
