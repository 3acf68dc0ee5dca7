package compose

import (
	"context"
	"fmt"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
)

// Port returns the host address a container port of a service is published on.
func (e *Engine) Port(ctx context.Context, p *types.Project, service string, port uint32, protocol string, index int) (string, error) {
	if err := checkServices(p, []string{service}); err != nil {
		return "", err
	}
	cs, err := e.projectContainers(ctx, p, []string{service})
	if err != nil {
		return "", err
	}
	if index == 0 {
		index = 1
	}
	if protocol == "" {
		protocol = "tcp"
	}
	for _, c := range cs {
		if c.Number != index {
			continue
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
				return host + ":" + pc.Published, nil
			}
		}
		return "", fmt.Errorf("%w: service %q publishes no %s port %s", ErrNotFound, service, protocol, strconv.Itoa(int(port)))
	}
	return "", fmt.Errorf("%w: service %q has no container number %d", ErrNotFound, service, index)
}
