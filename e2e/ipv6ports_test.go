package e2e

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// curlAnswers waits for curl -g url to fetch web's page.
func curlAnswers(t *testing.T, url string) {
	t.Helper()
	eventually(t, 10*time.Second, "web answering at "+url, func() error {
		out, err := exec.Command("curl", "-g", "-sS", "--max-time", "3", url).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "from-web") {
			return fmt.Errorf("curl -g %s: %v: %s", url, err, out)
		}
		return nil
	})
}

// TestIPv6Ports publishes ports on IPv6 host addresses: on ::1 through berth's
// proxy (the kernel does not DNAT IPv6 loopback traffic), on the host's other IPv6
// addresses through ip6tables' DNAT, as IPv4 ports are through iptables'.
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
	curlAnswers(t, "http://[::1]:18731/")
	curlAnswers(t, "http://[::1]:18732/")
	curlAnswers(t, "http://["+m[1]+"]:18732/") // the bridge's address: the host's own
	// ::1 is not 127.0.0.1, nor the host's other addresses.
	for _, url := range []string{"http://127.0.0.1:18731/", "http://[" + m[1] + "]:18731/"} {
		if out, err := exec.Command("curl", "-g", "-sS", "--max-time", "2", url).CombinedOutput(); err == nil {
			t.Errorf("the port published on [::1] answers at %s: %s", url, out)
		}
	}
	if out := s.must("port", "web", "80"); strings.TrimSpace(out) != "[::1]:18731" {
		t.Errorf("port web 80: %q", out)
	}
	if out := s.must("ps"); !strings.Contains(out, "[::1]:18731->80/tcp") || !strings.Contains(out, "[::]:18732->80/tcp") {
		t.Errorf("ps does not show the IPv6 ports:\n%s", out)
	}
	// A new container takes the ports over from the one it replaces.
	s.must("up", "-d", "--force-recreate")
	curlAnswers(t, "http://[::1]:18731/")

	// udp on ::1 has no proxy: refused by name before anything is made.
	r := s.berth("-f", "loopback.yaml", "-p", s.project+"-lo", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, `service "web6": field "ports": [::1]:18734/udp: berth serves ::1 through a tcp proxy`) {
		t.Errorf("a udp port on ::1: exit %d\n%s", r.code, r.stderr)
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
