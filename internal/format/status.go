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
	// ago is " 3 seconds" since t; "" when t is not known (a process gone from
	// /proc, an exit whose record is gone), rather than a date's distance from 1970.
	ago := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return " " + units.HumanDuration(now.Sub(t))
	}
	up := "Up" + ago(s.StartedAt)
	switch s.State {
	case "paused":
		return up + " (Paused)"
	case "restarting":
		if s.FinishedAt.IsZero() {
			return fmt.Sprintf("Restarting (%d)", s.ExitCode)
		}
		return fmt.Sprintf("Restarting (%d)%s ago", s.ExitCode, ago(s.FinishedAt))
	case "running":
		switch s.Health {
		case "":
			return up
		case "starting":
			return up + " (health: starting)"
		}
		return up + " (" + s.Health + ")"
	case "exited":
		if s.FinishedAt.IsZero() {
			return fmt.Sprintf("Exited (%d)", s.ExitCode)
		}
		return fmt.Sprintf("Exited (%d)%s ago", s.ExitCode, ago(s.FinishedAt))
	case "created":
		return "Created"
	}
	return s.State
}

// RunningFor is the CREATED column: "2 minutes ago".
func RunningFor(created, now time.Time) string {
	return units.HumanDuration(now.Sub(created)) + " ago"
}
