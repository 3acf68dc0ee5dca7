package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"sync"
)

// ErrNoIPv6Publish is a port published on an IPv6 host address on a host that cannot
// forward it: no ip6tables for portmap's rules, or no IPv6 on the loopback.
var ErrNoIPv6Publish = errors.New("this host cannot publish on IPv6")

// ipv6Publishing says why this host cannot publish on an IPv6 address, nil when it
// can: portmap writes the rules with ip6tables, and the loopback's ::1 is where a
// program on the host reaches them.
var ipv6Publishing = sync.OnceValue(func() error {
	if _, err := exec.LookPath("ip6tables"); err != nil {
		return fmt.Errorf("%w: ip6tables is not installed", ErrNoIPv6Publish)
	}
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return fmt.Errorf("%w: the loopback has no ::1", ErrNoIPv6Publish)
	}
	l.Close()
	return nil
})

// ErrIPv6Loopback is a udp or sctp port published on ::1: the kernel cannot DNAT
// it (see ProxyIPv6Loopback), and berth's proxy there carries tcp only.
var ErrIPv6Loopback = errors.New("berth serves ::1 through a tcp proxy (the kernel does not forward IPv6 loopback traffic to a container): publish udp and sctp on :: or one of the host's IPv6 addresses")

// checkIPv6Host refuses a port on an IPv6 host address where the host cannot
// publish it, naming the port.
func checkIPv6Host(p Port) error {
	if err := ipv6Publishing(); err != nil {
		return fmt.Errorf("field \"ports\": %s: %w", p, err)
	}
	if a, err := netip.ParseAddr(p.HostIP); err == nil && a.IsLoopback() && p.Protocol != "tcp" {
		return fmt.Errorf("field \"ports\": %s: %w", p, ErrIPv6Loopback)
	}
	return nil
}

// checkIPv6Ports refuses a port on an IPv6 host address when the network the ports
// are published on has no IPv6: portmap would forward it nowhere.
func checkIPv6Ports(first *Network, ports []Port) error {
	if first.Subnet6 != "" {
		return nil
	}
	for _, p := range ports {
		if a, err := netip.ParseAddr(p.HostIP); err == nil && a.Is6() {
			return fmt.Errorf("%w: field \"ports\": %s: network %q, where the ports are published, has no IPv6 (enable_ipv6: true)", ErrInvalid, p, first.Name)
		}
	}
	return nil
}
