package containerd

import (
	"context"
	"errors"

	"berth.dev/berth/compose"
	"berth.dev/berth/network"
)

// Networks lists the project's networks, or all with project "".
func (r *Runtime) Networks(ctx context.Context, project string) ([]compose.Network, error) {
	all, err := r.net.List()
	if err != nil {
		return nil, err
	}
	var out []compose.Network
	for _, n := range all {
		if project == "" || n.Project == project {
			out = append(out, compose.Network{Name: n.Name, Project: n.Project, Key: n.Labels[projectLabelNetwork], Labels: n.Labels,
				Subnet: n.Subnet, Gateway: n.Gateway, Internal: n.Internal, Bridge: n.Bridge, MTU: n.MTU,
				IPv6: n.Subnet6 != "", Subnet6: n.Subnet6, Gateway6: n.Gateway6, Created: n.Created,
				IPRange: n.IPRange, IPRange6: n.IPRange6, AuxAddresses: n.AuxAddresses})
		}
	}
	return out, nil
}

const projectLabelNetwork = "com.docker.compose.network"

// EnsureNetwork makes the network unless it exists.
func (r *Runtime) EnsureNetwork(ctx context.Context, n compose.Network) error {
	labels := map[string]string{}
	if n.Project != "" {
		labels["com.docker.compose.project"], labels[projectLabelNetwork] = n.Project, n.Key
	}
	for k, v := range n.Labels {
		labels[k] = v
	}
	_, err := r.net.Ensure(ctx, network.Config{Name: n.Name, Project: n.Project, Labels: labels,
		Subnet: n.Subnet, Gateway: n.Gateway, Internal: n.Internal, Bridge: n.Bridge, MTU: n.MTU,
		IPv6: n.IPv6, Subnet6: n.Subnet6, Gateway6: n.Gateway6,
		IPRange: n.IPRange, IPRange6: n.IPRange6, AuxAddresses: n.AuxAddresses})
	return err
}

// NetworkMembers lists the containers attached to the network, from their endpoint
// records.
func (r *Runtime) NetworkMembers(ctx context.Context, name string) ([]compose.NetworkMember, error) {
	eps, err := r.net.Endpoints()
	if err != nil {
		return nil, err
	}
	var out []compose.NetworkMember
	for _, ep := range eps {
		for _, en := range ep.Networks {
			if en.Network == name {
				out = append(out, compose.NetworkMember{ContainerID: ep.ContainerID, Name: ep.ContainerName,
					MAC: en.MAC, IPv4: en.IP, IPv6: en.IPv6})
			}
		}
	}
	return out, nil
}

// RemoveNetwork removes the network and everything on the host it made.
func (r *Runtime) RemoveNetwork(ctx context.Context, name string) error {
	err := r.net.Remove(ctx, name)
	if errors.Is(err, network.ErrNotFound) {
		return compose.ErrNotFound
	}
	return err
}
