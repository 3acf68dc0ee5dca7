package network

// Endpoint is what the resolver knows of one container: its names and, per network,
// its address and aliases. berth writes one file per container under
// <StateDir>/endpoints/<ContainerID>.json when the container is attached, and removes it
// when the container is torn down. The resolver reads nothing else of a container.
type Endpoint struct {
	ContainerID   string `json:"container_id"`
	Project       string `json:"project,omitempty"`
	Service       string `json:"service,omitempty"`
	ContainerName string `json:"container_name"`
	Hostname      string `json:"hostname,omitempty"`
	NetNS         string `json:"netns"`
	// DNS are the container's own upstream servers (compose's dns), "ip:port": the
	// resolver forwards its queries for other names there rather than to the host's.
	DNS []string `json:"dns,omitempty"`
	// Links are names only this container resolves (compose's links): alias → the
	// service or container name it stands for.
	Links    map[string]string `json:"links,omitempty"`
	Networks []EndpointNetwork `json:"networks"`
	// Ports are the published ports, all on the first network; a HostPort asked as 0
	// is recorded here as the port berth picked.
	Ports []Port `json:"ports,omitempty"`
}

// EndpointNetwork is one attachment of a container to a network.
type EndpointNetwork struct {
	Network   string   `json:"network"`        // full network name, as in Network.Name
	Interface string   `json:"interface"`      // eth0, eth1, ... in attachment order
	IP        string   `json:"ip"`             // IPv4 address without prefix length
	IPv6      string   `json:"ipv6,omitempty"` // on an IPv6 network
	MAC       string   `json:"mac,omitempty"`
	Aliases   []string `json:"aliases,omitempty"` // DNS aliases on this network only
	// NoServiceName: the service's name does not answer for it here.
	NoServiceName bool `json:"no_service_name,omitempty"`
}

// EndpointsDir and NetworksDir name the state directory's subfolders that the
// resolver watches.
const (
	EndpointsDir = "endpoints"
	NetworksDir  = "networks"
)
