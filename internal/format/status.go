package format

import (
	"fmt"
	"time"

	"github.com/docker/go-units"
)

// ContainerState is what docker's STATUS of a container is made from.
type ContainerState struct {
	State    string // created, running, paused, restarting, exited
	ExitCode int
	// Health is starting, healthy or unhealthy; "" without a healthcheck.
	Health string
	// StartedAt is when its process started; FinishedAt when it last exited.
	StartedAt, FinishedAt time.Time
}

// Status is the STATUS column as docker writes it at now: "Up 5 seconds (healthy)",
// "Exited (0) 3 seconds ago", "Restarting (1) 2 seconds ago", "Created".
func Status(s ContainerState, now time.Time) string {
	since := func(t time.Time) string { return units.HumanDuration(now.Sub(t)) }
	switch s.State {
	case "paused":
		return fmt.Sprintf("Up %s (Paused)", since(s.StartedAt))
	case "restarting":
		return fmt.Sprintf("Restarting (%d) %s ago", s.ExitCode, since(s.FinishedAt))
	case "running":
		switch s.Health {
		case "":
			return "Up " + since(s.StartedAt)
		case "starting":
			return fmt.Sprintf("Up %s (health: starting)", since(s.StartedAt))
		}
		return fmt.Sprintf("Up %s (%s)", since(s.StartedAt), s.Health)
	case "exited":
		if s.FinishedAt.IsZero() {
			// An exit whose time is not known (its record is gone).
			return fmt.Sprintf("Exited (%d)", s.ExitCode)
		}
		return fmt.Sprintf("Exited (%d) %s ago", s.ExitCode, since(s.FinishedAt))
	case "created":
		return "Created"
	}
	return s.State
}

// RunningFor is the CREATED column: "2 minutes ago".
func RunningFor(created, now time.Time) string {
	return units.HumanDuration(now.Sub(created)) + " ago"
}
