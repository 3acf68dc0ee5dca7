package compose

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// PsOptions are the flags of `ps`.
type PsOptions struct {
	Services     []string
	All          bool
	Quiet        bool
	ListServices bool
	Format       string // "table" or "json"
	// Status keeps only containers in these states (and implies All); NoOrphans
	// leaves out containers of services the file does not have; NoTrunc prints the
	// command whole.
	Status    []string
	NoOrphans bool
	NoTrunc   bool
}

// psStates are the states --status takes, as docker compose lists them.
var psStates = []string{"paused", "restarting", "removing", "running", "dead", "created", "exited"}

// Ps lists the project's containers: running ones, or all with All.
func (e *Engine) Ps(ctx context.Context, p *types.Project, o PsOptions) error {
	if err := checkServices(p, o.Services); err != nil {
		return err
	}
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	for _, st := range o.Status {
		if !slices.Contains(psStates, st) {
			return fmt.Errorf("%w: --status %q: use one of %s", project.ErrInvalid, st, strings.Join(psStates, ", "))
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
			if slices.Contains(o.Status, c.State) {
				shown = append(shown, c)
			}
		// One that its restart policy keeps running is listed even while it is down
		// (restarting, or not back yet after a reboot), as docker lists it.
		case o.All || c.State == StateRunning || c.State == StatePaused || c.KeptRunning:
			shown = append(shown, c)
		}
	}
	switch {
	case o.Quiet:
		for _, c := range shown {
			fmt.Fprintln(e.Out, c.ID)
		}
		return nil
	case o.ListServices:
		seen := map[string]bool{}
		for _, c := range shown {
			if !seen[c.Service] {
				seen[c.Service] = true
				fmt.Fprintln(e.Out, c.Service)
			}
		}
		return nil
	}
	switch o.Format {
	case "", "table":
		return psTable(e.Out, shown, o.NoTrunc)
	case "json":
		return psJSON(e.Out, shown)
	}
	return fmt.Errorf("unknown format %q: use table or json", o.Format)
}

func psTable(w io.Writer, cs []Container, noTrunc bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS")
	for _, c := range cs {
		command := c.Command
		if !noTrunc {
			command = truncate(command, 20)
		}
		fmt.Fprintf(tw, "%s\t%s\t%q\t%s\t%s\t%s\t%s\n", c.Name, c.Image, command, c.Service,
			ago(c.Created), Status(c), Ports(c.Ports))
	}
	return tw.Flush()
}

type psEntry struct {
	ID         string        `json:"ID"`
	Name       string        `json:"Name"`
	Image      string        `json:"Image"`
	Command    string        `json:"Command"`
	Project    string        `json:"Project"`
	Service    string        `json:"Service"`
	Created    int64         `json:"Created"`
	State      string        `json:"State"`
	Health     string        `json:"Health"`
	Status     string        `json:"Status"`
	ExitCode   int           `json:"ExitCode"`
	Publishers []psPublisher `json:"Publishers"`
	// Devices are the CDI devices the container was given (berth's own field).
	Devices []string `json:"Devices,omitempty"`
}

type psPublisher struct {
	URL           string `json:"URL"`
	TargetPort    uint32 `json:"TargetPort"`
	PublishedPort uint32 `json:"PublishedPort"`
	Protocol      string `json:"Protocol"`
}

// psJSON writes one JSON object per line, as docker compose ps --format json does.
func psJSON(w io.Writer, cs []Container) error {
	enc := json.NewEncoder(w)
	for _, c := range cs {
		e := psEntry{ID: c.ID, Name: c.Name, Image: c.Image, Command: c.Command, Project: c.Project, Service: c.Service,
			Created: c.Created.Unix(), State: c.State, Health: c.Health, Status: Status(c), ExitCode: c.ExitCode, Publishers: []psPublisher{},
			Devices: ContainerDevices(c)}
		for _, p := range c.Ports {
			for _, b := range expandPorts(p) {
				e.Publishers = append(e.Publishers, b)
			}
		}
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// Status is the STATUS column.
func Status(c Container) string {
	if c.KeptRunning && c.State != StateRunning && c.State != StatePaused {
		return fmt.Sprintf("restarting (%d)", c.ExitCode) // as docker says it
	}
	switch c.State {
	case StateExited:
		return fmt.Sprintf("exited (%d)", c.ExitCode)
	case "":
		return "unknown"
	}
	if c.Health != "" {
		return c.State + " (" + c.Health + ")"
	}
	return c.State
}

// Ports is the PORTS column: 0.0.0.0:8000->8000/tcp, …
func Ports(ps []types.ServicePortConfig) string {
	var out []string
	for _, p := range ps {
		for _, b := range expandPorts(p) {
			if b.PublishedPort == 0 {
				out = append(out, fmt.Sprintf("%d/%s", b.TargetPort, b.Protocol))
				continue
			}
			out = append(out, fmt.Sprintf("%s->%d/%s", net.JoinHostPort(b.URL, fmt.Sprint(b.PublishedPort)), b.TargetPort, b.Protocol))
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func expandPorts(p types.ServicePortConfig) []psPublisher {
	host := p.HostIP
	if host == "" {
		host = "0.0.0.0"
	}
	proto := p.Protocol
	if proto == "" {
		proto = "tcp"
	}
	var published uint32
	if p.Published != "" {
		fmt.Sscan(p.Published, &published)
	}
	return []psPublisher{{URL: host, TargetPort: p.Target, PublishedPort: published, Protocol: proto}}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func ago(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := time.Since(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}
