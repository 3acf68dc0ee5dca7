package compose

import (
	"context"
	"fmt"
	"net"

	"github.com/compose-spec/compose-go/v2/types"
)

// Port returns the host address a container port of a service is published on.
func (e *Engine) Port(ctx context.Context, p *types.Project, service string, port uint32, protocol string, index int) (string, error) {
	c, err := e.replica(ctx, p, service, index)
	if err != nil {
		return "", err
	}
	if protocol == "" {
		protocol = "tcp"
	}
	for _, pc := range c.Ports {
		proto := pc.Protocol
		if proto == "" {
			proto = "tcp"
		}
		if pc.Target == port && proto == protocol && pc.Published != "" {
			host := pc.HostIP
			if host == "" {
				host = "0.0.0.0"
			}
			return net.JoinHostPort(host, pc.Published), nil
		}
	}
	return "", fmt.Errorf("%w: service %q publishes no %s port %d", ErrNotFound, service, protocol, port)
}
