package compose

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/compose-spec/compose-go/v2/types"
)

// Top prints the processes of each running container of the services.
func (e *Engine) Top(ctx context.Context, p *types.Project, services []string) error {
	if err := checkServices(p, services); err != nil {
		return err
	}
	cs, err := e.projectContainers(ctx, p, services)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.State != StateRunning && c.State != StatePaused {
			continue
		}
		header, rows, err := e.Runtime.Top(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("top %s: %w", c.Name, err)
		}
		fmt.Fprintln(e.Out, c.Name)
		tw := tabwriter.NewWriter(e.Out, 0, 4, 3, ' ', 0)
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		tw.Flush()
		fmt.Fprintln(e.Out)
	}
	return nil
}
