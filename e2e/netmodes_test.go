package e2e

import (
	"os"
	"strings"
	"testing"
)

func TestNetworkModes(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	addrs := func(service string) string {
		return s.must("exec", "-T", service, "sh", "-c", "ip -4 -o addr show | awk '{print $2, $4}' | sort")
	}
	// service:main shares main's namespace: same interfaces and addresses, same files.
	if m, sc := addrs("main"), addrs("sidecar"); m != sc || !strings.Contains(m, "eth0") {
		t.Errorf("sidecar does not share main's network:\nmain:\n%s\nsidecar:\n%s", m, sc)
	}
	if out := s.must("exec", "-T", "sidecar", "hostname"); strings.TrimSpace(out) != "mainhost" {
		t.Errorf("sidecar's hostname: %q", out)
	}
	// none has loopback only.
	if out := addrs("isolated"); strings.TrimSpace(out) != "lo 127.0.0.1/8" {
		t.Errorf("network_mode none: %q", out)
	}
	// host sees the host's interfaces.
	hostName, _ := os.Hostname()
	if out := s.must("exec", "-T", "hostnet", "hostname"); strings.TrimSpace(out) != hostName {
		t.Errorf("network_mode host: hostname %q, want the host's %q", out, hostName)
	}
	if out := addrs("hostnet"); strings.Contains(out, "eth0 10.89.") {
		t.Errorf("network_mode host got a bridge address: %q", out)
	}
	// extra_hosts, domainname, dns_search and dns_opt.
	hosts := s.must("exec", "-T", "main", "cat", "/etc/hosts")
	gw := strings.Fields(s.must("exec", "-T", "main", "sh", "-c", "ip route | awk '/default/ {print $3}'"))
	if len(gw) != 1 || !strings.Contains(hosts, gw[0]+"\tgateway.internal") || !strings.Contains(hosts, "10.20.30.40\tstatic.example") {
		t.Errorf("extra_hosts (gateway %v):\n%s", gw, hosts)
	}
	if !strings.Contains(hosts, "mainhost.example.test") {
		t.Errorf("domainname not in hosts:\n%s", hosts)
	}
	if out := s.must("exec", "-T", "main", "hostname", "-d"); strings.TrimSpace(out) != "example.test" {
		t.Errorf("domainname: %q", out)
	}
	resolv := s.must("exec", "-T", "main", "cat", "/etc/resolv.conf")
	if !strings.Contains(resolv, "search corp.example") || !strings.Contains(resolv, "options ndots:2 timeout:3") {
		t.Errorf("resolv.conf:\n%s", resolv)
	}
	// Recreating main recreates the sidecar that lives in its network.
	old := s.ids()
	s.must("up", "-d", "--force-recreate", "main")
	now := s.ids()
	if now[s.project+"-sidecar-1"] == old[s.project+"-sidecar-1"] {
		t.Error("the sidecar was not recreated with main")
	}
	if m, sc := addrs("main"), addrs("sidecar"); m != sc {
		t.Errorf("after recreating: sidecar does not share main's network:\n%s\n%s", m, sc)
	}
}
