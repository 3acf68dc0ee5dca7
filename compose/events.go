package compose

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Events prints what happens to the project's containers until ctx ends, as
// `docker compose events` does, one line (or JSON object) per event.
func (e *Engine) Events(ctx context.Context, p *types.Project, services []string, asJSON bool) error {
	if err := checkServices(p, services); err != nil {
		return err
	}
	events, err := e.Runtime.Events(ctx)
	if err != nil {
		return err
	}
	known := map[string]Container{}
	refresh := func() error {
		cs, err := e.Runtime.Containers(ctx, p.Name)
		if err != nil {
			return err
		}
		for _, c := range serviceContainers(cs, services) {
			known[c.ID] = c
		}
		return nil
	}
	if err := refresh(); err != nil {
		return err
	}
	for ev := range events {
		c, ok := known[ev.ContainerID]
		if !ok && ev.Action == "create" {
			if err := refresh(); err != nil {
				return err
			}
			c, ok = known[ev.ContainerID]
		}
		if !ok {
			continue // another project's, or a container berth did not make
		}
		attrs := map[string]string{"name": c.Name, "image": c.Image}
		if ev.Action == "die" {
			attrs["exitCode"] = fmt.Sprint(ev.ExitCode)
		}
		if asJSON {
			_ = json.NewEncoder(e.Out).Encode(map[string]any{
				"time": ev.Time.UTC().Format(time.RFC3339Nano), "type": "container", "action": ev.Action,
				"id": c.ID, "service": c.Service, "attributes": attrs,
			})
			continue
		}
		var kv []string
		for k, v := range attrs {
			kv = append(kv, k+"="+v)
		}
		sort.Strings(kv)
		fmt.Fprintf(e.Out, "%s container %s %s (%s)\n", ev.Time.Local().Format("2006-01-02 15:04:05.000000"), ev.Action, c.ID, strings.Join(kv, ", "))
	}
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("the event stream of containerd ended")
}
