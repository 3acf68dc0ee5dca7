package project

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// The parts of a service's network attachments that must be right before anything
// is made: MAC addresses, interface names, link-local addresses.

// checkMACs refuses a mac_address that is not one, and a service-level one that
// contradicts the one given on the service's first network, where it applies.
func checkMACs(s types.ServiceConfig) error {
	check := func(field, mac string) error {
		if mac == "" {
			return nil
		}
		if hw, err := net.ParseMAC(mac); err != nil || len(hw) != 6 {
			return fmt.Errorf("field %q: %q is not a MAC address", field, mac)
		}
		return nil
	}
	if err := check("mac_address", s.MacAddress); err != nil {
		return err
	}
	for key, n := range s.Networks {
		if n == nil {
			continue
		}
		if err := check("networks."+key+".mac_address", n.MacAddress); err != nil {
			return err
		}
	}
	if s.MacAddress == "" {
		return nil
	}
	if s.NetworkMode != "" {
		return fmt.Errorf("field \"mac_address\": not with network_mode %q", s.NetworkMode)
	}
	if first := s.NetworksByPriority(); len(first) > 0 {
		if n := s.Networks[first[0]]; n != nil && n.MacAddress != "" && !strings.EqualFold(n.MacAddress, s.MacAddress) {
			return fmt.Errorf("field \"mac_address\": %s differs from networks.%s.mac_address %s", s.MacAddress, first[0], n.MacAddress)
		}
	}
	return nil
}

// checkLinkLocal wants every link_local_ips entry to be a link-local address.
func checkLinkLocal(s types.ServiceConfig) error {
	for _, key := range s.NetworksByPriority() {
		n := s.Networks[key]
		if n == nil {
			continue
		}
		for _, ip := range n.LinkLocalIPs {
			if a, err := netip.ParseAddr(ip); err != nil || !a.IsLinkLocalUnicast() {
				return fmt.Errorf("field \"networks.%s.link_local_ips\": %q is not a link-local address", key, ip)
			}
		}
	}
	return nil
}

// checkInterfaceNames wants each interface_name of a service to be a link name the
// kernel takes, used once.
func checkInterfaceNames(s types.ServiceConfig) error {
	seen := map[string]string{}
	for _, key := range s.NetworksByPriority() {
		n := s.Networks[key]
		if n == nil || n.InterfaceName == "" {
			continue
		}
		if !isLinkName(n.InterfaceName) || n.InterfaceName == "lo" {
			return fmt.Errorf("field \"networks.%s.interface_name\": %q is not an interface name of 1 to %d characters", key, n.InterfaceName, maxLinkName)
		}
		if other, dup := seen[n.InterfaceName]; dup {
			return fmt.Errorf("field \"networks.%s.interface_name\": %q is network %s's already", key, n.InterfaceName, other)
		}
		seen[n.InterfaceName] = key
	}
	return nil
}
