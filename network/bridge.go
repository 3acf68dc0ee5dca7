package network

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// ensureBridge makes n's bridge with the gateway address, up, now rather than at the
// first attachment: its route then shows the subnet as taken to every other allocator
// on the host (another berth namespace, podman, Docker), and the resolver can bind
// to the gateway before any container exists. The CNI bridge plugin later finds it
// as it expects it (same name, gateway/len as the only IPv4 address).
func ensureBridge(n *Network) error {
	prefix, err := netip.ParsePrefix(n.Subnet)
	if err != nil {
		return fmt.Errorf("bridge %s: subnet %q: %w", n.Bridge, n.Subnet, err)
	}
	gw, err := netip.ParseAddr(n.Gateway)
	if err != nil {
		return fmt.Errorf("bridge %s: gateway %q: %w", n.Bridge, n.Gateway, err)
	}
	link, err := netlinksafe.LinkByName(n.Bridge)
	if err != nil && !isLinkNotFound(err) {
		return fmt.Errorf("bridge %s: %w", n.Bridge, err)
	}
	if link != nil && link.Type() != "bridge" {
		return fmt.Errorf("bridge %s: a %s link of that name exists", n.Bridge, link.Type())
	}
	if link == nil {
		mac, err := bridgeMAC()
		if err != nil {
			return fmt.Errorf("bridge %s: %w", n.Bridge, err)
		}
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: n.Bridge, TxQLen: -1, MTU: n.MTU, HardwareAddr: mac}}
		if err := netlink.LinkAdd(br); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("create bridge %s: %w", n.Bridge, err)
		}
		if link, err = netlinksafe.LinkByName(n.Bridge); err != nil {
			return fmt.Errorf("bridge %s: %w", n.Bridge, err)
		}
	}
	want := &net.IPNet{IP: gw.AsSlice(), Mask: net.CIDRMask(prefix.Bits(), 32)}
	addrs, err := netlinksafe.AddrList(link, netlink.FAMILY_V4)
	if err != nil {
		return fmt.Errorf("bridge %s: list addresses: %w", n.Bridge, err)
	}
	has := false
	for _, a := range addrs {
		if a.IPNet.String() == want.String() {
			has = true
			continue
		}
		// The bridge plugin refuses a bridge with another IPv4 address, so a stale one
		// (from an earlier network of this name whose state was lost) goes.
		if err := netlink.AddrDel(link, &a); err != nil {
			return fmt.Errorf("bridge %s: remove stale address %s: %w", n.Bridge, a.IPNet, err)
		}
	}
	if !has {
		if err := netlink.AddrAdd(link, &netlink.Addr{IPNet: want}); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("bridge %s: add address %s: %w", n.Bridge, want, err)
		}
	}
	if err := ensureBridgeIPv6(link, n); err != nil {
		return err
	}
	// The alias marks the bridge as berth's whatever its name (driver_opts may give
	// one), for the leak check and for a person reading `ip link`.
	if alias := bridgeAliasPrefix + n.Name; link.Attrs().Alias != alias {
		if err := netlink.LinkSetAlias(link, alias); err != nil {
			return fmt.Errorf("bridge %s: set alias: %w", n.Bridge, err)
		}
	}
	// Set, not left to the kernel: a bridge otherwise takes the smallest MTU of its
	// ports, and without ports a default that says nothing of the network's.
	if n.MTU > 0 && link.Attrs().MTU != n.MTU {
		if err := netlink.LinkSetMTU(link, n.MTU); err != nil {
			return fmt.Errorf("bridge %s: set MTU %d: %w", n.Bridge, n.MTU, err)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("bridge %s: set up: %w", n.Bridge, err)
	}
	return nil
}

// bridgeMAC is a random locally administered unicast address for a new bridge. Set
// explicitly, it stays put; left to the kernel, a bridge takes the smallest address of
// its ports and changes it when a container with a smaller one joins, and every other
// container keeps the gateway's old address in its ARP cache until it expires:
// seconds with no way to the gateway or to berth's resolver on it.
func bridgeMAC() (net.HardwareAddr, error) {
	mac := make(net.HardwareAddr, 6)
	if _, err := rand.Read(mac); err != nil {
		return nil, fmt.Errorf("random MAC address: %w", err)
	}
	mac[0] = mac[0]&^0x01 | 0x02
	return mac, nil
}

// bridgeAliasPrefix begins the alias of every bridge berth makes, before the network's name.
const bridgeAliasPrefix = "berth network "

// deleteBridge removes a bridge; an absent one is fine. Its address and route go with
// it (ports still enslaved would only be released, which is why Remove refuses a
// network that still has endpoints).
func deleteBridge(name string) error {
	link, err := netlinksafe.LinkByName(name)
	if isLinkNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bridge %s: %w", name, err)
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete bridge %s: %w", name, err)
	}
	return nil
}

func isLinkNotFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return err != nil && errors.As(err, &nf)
}
