package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// ensureBridgeIPv6 gives an IPv6 network's bridge its gateway address, as ensureBridge
// does the IPv4 one. Without duplicate address detection: the address is berth's on a
// bridge berth just made, and a tentative address would make the first containers'
// default route wait for it.
func ensureBridgeIPv6(link netlink.Link, n *Network) error {
	if n.Subnet6 == "" {
		return nil
	}
	prefix, err := netip.ParsePrefix(n.Subnet6)
	if err != nil {
		return fmt.Errorf("bridge %s: subnet %q: %w", n.Bridge, n.Subnet6, err)
	}
	gw, err := netip.ParseAddr(n.Gateway6)
	if err != nil {
		return fmt.Errorf("bridge %s: gateway %q: %w", n.Bridge, n.Gateway6, err)
	}
	want := &net.IPNet{IP: gw.AsSlice(), Mask: net.CIDRMask(prefix.Bits(), 128)}
	err = netlink.AddrAdd(link, &netlink.Addr{IPNet: want, Flags: unix.IFA_F_NODAD})
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("bridge %s: add address %s: %w", n.Bridge, want, err)
	}
	return nil
}
