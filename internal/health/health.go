// Package health is the healthcheck model berth shares between the CLI and the agent
// task that runs the checks: the check as configured, the state it leads to, and the
// rules that move one to the other (Docker's). Running a check is the runtime's job.
package health

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"berth.dev/berth/internal/statefile"
)

// Check is a container's healthcheck, merged from the image and the file.
type Check struct {
	Test          []string      `json:"test"` // CMD args..., or CMD-SHELL command
	Interval      time.Duration `json:"interval"`
	Timeout       time.Duration `json:"timeout"`
	StartPeriod   time.Duration `json:"start_period"`
	StartInterval time.Duration `json:"start_interval"`
	Retries       int           `json:"retries"`
}

// Docker's defaults for the fields a healthcheck leaves out.
const (
	DefaultInterval      = 30 * time.Second
	DefaultTimeout       = 30 * time.Second
	DefaultStartInterval = 5 * time.Second
	DefaultRetries       = 3
)

// Statuses, as docker ps shows them.
const (
	Starting  = "starting"
	Healthy   = "healthy"
	Unhealthy = "unhealthy"
)

// Args is the process a check runs: CMD's arguments, or CMD-SHELL's command under
// /bin/sh -c.
func (c Check) Args() ([]string, error) {
	if len(c.Test) == 0 {
		return nil, errors.New("empty healthcheck test")
	}
	switch c.Test[0] {
	case "CMD":
		if len(c.Test) < 2 {
			return nil, errors.New("healthcheck CMD without a command")
		}
		return c.Test[1:], nil
	case "CMD-SHELL":
		if len(c.Test) != 2 {
			return nil, errors.New("healthcheck CMD-SHELL takes one command string")
		}
		return []string{"/bin/sh", "-c", c.Test[1]}, nil
	}
	return nil, fmt.Errorf("healthcheck test must start with CMD or CMD-SHELL, not %q", c.Test[0])
}

// WithDefaults fills what was left out.
func (c Check) WithDefaults() Check {
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.StartInterval <= 0 {
		c.StartInterval = DefaultStartInterval
	}
	if c.Retries <= 0 {
		c.Retries = DefaultRetries
	}
	return c
}

// Result is one run of a check.
type Result struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	ExitCode int       `json:"exit_code"` // -1: it could not run or timed out
	Output   string    `json:"output"`
}

// State is a container's health, as the agent records it.
type State struct {
	Status        string    `json:"status"`
	FailingStreak int       `json:"failing_streak"`
	Started       time.Time `json:"started"` // when the container's task started
	Log           []Result  `json:"log"`     // the last results, oldest first
}

// keptResults is how many results a state keeps, as Docker does.
const keptResults = 5

// MaxOutput bounds the output kept of one result, as Docker keeps 4 KiB per probe.
const MaxOutput = 4096

// NewState is the health of a container whose task just started.
func NewState(started time.Time) State {
	return State{Status: Starting, Started: started}
}

// Record applies one result by Docker's rules: a success makes the container
// healthy; failures during the start period do not count; Retries failures in a row
// make it unhealthy.
func (s State) Record(c Check, r Result) State {
	if len(r.Output) > MaxOutput {
		r.Output = r.Output[:MaxOutput]
	}
	s.Log = append(s.Log, r)
	if len(s.Log) > keptResults {
		s.Log = s.Log[len(s.Log)-keptResults:]
	}
	if r.ExitCode == 0 {
		s.Status, s.FailingStreak = Healthy, 0
		return s
	}
	if s.Status == Starting && r.Start.Before(s.Started.Add(c.StartPeriod)) {
		return s
	}
	s.FailingStreak++
	if s.FailingStreak >= c.Retries {
		s.Status = Unhealthy
	}
	return s
}

// NextDelay is how long to wait before the next check: the start interval while
// the container is starting within its start period, the interval otherwise.
func (s State) NextDelay(c Check, now time.Time) time.Duration {
	if s.Status == Starting && now.Before(s.Started.Add(c.StartPeriod)) {
		return c.StartInterval
	}
	return c.Interval
}

// Dir is where the agent keeps health states, in berth's state directory.
func Dir(stateDir string) string { return filepath.Join(stateDir, "health") }

func file(stateDir, containerID string) string {
	return filepath.Join(Dir(stateDir), containerID+".json")
}

// Write records a container's health.
func Write(stateDir, containerID string, s State) error {
	return statefile.WriteJSON(file(stateDir, containerID), s, 0o644)
}

// Read returns a container's health; a container without a record has none
// (an error wrapping os.ErrNotExist).
func Read(stateDir, containerID string) (State, error) {
	var s State
	err := statefile.ReadJSON(file(stateDir, containerID), &s)
	return s, err
}

// Remove forgets a container's health.
func Remove(stateDir, containerID string) error {
	return statefile.Remove(file(stateDir, containerID))
}

// Describe is the last result's output, for messages about an unhealthy container.
func (s State) Describe() string {
	if len(s.Log) == 0 {
		return s.Status
	}
	last := s.Log[len(s.Log)-1]
	return fmt.Sprintf("%s (last check exited %d: %s)", s.Status, last.ExitCode, strings.TrimSpace(last.Output))
}
