package compose

import (
	"maps"
	"net/netip"
)

// networkDrift names the first setting in which an existing network differs from the
// one the file asks for (want), or returns "". Only what the file states is compared:
// a subnet berth chose is no drift. berth does not remake a network under running
// containers; the user is told to.
func networkDrift(want, have Network) string {
	switch {
	case want.Internal != have.Internal:
		return "internal"
	case want.Subnet != "" && !samePrefix(want.Subnet, have.Subnet):
		return "subnet"
	case want.IPv6 != (have.Subnet6 != ""):
		return "enable_ipv6"
	case want.Subnet6 != "" && !samePrefix(want.Subnet6, have.Subnet6):
		return "IPv6 subnet"
	case want.IPRange != have.IPRange || want.IPRange6 != have.IPRange6:
		return "ip_range"
	case !maps.Equal(want.AuxAddresses, have.AuxAddresses):
		return "aux_addresses"
	case want.Bridge != "" && want.Bridge != have.Bridge:
		return "bridge name (driver_opts)"
	case want.MTU != have.MTU:
		return "MTU (driver_opts)"
	}
	return ""
}

func samePrefix(a, b string) bool {
	pa, errA := netip.ParsePrefix(a)
	pb, errB := netip.ParsePrefix(b)
	return errA == nil && errB == nil && pa.Masked() == pb.Masked()
}
