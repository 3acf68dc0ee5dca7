package builder

import (
	"fmt"
	"strings"
)

// HostGateway is the extra_hosts value that stands for the host's address as the
// build's RUN steps reach it, as docker's --add-host NAME:host-gateway.
const HostGateway = "host-gateway"

// hostOfRunSteps is the host's address as RUN steps see it when they share the host's
// network, as the RUN steps of berth's own buildkitd and of buildah do: its loopback,
// as for a service in network_mode: host.
const hostOfRunSteps = "127.0.0.1"

// withHostGateway is spec with every host-gateway of its extra hosts replaced by
// gateway; gateway "" says the builder cannot tell the host's address, and a
// host-gateway is then an error naming the host.
func withHostGateway(spec Spec, gateway, why string) (Spec, error) {
	var hosts []string
	for _, h := range spec.ExtraHosts {
		name, ip, _ := strings.Cut(h, ":")
		if ip == HostGateway {
			if gateway == "" {
				return spec, fmt.Errorf("build.extra_hosts: %s:%s: %s", name, ip, why)
			}
			h = name + ":" + gateway
		}
		hosts = append(hosts, h)
	}
	spec.ExtraHosts = hosts
	return spec, nil
}
