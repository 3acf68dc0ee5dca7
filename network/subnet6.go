package network

import (
	"fmt"
	"net/netip"
)

// pool6 is where berth takes an IPv6 network's subnet from when the file gives none:
// /64s of a unique local /48 under fd00::/8 ("berth" in its hex digits), so that the
// addresses never leave the host nor collide with a global prefix.
var pool6 = netip.MustParsePrefix("fd62:6572:7468::/48")

const pool6SubnetBits = 64

// allocateSubnet6 returns the first /64 of pool6 that overlaps neither a berth network
// nor a host route.
func allocateSubnet6(used []usedSubnet, routes []hostRoute) (netip.Prefix, error) {
	base := pool6.Addr().As16()
	for i := 0; i < 1<<(pool6SubnetBits-pool6.Bits()); i++ {
		a := base
		a[6], a[7] = byte(i>>8), byte(i)
		p := netip.PrefixFrom(netip.AddrFrom16(a), pool6SubnetBits)
		if conflict(p, used, routes) == "" {
			return p, nil
		}
	}
	return netip.Prefix{}, ErrPoolExhausted
}

// parseSubnet6 accepts an IPv6 CIDR with room for a gateway and containers.
func parseSubnet6(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%w: subnet %q: %v", ErrInvalid, s, err)
	}
	if !p.Addr().Is6() || p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("%w: subnet %q is not an IPv6 subnet", ErrInvalid, s)
	}
	if p.Bits() > 124 || p.Bits() < 16 {
		return netip.Prefix{}, fmt.Errorf("%w: subnet %q: prefix length must be between /16 and /124", ErrInvalid, s)
	}
	return p.Masked(), nil
}

// planIPv6 picks the IPv6 subnet and gateway of a new network: none unless cfg.IPv6,
// else the given subnet (which must collide with nothing) or a free one of the pool.
func planIPv6(cfg Config, used []usedSubnet, routes []hostRoute) (subnet, gateway string, err error) {
	if !cfg.IPv6 {
		if cfg.Subnet6 != "" || cfg.Gateway6 != "" {
			return "", "", fmt.Errorf("%w: an IPv6 subnet or gateway needs IPv6 enabled", ErrInvalid)
		}
		return "", "", nil
	}
	var p netip.Prefix
	switch {
	case cfg.Subnet6 != "":
		if p, err = parseSubnet6(cfg.Subnet6); err != nil {
			return "", "", err
		}
		if what := conflict(p, used, routes); what != "" {
			return "", "", fmt.Errorf("%w: %s overlaps %s", ErrOverlap, p, what)
		}
	case cfg.Gateway6 != "":
		return "", "", fmt.Errorf("%w: an IPv6 gateway needs an IPv6 subnet", ErrInvalid)
	default:
		if p, err = allocateSubnet6(used, routes); err != nil {
			return "", "", err
		}
	}
	gw, err := gatewayFor(p, cfg.Gateway6)
	if err != nil {
		return "", "", err
	}
	return p.String(), gw.String(), nil
}
