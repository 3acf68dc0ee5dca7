package e2e

import (
	"net/netip"
	"strings"
	"testing"
)

func TestIPAMRanges(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")

	v4Range, v6Range := netip.MustParsePrefix("10.124.10.128/28"), netip.MustParsePrefix("fd00:b0:2::100/120")
	reserved := []string{"10.124.10.129", "10.124.10.130"}
	for _, index := range []string{"1", "2", "3"} {
		ip := strings.TrimSpace(s.must("exec", "-T", "--index", index, "pool", "hostname", "-i"))
		a, err := netip.ParseAddr(ip)
		if err != nil || !v4Range.Contains(a) {
			t.Errorf("pool-%s has %q, want an address of ip_range %s", index, ip, v4Range)
		}
		for _, r := range reserved {
			if ip == r {
				t.Errorf("pool-%s got the aux address %s", index, ip)
			}
		}
		v6 := globalIPv6(s, "--index", index, "pool")
		if len(v6) != 1 || !v6Range.Contains(netip.MustParsePrefix(v6[0]).Addr()) {
			t.Errorf("pool has IPv6 addresses %v, want one of ip_range %s", v6, v6Range)
		}
	}
	if ip := strings.TrimSpace(s.must("exec", "-T", "fixed", "hostname", "-i")); ip != "10.124.10.5" {
		t.Errorf("fixed has %q, want its ipv4_address 10.124.10.5 outside the ip_range", ip)
	}
	out := s.must("network", "inspect", s.project+"_ranged")
	for _, want := range []string{`"IPRange":"10.124.10.128/28"`, `"router":"10.124.10.129"`, `"IPRange":"fd00:b0:2::100/120"`} {
		if !strings.Contains(strings.ReplaceAll(out, " ", ""), want) {
			t.Errorf("network inspect lacks %s: %s", want, out)
		}
	}
}
