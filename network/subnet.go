package network

import (
	"fmt"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
)

// The pool berth allocates from: 10.89.0.0/24, 10.89.1.0/24, ... 10.89.255.0/24, then
// 10.90.0.0/24 ... up to 10.99.255.0/24 (2816 networks of 253 containers each).
// It is the start of podman's default pool; Docker's defaults (172.17-31/16,
// 192.168/16) stay clear. A subnet already routed on the host (another tool's bridge,
// a VPN, the LAN) is skipped, so sharing the range with podman is safe while podman's
// bridge is up.
var defaultPool = func() []netip.Prefix {
	var p []netip.Prefix
	for b := 89; b <= 99; b++ {
		p = append(p, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(b), 0, 0}), 16))
	}
	return p
}()

const poolSubnetBits = 24

// hostRoute is one route of the host's main routing table.
type hostRoute struct {
	Dst netip.Prefix
	Dev string
}

func (r hostRoute) String() string {
	if r.Dev == "" {
		return "host route " + r.Dst.String()
	}
	return fmt.Sprintf("host route %s dev %s", r.Dst, r.Dev)
}

// usedSubnet is the subnet of an existing berth network.
type usedSubnet struct {
	Network string
	Prefix  netip.Prefix
}

// hostRoutes reads the main table's IPv4 and IPv6 routes. Default routes are left out:
// they overlap everything and say nothing about which subnets are in use; so are IPv6's
// link-local and multicast routes, which every link has.
func hostRoutes() ([]hostRoute, error) {
	routes, err := netlinksafe.RouteList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("list host routes: %w", err)
	}
	names := map[int]string{}
	var out []hostRoute
	for _, r := range routes {
		if r.Dst == nil {
			continue
		}
		p, ok := netipPrefix(r.Dst.IP, r.Dst.Mask)
		if !ok || p.Bits() == 0 || p.Addr().IsLinkLocalUnicast() || p.Addr().IsMulticast() {
			continue
		}
		dev, seen := names[r.LinkIndex]
		if !seen && r.LinkIndex > 0 {
			if l, err := netlink.LinkByIndex(r.LinkIndex); err == nil {
				dev = l.Attrs().Name
			}
			names[r.LinkIndex] = dev
		}
		out = append(out, hostRoute{Dst: p, Dev: dev})
	}
	return out, nil
}

// conflict says what p overlaps, or "" when nothing: berth networks first, since
// their bridges' routes would otherwise be reported as anonymous host routes.
func conflict(p netip.Prefix, used []usedSubnet, routes []hostRoute) string {
	for _, u := range used {
		if u.Prefix.Overlaps(p) {
			return fmt.Sprintf("network %q (%s)", u.Network, u.Prefix)
		}
	}
	for _, r := range routes {
		if r.Dst.Bits() > 0 && r.Dst.Overlaps(p) {
			return r.String()
		}
	}
	return ""
}

// allocateSubnet returns the first /24 of pool that overlaps neither a berth network
// nor a host route.
func allocateSubnet(pool []netip.Prefix, used []usedSubnet, routes []hostRoute) (netip.Prefix, error) {
	for _, block := range pool {
		block = block.Masked()
		if block.Bits() > poolSubnetBits {
			continue
		}
		n := 1 << (poolSubnetBits - block.Bits())
		base := block.Addr().As4()
		start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
		step := uint32(1) << (32 - poolSubnetBits)
		for i := 0; i < n; i++ {
			a := start + uint32(i)*step
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), poolSubnetBits)
			if conflict(p, used, routes) == "" {
				return p, nil
			}
		}
	}
	return netip.Prefix{}, ErrPoolExhausted
}

// parseSubnet accepts an IPv4 CIDR with room for a gateway and one container.
func parseSubnet(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%w: subnet %q: %v", ErrInvalid, s, err)
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%w: subnet %q: only IPv4 subnets are supported", ErrInvalid, s)
	}
	if p.Bits() > 30 || p.Bits() < 8 {
		return netip.Prefix{}, fmt.Errorf("%w: subnet %q: prefix length must be between /8 and /30", ErrInvalid, s)
	}
	return p.Masked(), nil
}

// gatewayFor returns the gateway: the one given, or the subnet's first address. It must
// be a host address of the subnet (IPv6 has no broadcast address to keep clear of).
func gatewayFor(subnet netip.Prefix, gw string) (netip.Addr, error) {
	if gw == "" {
		return subnet.Addr().Next(), nil
	}
	a, err := netip.ParseAddr(gw)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: gateway %q: %v", ErrInvalid, gw, err)
	}
	if !subnet.Contains(a) || a == subnet.Addr() || (subnet.Addr().Is4() && a == lastAddr(subnet)) {
		return netip.Addr{}, fmt.Errorf("%w: gateway %s is not a host address of subnet %s", ErrInvalid, a, subnet)
	}
	return a, nil
}

// lastAddr is the last address of p, of either family.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func netipPrefix(ip []byte, mask []byte) (netip.Prefix, bool) {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	ones := 0
	for _, b := range mask {
		for ; b&0x80 != 0; b <<= 1 {
			ones++
		}
	}
	if len(mask) == 16 && a.Is4() {
		ones -= 96
	}
	return netip.PrefixFrom(a, ones).Masked(), true
}
