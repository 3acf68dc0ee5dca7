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

// EventsOptions are the choices of `events`. Since and Until bound the events shown;
// zero is no bound.
type EventsOptions struct {
	Services     []string
	JSON         bool
	Since, Until time.Time
}

// Events prints what happens to the project's containers, as `docker compose events`
// does, one line (or JSON object) per event, until ctx ends or Until passes.
// containerd keeps no history of its events: a Since in the past replays what the
// containers' records keep, the create of each container made since then, and says so.
func (e *Engine) Events(ctx context.Context, p *types.Project, o EventsOptions) error {
	if err := checkServices(p, o.Services); err != nil {
		return err
	}
	now := time.Now()
	stream, cancel := context.WithCancel(ctx)
	if !o.Until.IsZero() {
		stream, cancel = context.WithDeadline(ctx, o.Until)
	}
	defer cancel()
	// Subscribed before the containers are read: nothing is missed in between.
	events, err := e.Runtime.Events(stream)
	if err != nil {
		return err
	}
	known := map[string]Container{}
	refresh := func() error {
		cs, err := e.Runtime.Containers(ctx, p.Name)
		if err != nil {
			return err
		}
		for _, c := range serviceContainers(cs, o.Services) {
			known[c.ID] = c
		}
		return nil
	}
	if err := refresh(); err != nil {
		return err
	}
	replayed := map[string]bool{}
	if !o.Since.IsZero() && o.Since.Before(now) {
		fmt.Fprintln(e.Err, "berth: events --since: containerd keeps no event history; replaying the create events of the containers made since then, other past events are lost")
		var made []Container
		for _, c := range known {
			if !c.Created.Before(o.Since) && (o.Until.IsZero() || !c.Created.After(o.Until)) {
				made = append(made, c)
			}
		}
		sort.Slice(made, func(i, j int) bool { return made[i].Created.Before(made[j].Created) })
		for _, c := range made {
			e.printEvent(Event{Action: "create", ContainerID: c.ID, Time: c.Created}, c, o.JSON)
			replayed[c.ID] = true
		}
	}
	for ev := range events {
		if ev.Time.Before(o.Since) {
			continue
		}
		if !o.Until.IsZero() && ev.Time.After(o.Until) {
			return nil
		}
		c, ok := known[ev.ContainerID]
		if !ok && ev.Action == "create" {
			if err := refresh(); err != nil {
				return err
			}
			c, ok = known[ev.ContainerID]
		}
		if !ok || (ev.Action == "create" && replayed[ev.ContainerID]) {
			continue // another project's, a container berth did not make, or replayed already
		}
		e.printEvent(ev, c, o.JSON)
	}
	if stream.Err() != nil {
		return nil
	}
	return fmt.Errorf("the event stream of containerd ended")
}

func (e *Engine) printEvent(ev Event, c Container, asJSON bool) {
	attrs := map[string]string{"name": c.Name, "image": c.Image}
	if ev.Action == "die" {
		attrs["exitCode"] = fmt.Sprint(ev.ExitCode)
	}
	if asJSON {
		_ = json.NewEncoder(e.Out).Encode(map[string]any{
			"time": ev.Time.UTC().Format(time.RFC3339Nano), "type": "container", "action": ev.Action,
			"id": c.ID, "service": c.Service, "attributes": attrs,
		})
		return
	}
	var kv []string
	for k, v := range attrs {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	fmt.Fprintf(e.Out, "%s container %s %s (%s)\n", ev.Time.Local().Format("2006-01-02 15:04:05.000000"), ev.Action, c.ID, strings.Join(kv, ", "))
}
