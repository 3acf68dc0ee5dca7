package e2e

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestIPv6Ports publishes a port on the host's IPv6 addresses (host_ip ::) with
// ip6tables' DNAT: curl on the host reaches the container at the host's address on
// the test's own network. ::1 cannot be served by DNAT and is refused by name.
func TestIPv6Ports(t *testing.T) {
	s := newScenario(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: run scripts/setup")
	}
	s.must("up", "-d")
	m := regexp.MustCompile(`default via ([0-9a-f:]+)`).FindStringSubmatch(s.must("exec", "-T", "web", "ip", "-6", "route"))
	if m == nil {
		t.Fatal("web has no IPv6 default route")
	}
	url := "http://[" + m[1] + "]:18732/" // the bridge's address: the host's own
	eventually(t, 10*time.Second, "web answering at "+url, func() error {
		out, err := exec.Command("curl", "-g", "-sS", "--max-time", "3", url).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "from-web") {
			return fmt.Errorf("curl -g %s: %v: %s", url, err, out)
		}
		return nil
	})
	// ::1 is not forwarded: refused at once rather than left to time out.
	start := time.Now()
	if out, err := exec.Command("curl", "-g", "-sS", "--max-time", "5", "http://[::1]:18732/").CombinedOutput(); err == nil || !strings.Contains(string(out), "(7)") {
		t.Errorf("curl [::1]:18732: %v: %s, want curl's (7): could not connect", err, out)
	} else if time.Since(start) > 3*time.Second {
		t.Errorf("curl [::1]:18732 took %s to fail", time.Since(start))
	}
	if out := s.must("port", "web", "80"); strings.TrimSpace(out) != "[::]:18732" {
		t.Errorf("port web 80: %q", out)
	}
	if out := s.must("ps"); !strings.Contains(out, "[::]:18732->80/tcp") {
		t.Errorf("ps does not show the IPv6 port:\n%s", out)
	}

	// ::1 is refused by name before anything is made.
	r := s.berth("-f", "loopback.yaml", "-p", s.project+"-lo", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, `service "web6": field "ports": [::1]:18731/tcp: Linux does not forward IPv6 loopback traffic`) {
		t.Errorf("a port on ::1: exit %d\n%s", r.code, r.stderr)
	}
	if out := s.must("-p", s.project+"-lo", "ps", "-a", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("a refused up made containers: %s", out)
	}
	// So is a port on an IPv6 address of a service on no IPv6 network.
	r = s.berth("-f", "v4only.yaml", "-p", s.project+"-v4", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, `service "web4": field "ports": [::]:18733: the service is on no network with enable_ipv6: true`) {
		t.Errorf("an IPv6 host IP on an IPv4 network: exit %d\n%s", r.code, r.stderr)
	}
}
