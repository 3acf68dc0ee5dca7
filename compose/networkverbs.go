package compose

import (
	"context"
	"fmt"
	"net/netip"
	"sort"

	"berth.dev/berth/internal/format"
	"berth.dev/berth/internal/names"
	"berth.dev/berth/project"
)

// `berth network …`: networks outside projects, which a compose file can use as
// external.

// NetworkCreate makes a network that belongs to no project (a compose file can use
// it as external).
func (e *Engine) NetworkCreate(ctx context.Context, spec NetworkSpec) error {
	if err := names.Check(names.Network, spec.Name); err != nil {
		return err
	}
	n, err := spec.network()
	if err != nil {
		return err
	}
	if existing, err := e.findNetwork(ctx, n.Name); err == nil {
		return fmt.Errorf("%w: network %q exists already (subnet %s)", project.ErrInvalid, existing.Name, existing.Subnet)
	}
	n.Project = ""
	if err := e.Runtime.EnsureNetwork(ctx, n); err != nil {
		return err
	}
	fmt.Fprintln(e.Out, n.Name)
	return nil
}

// NetworkRm removes networks; one still used by a container is an error.
func (e *Engine) NetworkRm(ctx context.Context, networks []string) error {
	if err := checkNames(names.Network, networks); err != nil {
		return err
	}
	for _, name := range networks {
		if err := e.Runtime.RemoveNetwork(ctx, name); err != nil {
			return fmt.Errorf("network %q: %w", name, err)
		}
		fmt.Fprintln(e.Out, name)
	}
	return e.Runtime.RemoveAgentIfIdle(ctx)
}

// NetworkLs lists every network berth made, by name.
func (e *Engine) NetworkLs(ctx context.Context) ([]format.NetworkRow, error) {
	nets, err := e.Runtime.Networks(ctx, "")
	if err != nil {
		return nil, err
	}
	sort.Slice(nets, func(i, j int) bool { return nets[i].Name < nets[j].Name })
	rows := make([]format.NetworkRow, 0, len(nets))
	for _, n := range nets {
		rows = append(rows, networkRow(n))
	}
	return rows, nil
}

// NetworkInspect describes the networks, with the containers on each.
func (e *Engine) NetworkInspect(ctx context.Context, networks []string) ([]format.NetworkRow, error) {
	if err := checkNames(names.Network, networks); err != nil {
		return nil, err
	}
	var out []format.NetworkRow
	for _, name := range networks {
		n, err := e.findNetwork(ctx, name)
		if err != nil {
			return nil, err
		}
		members, err := e.Runtime.NetworkMembers(ctx, n.Name)
		if err != nil {
			return nil, err
		}
		row := networkRow(n)
		endpoints := endpoints(n, members)
		row.Containers = &endpoints
		out = append(out, row)
	}
	return out, nil
}

func (e *Engine) findNetwork(ctx context.Context, name string) (Network, error) {
	nets, err := e.Runtime.Networks(ctx, "")
	if err != nil {
		return Network{}, err
	}
	for _, n := range nets {
		if n.Name == name {
			return n, nil
		}
	}
	return Network{}, fmt.Errorf("network %q: %w", name, ErrNotFound)
}

// endpoints are inspect's Containers, by container ID as Docker shows them, with
// each address's prefix length.
func endpoints(n Network, members []NetworkMember) map[string]format.Endpoint {
	withBits := func(ip, subnet string) string {
		p, err := netip.ParsePrefix(subnet)
		if ip == "" || err != nil {
			return ip
		}
		return fmt.Sprintf("%s/%d", ip, p.Bits())
	}
	out := map[string]format.Endpoint{}
	for _, m := range members {
		out[m.ContainerID] = format.Endpoint{Name: m.Name, MacAddress: m.MAC,
			IPv4Address: withBits(m.IPv4, n.Subnet), IPv6Address: withBits(m.IPv6, n.Subnet6)}
	}
	return out
}

func networkRow(n Network) format.NetworkRow {
	pool := func(subnet, gateway, ipRange string) format.Pool {
		p := format.Pool{Subnet: subnet, Gateway: gateway, IPRange: ipRange}
		// Each reserved address with the pool it is in, as Docker shows them.
		for name, ip := range n.AuxAddresses {
			if a, err := netip.ParseAddr(ip); err == nil {
				if s, err := netip.ParsePrefix(subnet); err == nil && s.Contains(a) {
					if p.AuxiliaryAddresses == nil {
						p.AuxiliaryAddresses = map[string]string{}
					}
					p.AuxiliaryAddresses[name] = ip
				}
			}
		}
		return p
	}
	pools := []format.Pool{pool(n.Subnet, n.Gateway, n.IPRange)}
	if n.Subnet6 != "" {
		pools = append(pools, pool(n.Subnet6, n.Gateway6, n.IPRange6))
	}
	opts := map[string]string{project.DriverOptBridgeName: n.Bridge}
	if n.MTU > 0 {
		opts[project.DriverOptMTU] = fmt.Sprint(n.MTU)
	}
	return format.NetworkRow{
		Name: n.Name, Driver: "bridge", Internal: n.Internal, Created: n.Created,
		EnableIPv6: n.Subnet6 != "", IPAM: format.IPAM{Config: pools},
		Labels: nonNil(n.Labels), Options: opts, Subnet: n.Subnet, Project: n.Project,
	}
}
