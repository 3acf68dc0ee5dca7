package compose

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"text/tabwriter"

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

// NetworkLs lists every network berth made.
func (e *Engine) NetworkLs(ctx context.Context, format string, quiet bool) error {
	nets, err := e.Runtime.Networks(ctx, "")
	if err != nil {
		return err
	}
	sort.Slice(nets, func(i, j int) bool { return nets[i].Name < nets[j].Name })
	switch {
	case quiet:
		for _, n := range nets {
			fmt.Fprintln(e.Out, n.Name)
		}
		return nil
	case format == "json":
		enc := json.NewEncoder(e.Out)
		for _, n := range nets {
			if err := enc.Encode(networkJSON(n)); err != nil {
				return err
			}
		}
		return nil
	case format != "" && format != "table":
		return fmt.Errorf("%w: unknown format %q: use table or json", project.ErrInvalid, format)
	}
	tw := tabwriter.NewWriter(e.Out, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDRIVER\tSUBNET\tPROJECT")
	for _, n := range nets {
		fmt.Fprintf(tw, "%s\tbridge\t%s\t%s\n", n.Name, n.Subnet, n.Project)
	}
	return tw.Flush()
}

// NetworkInspect prints networks as a JSON array.
func (e *Engine) NetworkInspect(ctx context.Context, networks []string) error {
	if err := checkNames(names.Network, networks); err != nil {
		return err
	}
	var out []map[string]any
	for _, name := range networks {
		n, err := e.findNetwork(ctx, name)
		if err != nil {
			return err
		}
		members, err := e.Runtime.NetworkMembers(ctx, n.Name)
		if err != nil {
			return err
		}
		j := networkJSON(n)
		j["Containers"] = membersJSON(n, members)
		out = append(out, j)
	}
	return writeJSONArray(e, out)
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

// membersJSON is inspect's Containers, by container ID as Docker shows them, with
// each address's prefix length.
func membersJSON(n Network, members []NetworkMember) map[string]any {
	withBits := func(ip, subnet string) string {
		p, err := netip.ParsePrefix(subnet)
		if ip == "" || err != nil {
			return ip
		}
		return fmt.Sprintf("%s/%d", ip, p.Bits())
	}
	out := map[string]any{}
	for _, m := range members {
		out[m.ContainerID] = map[string]string{"Name": m.Name, "MacAddress": m.MAC,
			"IPv4Address": withBits(m.IPv4, n.Subnet), "IPv6Address": withBits(m.IPv6, n.Subnet6)}
	}
	return out
}

func networkJSON(n Network) map[string]any {
	pool := func(subnet, gateway, ipRange string) map[string]any {
		p := map[string]any{"Subnet": subnet, "Gateway": gateway}
		if ipRange != "" {
			p["IPRange"] = ipRange
		}
		// Each reserved address with the pool it is in, as Docker shows them.
		aux := map[string]string{}
		for name, ip := range n.AuxAddresses {
			if a, err := netip.ParseAddr(ip); err == nil {
				if s, err := netip.ParsePrefix(subnet); err == nil && s.Contains(a) {
					aux[name] = ip
				}
			}
		}
		if len(aux) > 0 {
			p["AuxiliaryAddresses"] = aux
		}
		return p
	}
	pools := []map[string]any{pool(n.Subnet, n.Gateway, n.IPRange)}
	if n.Subnet6 != "" {
		pools = append(pools, pool(n.Subnet6, n.Gateway6, n.IPRange6))
	}
	opts := map[string]string{project.DriverOptBridgeName: n.Bridge}
	if n.MTU > 0 {
		opts[project.DriverOptMTU] = fmt.Sprint(n.MTU)
	}
	return map[string]any{
		"Name": n.Name, "Driver": "bridge", "Internal": n.Internal, "Created": n.Created,
		"EnableIPv6": n.Subnet6 != "", "IPAM": map[string]any{"Config": pools},
		"Labels": nonNil(n.Labels), "Options": opts,
	}
}
