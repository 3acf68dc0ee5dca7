package compose

import (
	"context"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/format"
)

// Top lists the processes of each running container of the services. On an error
// it returns the containers' it has read before it.
func (e *Engine) Top(ctx context.Context, p *types.Project, services []string) ([]format.Processes, error) {
	if err := checkServices(p, services); err != nil {
		return nil, err
	}
	cs, err := e.projectContainers(ctx, p, services)
	if err != nil {
		return nil, err
	}
	var out []format.Processes
	for _, c := range cs {
		if c.State != StateRunning && c.State != StatePaused {
			continue
		}
		titles, rows, err := e.Runtime.Top(ctx, c.ID)
		if err != nil {
			return out, fmt.Errorf("top %s: %w", c.Name, err)
		}
		out = append(out, format.Processes{Container: c.Name, Titles: titles, Rows: rows})
	}
	return out, nil
}
