package e2e

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// globalIPv6 lists the global IPv6 addresses of a service's container, with their
// prefix length; target is what exec takes to name it ("web", or "--index", "2", "web").
func globalIPv6(s *scenario, target ...string) []string {
	args := append(append([]string{"exec", "-T"}, target...), "ip", "-6", "-o", "addr", "show", "scope", "global")
	out := s.must(args...)
	var addrs []string
	for _, m := range regexp.MustCompile(`inet6 ([0-9a-f:]+/\d+)`).FindAllStringSubmatch(out, -1) {
		addrs = append(addrs, m[1])
	}
	return addrs
}

func TestIPv6(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")

	pool := netip.MustParsePrefix("fd00::/8")
	web := globalIPv6(s, "web")
	if len(web) != 1 || !pool.Contains(netip.MustParsePrefix(web[0]).Addr()) || !strings.HasSuffix(web[0], "/64") {
		t.Fatalf("web's IPv6 addresses %v, want one in a /64 under fd00::/8", web)
	}
	webAddr := netip.MustParsePrefix(web[0]).Addr().String()
	if hosts := s.must("exec", "-T", "web", "cat", "/etc/hosts"); !strings.Contains(hosts, webAddr+"\t") {
		t.Errorf("web's /etc/hosts lacks its IPv6 address %s:\n%s", webAddr, hosts)
	}
	if client := globalIPv6(s, "client"); !slices.Contains(client, "fd00:b0:1::50/64") || len(client) != 2 {
		t.Errorf("client's IPv6 addresses %v, want fd00:b0:1::50/64 and one on the allocated subnet", client)
	}

	// AAAA answers the IPv6 address, A the IPv4 one as before.
	webV4 := strings.TrimSpace(s.must("exec", "-T", "web", "hostname", "-i"))
	if got := lookupFrom(s, "client", "web"); !slices.Contains(got, webAddr) || !slices.Contains(got, webV4) || len(got) != 2 {
		t.Errorf("client resolves web to %v, want %s and %s", got, webV4, webAddr)
	}
	if got := lookupFrom(s, "web", "client"); !slices.ContainsFunc(got, func(a string) bool { return strings.Contains(a, ":") }) {
		t.Errorf("web resolves client to %v, with no IPv6 address", got)
	}

	// Traffic over IPv6 between containers of one network, by address and by name.
	if r := s.berth("exec", "-T", "client", "ping", "-6", "-c", "1", "-W", "3", webAddr); r.code != 0 {
		t.Errorf("client cannot ping6 web at %s: %s %s", webAddr, r.stdout, r.stderr)
	}
	eventually(t, 10*time.Second, "client fetches web's page over IPv6", func() error {
		return execWant(s, "over-v6", "client", "timeout", "5", "wget", "-q", "-O", "-", "http://["+webAddr+"]/")
	})

	// A port published from a dual-stack network answers on 127.0.0.1 as any other.
	eventually(t, 10*time.Second, "web's published port answers on 127.0.0.1:18121", func() error {
		body, err := httpGet("http://127.0.0.1:18121/")
		if err == nil && !strings.Contains(body, "over-v6") {
			err = fmt.Errorf("body %q", body)
		}
		return err
	})

	// Networks are isolated over IPv6 too: far, on the other network, cannot reach web
	// although the host routes IPv6 between the bridges.
	if r := s.berth("exec", "-T", "far", "ping", "-6", "-c", "1", "-W", "2", webAddr); r.code == 0 {
		t.Errorf("far reaches web over IPv6 across networks: %s", r.stdout)
	}
	if r := s.berth("exec", "-T", "far", "ping", "-6", "-c", "1", "-W", "3", "fd00:b0:1::50"); r.code != 0 {
		t.Errorf("far cannot ping6 client on their shared network: %s %s", r.stdout, r.stderr)
	}

	// An internal network has no IPv6 way out either.
	if out := s.must("exec", "-T", "inside", "ip", "-6", "route"); strings.Contains(out, "default") {
		t.Errorf("a container on an internal IPv6 network has a default route: %s", out)
	}
	if r := s.berth("exec", "-T", "inside", "ping", "-6", "-c", "1", "-W", "2", webAddr); r.code == 0 {
		t.Errorf("inside, on an internal network, reaches web over IPv6: %s", r.stdout)
	}

	if out := s.must("network", "inspect", s.project+"_fixed"); !strings.Contains(out, "fd00:b0:1::/64") {
		t.Errorf("network inspect does not show the IPv6 subnet: %s", out)
	}
}

// execWant runs a command in a service's container and wants want in its output.
func execWant(s *scenario, want, service string, cmd ...string) error {
	r := s.berth(append([]string{"exec", "-T", service}, cmd...)...)
	if r.code != 0 || !strings.Contains(r.stdout, want) {
		return fmt.Errorf("exit %d, output %q %q", r.code, r.stdout, r.stderr)
	}
	return nil
}
