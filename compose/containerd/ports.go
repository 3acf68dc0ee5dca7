package containerd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/network"
)

// publishedPorts expands a service's ports into host:container pairs. compose-go has
// already split ranges into one entry per port; a port with no published side gets
// no host port in Docker (an ephemeral one): berth refuses that for now.
func publishedPorts(s types.ServiceConfig) ([]network.Port, error) {
	var out []network.Port
	for _, p := range s.Ports {
		if p.Published == "" {
			return nil, fmt.Errorf("service %q: ports: %d has no published port; ephemeral host ports are not supported yet", s.Name, p.Target)
		}
		lo, hi, err := portRange(p.Published)
		if err != nil {
			return nil, fmt.Errorf("service %q: ports: %w", s.Name, err)
		}
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		if proto != "tcp" && proto != "udp" {
			return nil, fmt.Errorf("service %q: ports: protocol %q is not supported", s.Name, proto)
		}
		// compose-go splits "9000-9001:9000-9001" into one entry per port; a host range
		// left over is Docker's "any free port of the range" for one container port:
		// berth takes the first of it.
		_ = hi
		out = append(out, network.Port{HostIP: p.HostIP, HostPort: uint16(lo), ContainerPort: uint16(p.Target), Protocol: proto})
	}
	return out, nil
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
