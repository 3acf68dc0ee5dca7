package project

import "github.com/compose-spec/compose-go/v2/types"

// applyBridgeMode reads network_mode: bridge as the project's default network.
// On Docker it is the engine's own network named bridge, where containers get an
// address, reach out through NAT and publish ports; berth has no host-wide network
// of its own, so the service joins the project's default network, where it does all
// that too (and, unlike on Docker's bridge, its name resolves).
func applyBridgeMode(p *types.Project) {
	for name, s := range p.Services {
		if s.NetworkMode != "bridge" {
			continue
		}
		s.NetworkMode = ""
		s.Networks = map[string]*types.ServiceNetworkConfig{"default": nil}
		p.Services[name] = s
		if _, ok := p.Networks["default"]; !ok {
			if p.Networks == nil {
				p.Networks = types.Networks{}
			}
			p.Networks["default"] = types.NetworkConfig{Name: p.Name + "_default"}
		}
	}
}
