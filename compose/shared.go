package compose

import (
	"context"
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// resolveShared finds the containers whose namespaces a network_mode, pid or ipc of
// service:NAME or container:NAME joins, now that the dependency order has made them
// (compose-go makes such a service depend on NAME).
func (e *Engine) resolveShared(ctx context.Context, p *types.Project, req *CreateRequest) error {
	for _, ns := range []struct {
		field, mode string
		into        *string
	}{
		{"network_mode", req.Service.NetworkMode, &req.NetworkFrom},
		{"pid", req.Service.Pid, &req.PIDFrom},
		{"ipc", req.Service.Ipc, &req.IPCFrom},
	} {
		id, err := e.sharedContainer(ctx, p, ns.mode)
		if err != nil {
			return fmt.Errorf("service %q: %s %s: %w", req.Service.Name, ns.field, ns.mode, err)
		}
		*ns.into = id
	}
	for _, ref := range req.Service.VolumesFrom {
		// A service's named volumes and binds withVolumesFrom adds from the file; its
		// container brings the anonymous ones (and its image's VOLUMEs), as Docker's.
		var c Container
		var err error
		rest, isContainer := strings.CutPrefix(ref, "container:")
		name, mode, _ := strings.Cut(rest, ":")
		if isContainer {
			c, err = e.containerByName(ctx, name)
		} else {
			name, mode, _ = strings.Cut(ref, ":")
			c, err = e.firstReplica(ctx, p.Name, name)
		}
		if err != nil {
			return fmt.Errorf("service %q: volumes_from %s: %w", req.Service.Name, ref, err)
		}
		req.VolumesFrom = append(req.VolumesFrom, VolumesFrom{ID: c.ID, ReadOnly: mode == "ro"})
	}
	return nil
}

// firstReplica is the container number 1 of a service, in any state.
func (e *Engine) firstReplica(ctx context.Context, projectName, service string) (Container, error) {
	cs, err := e.Runtime.Containers(ctx, projectName)
	if err != nil {
		return Container{}, err
	}
	for _, c := range cs {
		if c.Service == service && c.Number == 1 && !c.OneOff {
			return c, nil
		}
	}
	return Container{}, fmt.Errorf("no container of service %q", service)
}

// containerByName is the container of any project with that name or ID, in any state.
func (e *Engine) containerByName(ctx context.Context, name string) (Container, error) {
	cs, err := e.Runtime.Containers(ctx, "")
	if err != nil {
		return Container{}, err
	}
	for _, c := range cs {
		if c.Name == name || c.ID == name {
			return c, nil
		}
	}
	return Container{}, fmt.Errorf("no container %q", name)
}

// sharedContainer is the running container a mode of service:NAME (its first
// replica) or container:NAME (any project's, by name or id) names; "" for other modes.
func (e *Engine) sharedContainer(ctx context.Context, p *types.Project, mode string) (string, error) {
	service, isService := strings.CutPrefix(mode, "service:")
	name, isContainer := strings.CutPrefix(mode, "container:")
	if !isService && !isContainer {
		return "", nil
	}
	projectName := p.Name
	if isContainer {
		projectName = "" // a container of any project
	}
	cs, err := e.Runtime.Containers(ctx, projectName)
	if err != nil {
		return "", err
	}
	for _, c := range cs {
		if c.State != StateRunning || c.OneOff {
			continue
		}
		if (isService && c.Service == service && c.Number == 1) || (isContainer && (c.Name == name || c.ID == name)) {
			return c.ID, nil
		}
	}
	return "", fmt.Errorf("no running container to share")
}
