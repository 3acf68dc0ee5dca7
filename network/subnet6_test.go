package network

import (
	"errors"
	"net/netip"
	"testing"
)

func TestPlanIPv6(t *testing.T) {
	used := []usedSubnet{{"a", pfx("fd62:6572:7468::/64")}, {"b", pfx("10.89.0.0/24")}}
	routes := []hostRoute{{Dst: pfx("fd62:6572:7468:1::/64"), Dev: "vpn0"}}
	cases := []struct {
		name       string
		cfg        Config
		subnet, gw string
		err        error
	}{
		{name: "off", cfg: Config{}},
		{name: "allocated past berth's and the host's", cfg: Config{IPv6: true}, subnet: "fd62:6572:7468:2::/64", gw: "fd62:6572:7468:2::1"},
		{name: "given", cfg: Config{IPv6: true, Subnet6: "fd00:1::/64", Gateway6: "fd00:1::fe"}, subnet: "fd00:1::/64", gw: "fd00:1::fe"},
		{name: "given overlaps", cfg: Config{IPv6: true, Subnet6: "fd62:6572:7468::/56"}, err: ErrOverlap},
		{name: "given overlaps a route", cfg: Config{IPv6: true, Subnet6: "fd62:6572:7468:1::/64"}, err: ErrOverlap},
		{name: "IPv4 as IPv6", cfg: Config{IPv6: true, Subnet6: "10.1.0.0/24"}, err: ErrInvalid},
		{name: "gateway outside", cfg: Config{IPv6: true, Subnet6: "fd00:1::/64", Gateway6: "fd00:2::1"}, err: ErrInvalid},
		{name: "subnet without IPv6", cfg: Config{Subnet6: "fd00:1::/64"}, err: ErrInvalid},
	}
	for _, c := range cases {
		subnet, gw, err := planIPv6(c.cfg, used, routes)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: error %v, want %v", c.name, err, c.err)
			}
			continue
		}
		if err != nil || subnet != c.subnet || gw != c.gw {
			t.Errorf("%s: %q %q %v, want %q %q", c.name, subnet, gw, err, c.subnet, c.gw)
		}
	}
}

func TestHostRange(t *testing.T) {
	cases := []struct {
		subnet, ipRange, start, end string
		err                         bool
	}{
		{subnet: "10.1.0.0/24", ipRange: "10.1.0.128/25", start: "10.1.0.128", end: "10.1.0.254"},
		{subnet: "10.1.0.0/24", ipRange: "10.1.0.0/26", start: "10.1.0.1", end: "10.1.0.63"},
		{subnet: "10.1.0.0/16", ipRange: "10.1.7.0/24", start: "10.1.7.0", end: "10.1.7.255"},
		{subnet: "fd00:1::/64", ipRange: "fd00:1::100/120", start: "fd00:1::100", end: "fd00:1::1ff"},
		{subnet: "10.1.0.0/24", ipRange: "10.2.0.0/25", err: true},
		{subnet: "10.1.0.0/24", ipRange: "10.1.0.0/23", err: true},
		{subnet: "10.1.0.0/24", ipRange: "fd00::/64", err: true},
	}
	for _, c := range cases {
		start, end, err := hostRange(pfx(c.subnet), c.ipRange)
		if c.err != (err != nil) || start != c.start || end != c.end {
			t.Errorf("%s in %s: %q %q %v", c.ipRange, c.subnet, start, end, err)
		}
	}
	if err := checkAuxAddresses(map[string]string{"gw": "10.1.0.1"}, []netip.Prefix{pfx("10.1.0.0/24")}, []string{"10.1.0.1"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("aux address on the gateway: %v", err)
	}
	if err := checkAuxAddresses(map[string]string{"out": "10.2.0.5"}, []netip.Prefix{pfx("10.1.0.0/24")}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("aux address outside: %v", err)
	}
	if err := checkAuxAddresses(map[string]string{"r": "10.1.0.5", "r6": "fd00::5"}, []netip.Prefix{pfx("10.1.0.0/24"), pfx("fd00::/64")}, nil); err != nil {
		t.Errorf("aux addresses inside: %v", err)
	}
}

func TestDefaultGateway(t *testing.T) {
	nets := []*Network{
		{Name: "inner", Internal: true, Subnet6: "fd00:1::/64"},
		{Name: "v4"},
		{Name: "dual", Subnet6: "fd00:2::/64"},
		{Name: "dual2", Subnet6: "fd00:3::/64"},
	}
	attach := []Attachment{{GatewayPriority: 9}, {}, {}, {}}
	if gw4, gw6 := defaultGateway(nets, attach, false), defaultGateway(nets, attach, true); gw4 != 1 || gw6 != 2 {
		t.Errorf("equal priorities: IPv4 via %d, IPv6 via %d; want the first of each family, 1 and 2", gw4, gw6)
	}
	attach[3].GatewayPriority = 1
	if gw4, gw6 := defaultGateway(nets, attach, false), defaultGateway(nets, attach, true); gw4 != 3 || gw6 != 3 {
		t.Errorf("gw_priority 1 on dual2: %d %d, want 3 3", gw4, gw6)
	}
	if gw := defaultGateway(nets[:1], attach[:1], false); gw != -1 {
		t.Errorf("only an internal network: %d", gw)
	}
}
