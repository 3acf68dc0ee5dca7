package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// linkLocalPrefix is the link-local network an address of link_local_ips belongs to:
// 169.254.0.0/16 or fe80::/64, which is also the prefix length it gets.
func linkLocalPrefix(ip string) (netip.Prefix, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.IsLinkLocalUnicast() {
		return netip.Prefix{}, fmt.Errorf("%w: link_local_ips: %q is not a link-local address", ErrInvalid, ip)
	}
	if a.Is4() {
		return netip.PrefixFrom(a, 16), nil
	}
	return netip.PrefixFrom(a, 64), nil
}

// addLinkLocal gives the container's interface ifname its link-local addresses, which
// CNI knows nothing of (Docker's link_local_ips). They go with the interface.
func addLinkLocal(netns, ifname string, ips []string) error {
	if len(ips) == 0 {
		return nil
	}
	return ns.WithNetNSPath(netns, func(ns.NetNS) error {
		link, err := netlinksafe.LinkByName(ifname)
		if err != nil {
			return fmt.Errorf("%s: %w", ifname, err)
		}
		for _, ip := range ips {
			p, err := linkLocalPrefix(ip)
			if err != nil {
				return err
			}
			bits := 32
			if p.Addr().Is6() {
				bits = 128
			}
			addr := &netlink.Addr{IPNet: &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}, Flags: unix.IFA_F_NODAD}
			if err := netlink.AddrAdd(link, addr); err != nil && !errors.Is(err, unix.EEXIST) {
				return fmt.Errorf("%s: add %s: %w", ifname, addr.IPNet, err)
			}
		}
		return nil
	})
}
