package project

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/compose-spec/compose-go/v2/types"
)

// checkPools allows one ipam pool of each family, an IPv6 one only with enable_ipv6.
func checkPools(n types.NetworkConfig) error {
	seen := map[bool]bool{}
	for _, c := range n.Ipam.Config {
		p, err := netip.ParsePrefix(c.Subnet)
		if err != nil {
			if c.Subnet == "" {
				return fmt.Errorf("field \"ipam.config\": a pool needs a subnet")
			}
			return fmt.Errorf("field \"ipam.config\": subnet %q is not a CIDR", c.Subnet)
		}
		v6 := p.Addr().Is6()
		if err := checkPoolParts(p.Masked(), c); err != nil {
			return err
		}
		if seen[v6] {
			return fmt.Errorf("field \"ipam.config\": one subnet of each family per network is supported")
		}
		seen[v6] = true
		if v6 && (n.EnableIPv6 == nil || !*n.EnableIPv6) {
			return fmt.Errorf("field \"ipam.config\": IPv6 subnet %s needs enable_ipv6: true", c.Subnet)
		}
	}
	return nil
}

// checkIPv6Addresses refuses an ipv6_address on a network of the file without IPv6.
func checkIPv6Addresses(p *types.Project) error {
	for _, name := range p.ServiceNames() {
		for key, sn := range p.Services[name].Networks {
			if sn == nil || sn.Ipv6Address == "" {
				continue
			}
			if a, err := netip.ParseAddr(sn.Ipv6Address); err != nil || !a.Is6() || a.Is4In6() {
				return fmt.Errorf("service %q: field \"networks.%s.ipv6_address\": %q is not an IPv6 address", name, key, sn.Ipv6Address)
			}
			n, ok := p.Networks[key]
			if ok && !bool(n.External) && (n.EnableIPv6 == nil || !*n.EnableIPv6) {
				return fmt.Errorf("service %q: field \"networks.%s.ipv6_address\": network %q has no enable_ipv6: true", name, key, key)
			}
		}
	}
	return nil
}

// checkIPv6Ports refuses a port on an IPv6 host address of a service on no IPv6
// network: ip6tables' DNAT would have no container address to send it to.
func checkIPv6Ports(p *types.Project) error {
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.NetworkMode != "" {
			continue // host, none or another's namespace: nothing is published
		}
		ipv6 := false
		for key := range s.Networks {
			if n, ok := p.Networks[key]; ok && (bool(n.External) || n.EnableIPv6 != nil && *n.EnableIPv6) {
				ipv6 = true // an external network may have IPv6: the network package checks
			}
		}
		for _, port := range s.Ports {
			if a, err := netip.ParseAddr(port.HostIP); err == nil && a.Is6() && !a.Is4In6() && !ipv6 {
				return fmt.Errorf("service %q: field \"ports\": %s: the service is on no network with enable_ipv6: true", name, net.JoinHostPort(port.HostIP, port.Published))
			}
		}
	}
	return nil
}

// checkPoolParts wants a pool's ip_range and aux_addresses inside its subnet.
func checkPoolParts(subnet netip.Prefix, c *types.IPAMPool) error {
	if c.IPRange != "" {
		r, err := netip.ParsePrefix(c.IPRange)
		if err != nil || r.Addr().Is6() != subnet.Addr().Is6() || r.Bits() < subnet.Bits() || !subnet.Contains(r.Addr()) {
			return fmt.Errorf("field \"ipam.config\": ip_range %q is not a CIDR inside subnet %s", c.IPRange, subnet)
		}
	}
	for _, name := range sortedKeys(c.AuxiliaryAddresses) {
		ip := c.AuxiliaryAddresses[name]
		if a, err := netip.ParseAddr(ip); err != nil || !subnet.Contains(a) {
			return fmt.Errorf("field \"ipam.config.aux_addresses.%s\": %q is not an address of subnet %s", name, ip, subnet)
		}
	}
	return nil
}
