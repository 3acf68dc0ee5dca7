package network

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// hostRange turns compose's ip_range, a CIDR inside the subnet, into host-local's
// rangeStart and rangeEnd, keeping clear of the subnet's own address and, in IPv4,
// its broadcast address.
func hostRange(subnet netip.Prefix, ipRange string) (start, end string, err error) {
	if ipRange == "" {
		return "", "", nil
	}
	r, err := netip.ParsePrefix(ipRange)
	if err != nil {
		return "", "", fmt.Errorf("%w: ip_range %q: %v", ErrInvalid, ipRange, err)
	}
	r = r.Masked()
	if r.Addr().Is4() != subnet.Addr().Is4() || r.Bits() < subnet.Bits() || !subnet.Contains(r.Addr()) {
		return "", "", fmt.Errorf("%w: ip_range %s is not inside subnet %s", ErrInvalid, r, subnet)
	}
	first, last := r.Addr(), lastAddr(r)
	if first == subnet.Addr() {
		first = first.Next()
	}
	if subnet.Addr().Is4() && last == lastAddr(subnet) {
		last = last.Prev()
	}
	if last.Less(first) {
		return "", "", fmt.Errorf("%w: ip_range %s leaves no address to hand out", ErrInvalid, r)
	}
	return first.String(), last.String(), nil
}

// checkAuxAddresses wants each reserved address to be a host address of one of the
// network's subnets, not its gateway.
func checkAuxAddresses(aux map[string]string, subnets []netip.Prefix, gateways []string) error {
	for name, s := range aux {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return fmt.Errorf("%w: aux_addresses %s: %q is not an address", ErrInvalid, name, s)
		}
		inside := false
		for _, p := range subnets {
			inside = inside || (p.Contains(a) && a != p.Addr())
		}
		if !inside {
			return fmt.Errorf("%w: aux_addresses %s: %s is in none of the network's subnets", ErrInvalid, name, a)
		}
		for _, gw := range gateways {
			if gw == a.String() {
				return fmt.Errorf("%w: aux_addresses %s: %s is the gateway", ErrInvalid, name, a)
			}
		}
	}
	return nil
}

// auxLeasePrefix marks the lease files that hold aux_addresses: host-local takes an
// address whose file exists as in use, and no container's DEL ever matches this ID.
const auxLeasePrefix = "berth-aux-address:"

// reserveAuxAddresses writes one host-local lease file per aux address into the
// network's IPAM directory, so that no container gets one of them.
func reserveAuxAddresses(dir string, aux map[string]string) error {
	for name, s := range aux {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return fmt.Errorf("aux_addresses %s: %w", name, err)
		}
		path := filepath.Join(dir, a.String())
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if os.IsExist(err) {
			continue // reserved already
		}
		if err != nil {
			return fmt.Errorf("aux_addresses %s: %w", name, err)
		}
		_, err = f.WriteString(auxLeasePrefix + strings.ReplaceAll(name, "\n", " "))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("aux_addresses %s: %w", name, err)
		}
	}
	return nil
}

// checkRanges checks a new network's ip_range of each family and its aux_addresses
// against its subnets.
func checkRanges(cfg Config, subnets []netip.Prefix, gateways []string) error {
	for i, r := range []string{cfg.IPRange, cfg.IPRange6} {
		if r == "" {
			continue
		}
		if i >= len(subnets) {
			return fmt.Errorf("%w: ip_range %s: the network has no IPv6 subnet", ErrInvalid, r)
		}
		if _, _, err := hostRange(subnets[i], r); err != nil {
			return err
		}
	}
	return checkAuxAddresses(cfg.AuxAddresses, subnets, gateways)
}
