package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// driver_opts name the bridge and set its MTU, down removes the named bridge, and a
// port in host mode is published as any other.
func TestNetworkDriverOpts(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")

	br, err := net.InterfaceByName("e2e-brdrvopts")
	if err != nil {
		t.Fatalf("the bridge named by driver_opts: %v", err)
	}
	if br.MTU != 1400 {
		t.Errorf("bridge MTU %d, want 1400", br.MTU)
	}
	if out := s.must("exec", "-T", "web", "cat", "/sys/class/net/eth0/mtu"); strings.TrimSpace(out) != "1400" {
		t.Errorf("eth0 MTU in the container: %q, want 1400", out)
	}
	eventually(t, 10*time.Second, "the host-mode port answers on 127.0.0.1:18111", func() error {
		body, err := httpGet("http://127.0.0.1:18111/")
		if err != nil {
			return err
		}
		if strings.TrimSpace(body) != "host-mode" {
			return fmt.Errorf("body %q", body)
		}
		return nil
	})

	r := s.berth("-f", "taken.yaml", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, `bridge name "lo"`) || !strings.Contains(r.stderr, "exists on the host") {
		t.Errorf("up with the bridge name of a host link: exit %d %q", r.code, r.stderr)
	}
	if _, err := net.InterfaceByName("lo"); err != nil {
		t.Errorf("lo after the refused up: %v", err)
	}

	r = s.berth("-f", "changed.yaml", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, "MTU") || !strings.Contains(r.stderr, "berth down") {
		t.Errorf("up with another MTU for an existing network: exit %d %q", r.code, r.stderr)
	}
	if br, err := net.InterfaceByName("e2e-brdrvopts"); err != nil || br.MTU != 1400 {
		t.Errorf("the bridge after the refused up: %v %v", br, err)
	}

	s.must("down")
	if _, err := net.InterfaceByName("e2e-brdrvopts"); err == nil {
		t.Errorf("down left the bridge e2e-brdrvopts")
	}
}

// network create takes Docker's options: both families, ranges, reserved addresses,
// driver options; what berth cannot make is refused by name.
func TestNetworkCreateOptions(t *testing.T) {
	s := newScenario(t)
	t.Cleanup(func() { s.berth("network", "rm", "e2e-netcreate") })
	s.must("network", "create", "--ipv6", "--subnet", "10.124.11.0/24", "--subnet", "fd00:b0:3::/64",
		"--ip-range", "10.124.11.64/26", "--aux-address", "r=10.124.11.65", "-o", "com.docker.network.driver.mtu=1450", "e2e-netcreate")
	out := strings.ReplaceAll(s.must("network", "inspect", "e2e-netcreate"), " ", "")
	for _, want := range []string{`"EnableIPv6":true`, `"Subnet":"fd00:b0:3::/64"`, `"IPRange":"10.124.11.64/26"`, `"r":"10.124.11.65"`, `"com.docker.network.driver.mtu":"1450"`} {
		if !strings.Contains(out, want) {
			t.Errorf("network inspect lacks %s: %s", want, out)
		}
	}
	s.must("up", "-d")
	if ip := strings.TrimSpace(s.must("exec", "-T", "a", "hostname", "-i")); ip != "10.124.11.64" {
		t.Errorf("a has %q, want the first address of the ip-range, 10.124.11.64", ip)
	}
	if v6 := globalIPv6(s, "a"); len(v6) != 1 || !strings.HasPrefix(v6[0], "fd00:b0:3::") {
		t.Errorf("a's IPv6 addresses %v", v6)
	}
	if mtu := strings.TrimSpace(s.must("exec", "-T", "a", "cat", "/sys/class/net/eth0/mtu")); mtu != "1450" {
		t.Errorf("a's MTU %s, want 1450", mtu)
	}
	members := strings.ReplaceAll(s.must("network", "inspect", "e2e-netcreate"), " ", "")
	for _, want := range []string{`"Name":"` + s.project + `-a-1"`, `"IPv4Address":"10.124.11.64/24"`, `"IPv6Address":"fd00:b0:3::`} {
		if !strings.Contains(members, want) {
			t.Errorf("network inspect's Containers lack %s: %s", want, members)
		}
	}
	s.must("down")

	for args, want := range map[string]string{
		"--subnet fd00:b0:4::/64 e2e-netcreate-bad":             "needs --ipv6",
		"-o com.docker.network.bridge.enable_icc=false e2e-x":   "com.docker.network.bridge.enable_icc",
		"--subnet 10.124.12.0/24 --subnet 10.124.13.0/24 e2e-x": "--subnet given twice",
	} {
		r := s.berth(append([]string{"network", "create"}, strings.Fields(args)...)...)
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("network create %s: exit %d %q, want an error naming %s", args, r.code, r.stderr, want)
		}
	}
}

func TestNetworkPriorities(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	addrs := s.must("exec", "-T", "multi", "ip", "-4", "-o", "addr")
	for _, want := range []string{"eth0    inet 10.124.20.", "uplink    inet 10.124.21.", "eth2    inet 10.124.22."} {
		if !strings.Contains(strings.Join(strings.Fields(addrs), "    "), strings.Join(strings.Fields(want), "    ")) {
			t.Errorf("multi's interfaces lack %q:\n%s", want, addrs)
		}
	}
	if out := s.must("exec", "-T", "multi", "ip", "-o", "addr", "show", "eth2"); !strings.Contains(out, "169.254.8.9/16") || !strings.Contains(out, "fe80::8:9/64") {
		t.Errorf("eth2 lacks its link_local_ips:\n%s", out)
	}
	quiet := strings.TrimSpace(s.must("exec", "-T", "quiet", "hostname", "-i"))
	if got := lookupFrom(s, "multi", "quiet"); len(got) != 0 {
		t.Errorf("quiet answers to its service's name although use_service_name_alias is false: %v", got)
	}
	for _, name := range []string{"hushed", s.project + "-quiet-1"} {
		if got := lookupFrom(s, "multi", name); strings.Join(got, ",") != quiet {
			t.Errorf("%s resolves to %v, want %s", name, got, quiet)
		}
	}
	routes := s.must("exec", "-T", "multi", "ip", "route")
	if strings.Count(routes, "default") != 1 || !strings.Contains(routes, "default via 10.124.21.1 dev uplink") {
		t.Errorf("want one default route, through beta (gw_priority 5):\n%s", routes)
	}
}
