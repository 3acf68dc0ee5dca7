package network

import (
	"errors"
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
