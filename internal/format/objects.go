package format

import "time"

// The listings of `network ls` and `volume ls`: narrower tables than docker
// compose's, as berth has always printed them.
var (
	NetworkListing = Listing{
		Default: "table {{.Name}}\t{{.Driver}}\t{{.Subnet}}\t{{.Project}}",
		Key:     "Name", Tight: true,
	}
	VolumeListing = Listing{
		Default: "table {{.Driver}}\t{{.Name}}\t{{.Project}}",
		Headers: map[string]string{"Name": "VOLUME NAME"},
		Key:     "Name", Tight: true,
	}
)

// NetworkRow is a network as `network ls` and `network inspect` show it; its JSON
// has docker's field names, in the order docker writes them.
type NetworkRow struct {
	// Containers are inspect's alone (nil in ls): the members by container ID.
	Containers *map[string]Endpoint `json:"Containers,omitempty"`
	Created    time.Time            `json:"Created"`
	Driver     string               `json:"Driver"`
	EnableIPv6 bool                 `json:"EnableIPv6"`
	IPAM       IPAM                 `json:"IPAM"`
	Internal   bool                 `json:"Internal"`
	Labels     map[string]string    `json:"Labels"`
	Name       string               `json:"Name"`
	Options    map[string]string    `json:"Options"`
	// The table's: its IPv4 subnet, and the project that made it ("" for none).
	Subnet  string `json:"-"`
	Project string `json:"-"`
}

// IPAM is a network's address pools, one per address family.
type IPAM struct {
	Config []Pool `json:"Config"`
}

// Pool is one address pool: its subnet, gateway, the range containers get
// addresses from, and the addresses reserved in it by name.
type Pool struct {
	AuxiliaryAddresses map[string]string `json:"AuxiliaryAddresses,omitempty"`
	Gateway            string            `json:"Gateway"`
	IPRange            string            `json:"IPRange,omitempty"`
	Subnet             string            `json:"Subnet"`
}

// Endpoint is a container on a network, its addresses with their prefix lengths.
type Endpoint struct {
	IPv4Address string `json:"IPv4Address"`
	IPv6Address string `json:"IPv6Address"`
	MacAddress  string `json:"MacAddress"`
	Name        string `json:"Name"`
}

// VolumeRow is a volume as `volume ls`, `volume inspect` and `volumes` show it.
type VolumeRow struct {
	Created    time.Time         `json:"Created"`
	Driver     string            `json:"Driver"`
	Labels     map[string]string `json:"Labels"`
	Mountpoint string            `json:"Mountpoint"`
	Name       string            `json:"Name"`
	Project    string            `json:"-"` // the table's
}
