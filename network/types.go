package network

import "time"

// Config is a network as a compose file (or `berth network create`) asks for it.
type Config struct {
	Name     string            `json:"name"`              // full name, e.g. "myapp_default"
	Project  string            `json:"project,omitempty"` // "" for networks outside projects
	Labels   map[string]string `json:"labels,omitempty"`
	Subnet   string            `json:"subnet,omitempty"`  // CIDR from ipam; "" = allocate one
	Gateway  string            `json:"gateway,omitempty"` // from ipam; "" = first address of the subnet
	Internal bool              `json:"internal,omitempty"`
	// Bridge names the Linux bridge (driver_opts com.docker.network.bridge.name);
	// "" = berth's own name for it.
	Bridge string `json:"bridge,omitempty"`
	// MTU of the bridge and of the containers' interfaces (com.docker.network.driver.mtu);
	// 0 = the kernel's default.
	MTU int `json:"mtu,omitempty"`
	// IPv6 gives the network an IPv6 subnet too (enable_ipv6): Subnet6 and Gateway6
	// from ipam, or one allocated from a unique local pool.
	IPv6     bool   `json:"ipv6,omitempty"`
	Subnet6  string `json:"subnet6,omitempty"`
	Gateway6 string `json:"gateway6,omitempty"`
	// IPRange and IPRange6 (ipam's ip_range) are where containers without an address
	// of their own get theirs; "" = the whole subnet.
	IPRange  string `json:"ip_range,omitempty"`
	IPRange6 string `json:"ip_range6,omitempty"`
	// AuxAddresses (ipam's aux_addresses) are never given to a container: name → IP.
	AuxAddresses map[string]string `json:"aux_addresses,omitempty"`
}

// Network is a network as berth made it. One JSON file per network lives at
// <StateDir>/networks/<Name>.json.
type Network struct {
	Name         string            `json:"name"`
	Project      string            `json:"project,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
	Internal     bool              `json:"internal,omitempty"`
	Subnet       string            `json:"subnet"`  // the CIDR in use (given or allocated)
	Gateway      string            `json:"gateway"` // the bridge's address; the resolver listens here
	Bridge       string            `json:"bridge"`  // Linux bridge name, "berth" + 10 hex digits unless given
	MTU          int               `json:"mtu,omitempty"`
	Subnet6      string            `json:"subnet6,omitempty"`  // "" = no IPv6
	Gateway6     string            `json:"gateway6,omitempty"` // the bridge's IPv6 address
	IPRange      string            `json:"ip_range,omitempty"`
	IPRange6     string            `json:"ip_range6,omitempty"`
	AuxAddresses map[string]string `json:"aux_addresses,omitempty"`
	Created      time.Time         `json:"created"`
}

// Port is one published port.
type Port struct {
	HostIP   string `json:"host_ip,omitempty"` // "" = every host address
	HostPort uint16 `json:"host_port"`
	// HostPortEnd > HostPort asks for any free port of HostPort..HostPortEnd (Docker's
	// "8000-8010:80"); the one picked is recorded as HostPort.
	HostPortEnd   uint16 `json:"host_port_end,omitempty"`
	ContainerPort uint16 `json:"container_port"`
	Protocol      string `json:"protocol"` // "tcp" or "udp"
}

// Attachment asks for a container to join one network.
type Attachment struct {
	Network string   // full network name
	Aliases []string // DNS aliases on this network
	IPv4    string   // the address asked for (ipv4_address); "" = any free one
	IPv6    string   // the address asked for (ipv6_address), on an IPv6 network
	MAC     string   // the address asked for (mac_address); "" = a random one
	// IfName is the interface's name in the container (interface_name); "" = ethN.
	IfName string
	// GatewayPriority (gw_priority): the network of the highest gives the default route.
	GatewayPriority int
	// NoServiceName: the service's name does not answer for the container on this
	// network (use_service_name_alias: false); its own names and aliases still do.
	NoServiceName bool
	// LinkLocal are link-local addresses the interface gets besides (link_local_ips).
	LinkLocal []string
}
