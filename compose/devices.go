package compose

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// LabelDevices lists the CDI devices a container was given (gpus:, device
// reservations, CDI names in devices:), comma-separated.
const LabelDevices = "berth.cdi.devices"

// DeviceResolver turns what a service asks of the host's devices into concrete CDI
// device names, or says in one line why the host cannot give them.
type DeviceResolver interface {
	Resolve(s types.ServiceConfig) ([]string, error)
}

// resolveDevices resolves the devices of each service before anything is made, so a
// host without them refuses the file whole.
func (e *Engine) resolveDevices(p *types.Project, services ...types.ServiceConfig) (map[string][]string, error) {
	out := map[string][]string{}
	if e.Devices == nil {
		return out, nil
	}
	for _, s := range services {
		names, err := e.Devices.Resolve(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: service %q: %w", project.ErrInvalid, project.FileNames(p), s.Name, err)
		}
		if len(names) > 0 {
			out[s.Name] = names
		}
	}
	return out, nil
}

func servicesOf(p *types.Project, names []string) []types.ServiceConfig {
	out := make([]types.ServiceConfig, len(names))
	for i, n := range names {
		out[i] = p.Services[n]
	}
	return out
}

// ContainerDevices are the CDI devices a container was given.
func ContainerDevices(c Container) []string {
	if v := c.Labels[LabelDevices]; v != "" {
		return strings.Split(v, ",")
	}
	return nil
}
