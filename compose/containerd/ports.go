package containerd

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/network"
)

// publishedPorts expands a service's ports into host:container pairs, one per entry
// of s.Ports and in its order. compose-go has already split ranges into one entry per
// port; a port with no published side gets host port 0, which the network picks
// (Docker's ephemeral port).
func publishedPorts(s types.ServiceConfig) ([]network.Port, error) {
	var out []network.Port
	for _, p := range s.Ports {
		published := p.Published
		if published == "" {
			published = "0"
		}
		lo, hi, err := portRange(published)
		if err != nil {
			return nil, fmt.Errorf("service %q: ports: %w", s.Name, err)
		}
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		if proto != "tcp" && proto != "udp" && proto != "sctp" {
			return nil, fmt.Errorf("service %q: ports: protocol %q is not supported", s.Name, proto)
		}
		// compose-go splits "9000-9001:9000-9001" into one entry per port; a host range
		// left over is Docker's "any free port of the range" for one container port,
		// which the network picks (each replica its own).
		port := network.Port{HostIP: p.HostIP, HostPort: uint16(lo), ContainerPort: uint16(p.Target), Protocol: proto}
		if hi > lo {
			port.HostPortEnd = uint16(hi)
		}
		out = append(out, port)
	}
	return out, nil
}

// withHostPorts is the service's ports with the host ports that were picked for the
// ephemeral ones and the ranges written in, for ps, port and a later re-attach; made
// are publishedPorts' entries as the network made them, in the same order.
func withHostPorts(ports []types.ServicePortConfig, made []network.Port) []types.ServicePortConfig {
	if len(made) != len(ports) {
		return ports
	}
	out := make([]types.ServicePortConfig, len(ports))
	for i, p := range ports {
		if p.Published == "" || strings.Contains(p.Published, "-") {
			p.Published = strconv.Itoa(int(made[i].HostPort))
		}
		out[i] = p
	}
	return out
}

func portRange(s string) (uint32, uint32, error) {
	a, b, isRange := strings.Cut(s, "-")
	lo, err := strconv.ParseUint(a, 10, 16)
	if err != nil {
		return 0, 0, fmt.Errorf("bad published port %q", s)
	}
	hi := lo
	if isRange {
		if hi, err = strconv.ParseUint(b, 10, 16); err != nil || hi < lo {
			return 0, 0, fmt.Errorf("bad published port range %q", s)
		}
	}
	return uint32(lo), uint32(hi), nil
}

// CheckPorts probes the service's fixed host ports before up makes anything (see
// network.CheckHostPorts), and the collector its logging driver sends to. A service
// without a network namespace of its own publishes nothing.
func (r *Runtime) CheckPorts(ctx context.Context, project string, s types.ServiceConfig) error {
	if err := checkLogCollector(s); err != nil {
		return err
	}
	if m := s.NetworkMode; m == "host" || m == "none" || strings.HasPrefix(m, "service:") || strings.HasPrefix(m, "container:") {
		return nil
	}
	ports, err := publishedPorts(s)
	if err != nil {
		return err
	}
	if err := r.net.CheckHostPorts(project, ports); err != nil {
		return fmt.Errorf("service %q: %w", s.Name, err)
	}
	return nil
}
