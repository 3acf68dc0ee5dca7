package compose

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/format"
)

// EventsOptions are the choices of `events`. Since and Until bound the events shown;
// zero is no bound.
type EventsOptions struct {
	Services     []string
	Since, Until time.Time
}

// Events hands show what happens to the project's containers, as `docker compose
// events` reports it, one event at a time, until ctx ends or Until passes.
// containerd keeps no history of its events: a Since in the past replays what the
// containers' records keep (each one's create, and its last task's exit), and says so.
func (e *Engine) Events(ctx context.Context, p *types.Project, o EventsOptions, show func(format.EventRow) error) error {
	if err := checkServices(p, o.Services); err != nil {
		return err
	}
	now := time.Now()
	stream, cancel := context.WithCancel(ctx)
	defer cancel()
	if !o.Until.IsZero() {
		// A cancel, not a deadline: gRPC ends a stream at its deadline by a timer of
		// its own, which may fire before the context's, and the stream would then
		// seem to have ended by itself.
		defer time.AfterFunc(time.Until(o.Until), cancel).Stop()
	}
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
	recordsAt := time.Now()
	if err := refresh(); err != nil {
		return err
	}
	// A create or die the stream brings from before the records were read is one
	// they hold, replayed already. (One during the read may show twice, none is lost.)
	replayedUntil := time.Time{}
	if !o.Since.IsZero() && o.Since.Before(now) {
		fmt.Fprintln(e.Err, "berth: events --since: containerd keeps no event history; replaying the create and die events the containers' records keep, other past events are lost")
		replayedUntil = recordsAt
		if err := replay(known, o, show); err != nil {
			return err
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
		if !ok || ((ev.Action == "create" || ev.Action == "die") && ev.Time.Before(replayedUntil)) {
			continue // another project's, a container berth did not make, or replayed already
		}
		if err := show(eventRow(ev, c)); err != nil {
			return err
		}
	}
	if stream.Err() != nil {
		return nil
	}
	return fmt.Errorf("the event stream of containerd ended")
}

// replay shows, in time order, the past events within the window that the
// containers' records keep: each one's create, and the exit of its last task.
func replay(known map[string]Container, o EventsOptions, show func(format.EventRow) error) error {
	type past struct {
		ev Event
		c  Container
	}
	var events []past
	add := func(ev Event, c Container) {
		if !ev.Time.IsZero() && !ev.Time.Before(o.Since) && (o.Until.IsZero() || !ev.Time.After(o.Until)) {
			events = append(events, past{ev, c})
		}
	}
	for _, c := range known {
		add(Event{Action: "create", ContainerID: c.ID, Time: c.Created}, c)
		if c.State == StateExited {
			add(Event{Action: "die", ContainerID: c.ID, Time: c.FinishedAt, ExitCode: c.ExitCode}, c)
		}
	}
	sort.Slice(events, func(i, j int) bool { return events[i].ev.Time.Before(events[j].ev.Time) })
	for _, p := range events {
		if err := show(eventRow(p.ev, p.c)); err != nil {
			return err
		}
	}
	return nil
}

// eventRow is ev of container c as `events` reports it.
func eventRow(ev Event, c Container) format.EventRow {
	attrs := map[string]string{"name": c.Name, "image": c.Image}
	if ev.Action == "die" {
		attrs["exitCode"] = fmt.Sprint(ev.ExitCode)
	}
	return format.EventRow{Action: ev.Action, Attributes: attrs, ID: c.ID, Service: c.Service,
		Time: ev.Time.UTC(), Type: "container"}
}
