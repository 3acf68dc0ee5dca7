package network

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"path/filepath"
)

// cniVersion: Debian's plugins (1.1.1) accept 0.1.0 ... 1.0.0; 1.0.0 is the newest
// they speak and the first with a cached prevResult on DEL, which the firewall plugin
// needs to delete its rules.
const cniVersion = "1.0.0"

// bridgeName is "berth" + 10 hex digits: 15 characters, the kernel's limit for link
// names. The hash covers the state directory too, not only the network name: two
// containerd namespaces (two state dirs) may both have "myapp_default", and they
// must not share a bridge.
func bridgeName(stateDir, network string) string {
	dir, err := filepath.Abs(stateDir)
	if err != nil {
		dir = filepath.Clean(stateDir)
	}
	sum := sha256.Sum256([]byte(dir + "\x00" + network))
	return "berth" + hex.EncodeToString(sum[:])[:10]
}

type conflist struct {
	CNIVersion string `json:"cniVersion"`
	Name       string `json:"name"`
	Plugins    []any  `json:"plugins"`
}

type bridgeConf struct {
	Type        string   `json:"type"`
	Bridge      string   `json:"bridge"`
	IsGateway   bool     `json:"isGateway"`
	IPMasq      bool     `json:"ipMasq"`
	HairpinMode bool     `json:"hairpinMode"`
	MTU         int      `json:"mtu,omitempty"` // the veths' (berth sets the bridge's itself)
	IPAM        ipamConf `json:"ipam"`
	// ips lets a container ask for its address (ipv4_address); libcni hands the
	// runtime config to host-local through the bridge plugin. mac lets it ask for
	// its MAC address (mac_address).
	Capabilities map[string]bool `json:"capabilities,omitempty"`
}

type ipamConf struct {
	Type    string          `json:"type"`
	DataDir string          `json:"dataDir"`
	Ranges  [][]ipamRange   `json:"ranges"`
	Routes  []ipamRouteConf `json:"routes,omitempty"`
}

type ipamRange struct {
	Subnet     string `json:"subnet"`
	RangeStart string `json:"rangeStart,omitempty"`
	RangeEnd   string `json:"rangeEnd,omitempty"`
	Gateway    string `json:"gateway"`
}

type ipamRouteConf struct {
	Dst string `json:"dst"`
}

// conflistVariant is how one container's ADD departs from its network's conflist.
type conflistVariant struct {
	// WholeSubnet: the ranges ignore ip_range. host-local hands out only addresses of
	// its range, also when a container asks for one, and Docker lets a container ask
	// for any address of the subnet.
	WholeSubnet bool
	// NoDefaultRoute and NoDefaultRoute6: another network of the container gives its
	// default route of that family (the highest gw_priority), so this one adds none.
	NoDefaultRoute, NoDefaultRoute6 bool
	// NoPorts: the container publishes no port on this network, and portmap, which
	// would do nothing for it but start, is left out (its DEL runs the ADD's list).
	NoPorts bool
}

// rangeOf is one host-local range: the subnet, narrowed to ipRange unless whole.
func rangeOf(subnet, gateway, ipRange string, whole bool) (ipamRange, error) {
	r := ipamRange{Subnet: subnet, Gateway: gateway}
	if ipRange == "" || whole {
		return r, nil
	}
	p, err := netip.ParsePrefix(subnet)
	if err != nil {
		return r, err
	}
	r.RangeStart, r.RangeEnd, err = hostRange(p.Masked(), ipRange)
	return r, err
}

type portmapConf struct {
	Type         string          `json:"type"`
	Capabilities map[string]bool `json:"capabilities"`
	SNAT         bool            `json:"snat"`
	ConditionsV6 []string        `json:"conditionsV6,omitempty"`
}

// notToIPv6Loopback keeps portmap's IPv6 DNAT off connections to ::1: the kernel
// would drop them on the bridge, and berth's agent serves ::1 with a proxy instead
// (see ProxyIPv6Loopback).
var notToIPv6Loopback = []string{"!", "-d", "::1/128"}

// buildConflist is the CNI configuration of n: bridge with host-local IPAM, then
// portmap. Masquerading and accepting the containers' traffic in FORWARD are the
// network's own rules (see bridgerules.go), not the plugins' per container.
//
//   - isGateway puts the gateway address on the bridge: containers route through it
//     and the resolver listens on it, also on internal networks.
//   - An internal network has no default route (and no masquerading), so its
//     containers reach only their subnet (and the gateway).
//   - portmap's snat marks connections from 127.0.0.1 and hairpin connections for
//     masquerading and sets route_localnet on the bridge, which is what makes a
//     published port answer on 127.0.0.1.
//
// A variant departs from that for one container's ADD (DEL needs none of it): see
// conflistVariant. All variants share the one lease directory.
func buildConflist(stateDir string, n *Network, v conflistVariant) ([]byte, error) {
	v4, err := rangeOf(n.Subnet, n.Gateway, n.IPRange, v.WholeSubnet)
	if err != nil {
		return nil, err
	}
	ipam := ipamConf{
		Type:    "host-local",
		DataDir: filepath.Join(stateDir, ipamDir),
		Ranges:  [][]ipamRange{{v4}},
	}
	if !n.Internal && !v.NoDefaultRoute {
		ipam.Routes = []ipamRouteConf{{Dst: "0.0.0.0/0"}}
	}
	// An IPv6 network is dual-stack: host-local gives each container one address of
	// each range.
	if n.Subnet6 != "" {
		v6, err := rangeOf(n.Subnet6, n.Gateway6, n.IPRange6, v.WholeSubnet)
		if err != nil {
			return nil, err
		}
		ipam.Ranges = append(ipam.Ranges, []ipamRange{v6})
		if !n.Internal && !v.NoDefaultRoute6 {
			ipam.Routes = append(ipam.Routes, ipamRouteConf{Dst: "::/0"})
		}
	}
	portmap := portmapConf{Type: "portmap", Capabilities: map[string]bool{"portMappings": true}, SNAT: true}
	if n.Subnet6 != "" {
		portmap.ConditionsV6 = notToIPv6Loopback
	}
	c := conflist{
		CNIVersion: cniVersion,
		Name:       n.Name,
		Plugins: []any{
			bridgeConf{
				Type:         "bridge",
				Bridge:       n.Bridge,
				IsGateway:    true,
				IPMasq:       false, // the network's one rule, see bridgerules.go
				HairpinMode:  true,
				MTU:          n.MTU,
				IPAM:         ipam,
				Capabilities: map[string]bool{"ips": true, "mac": true},
			},
		},
	}
	if !v.NoPorts {
		c.Plugins = append(c.Plugins, portmap)
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
