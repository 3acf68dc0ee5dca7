package compose

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/format"
	"berth.dev/berth/project"
)

// PsOptions are the flags of `ps` that choose containers.
type PsOptions struct {
	Services []string
	All      bool
	// Status keeps only containers in these states (and implies All); NoOrphans
	// leaves out containers of services the file does not have.
	Status    []string
	NoOrphans bool
}

// psStates are the states --status takes, as docker compose lists them.
var psStates = []string{"paused", "restarting", "removing", "running", "dead", "created", "exited"}

// Ps lists the project's containers, by name: running ones, or all with All.
func (e *Engine) Ps(ctx context.Context, p *types.Project, o PsOptions) ([]format.ContainerInfo, error) {
	if err := checkServices(p, o.Services); err != nil {
		return nil, err
	}
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	for _, st := range o.Status {
		if !slices.Contains(psStates, st) {
			return nil, fmt.Errorf("%w: --status %q: use one of %s", project.ErrInvalid, st, strings.Join(psStates, ", "))
		}
	}
	if err := e.Runtime.AgentProblem(ctx); err != nil {
		e.warn("%v", err)
	}
	var shown []Container
	for _, c := range serviceContainers(cs, o.Services) {
		if _, inFile := p.Services[c.Service]; o.NoOrphans && len(p.Services) > 0 && !inFile {
			continue
		}
		switch {
		case len(o.Status) > 0:
			if slices.Contains(o.Status, displayState(c)) {
				shown = append(shown, c)
			}
		// One that its restart policy keeps running is listed even while it is down
		// (restarting, or not back yet after a reboot), as docker lists it.
		case o.All || c.State == StateRunning || c.State == StatePaused || c.KeptRunning:
			shown = append(shown, c)
		}
	}
	// As docker compose lists them.
	slices.SortFunc(shown, func(a, b Container) int { return strings.Compare(a.Name, b.Name) })
	infos := make([]format.ContainerInfo, 0, len(shown))
	for _, c := range shown {
		infos = append(infos, containerInfo(c))
	}
	return infos, nil
}

// containerInfo is what ps formats of a container.
func containerInfo(c Container) format.ContainerInfo {
	info := format.ContainerInfo{ID: c.ID, Name: c.Name, Image: c.Image, Command: c.Command, Project: c.Project,
		Service: c.Service, Created: c.Created, ContainerState: containerState(c), Labels: c.Labels,
		Mounts: c.Mounts, LocalVolumes: c.LocalVolumes, Networks: c.Networks, Devices: ContainerDevices(c)}
	for _, p := range c.Ports {
		info.Publishers = append(info.Publishers, publisher(p))
	}
	return info
}

// displayState is the container's state as docker names it: one its restart
// policy keeps running is restarting while its process is down.
func displayState(c Container) string {
	if c.KeptRunning && c.State != StateRunning && c.State != StatePaused {
		return "restarting"
	}
	return c.State
}

func containerState(c Container) format.ContainerState {
	return format.ContainerState{State: displayState(c), ExitCode: c.ExitCode, Health: c.Health,
		StartedAt: c.StartedAt, FinishedAt: c.FinishedAt}
}

// Status is the STATUS column: "Up 5 seconds (healthy)", "Exited (1) 3 seconds ago".
func Status(c Container) string {
	return format.Status(containerState(c), time.Now())
}

// publisher is one port as ps shows it: a port only exposed has no address.
func publisher(p types.ServicePortConfig) format.Publisher {
	proto := p.Protocol
	if proto == "" {
		proto = "tcp"
	}
	var published uint32
	if p.Published != "" {
		fmt.Sscan(p.Published, &published)
	}
	host := p.HostIP
	if host == "" && published != 0 {
		host = "0.0.0.0"
	}
	return format.Publisher{URL: host, TargetPort: p.Target, PublishedPort: published, Protocol: proto}
}
