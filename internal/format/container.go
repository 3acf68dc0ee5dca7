package format

import (
	"cmp"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
)

// PsListing is how `ps` prints, with docker compose's default columns and titles.
var PsListing = Listing{
	Default: "table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}",
	Headers: map[string]string{"ID": "CONTAINER ID", "RunningFor": "CREATED", "CreatedAt": "CREATED AT",
		"LocalVolumes": "LOCAL VOLUMES"},
	Key: "ID",
}

// PsServicesListing is `ps --services`: each service once.
var PsServicesListing = Listing{Key: "Service"}

// ContainerInfo is what berth knows of a container, before formatting.
type ContainerInfo struct {
	ID, Name, Image, Command, Project, Service string
	Created                                    time.Time
	ContainerState
	Labels     map[string]string
	Publishers []Publisher
	// Mounts are the names of its volumes and the host paths of its binds;
	// LocalVolumes how many of them are volumes.
	Mounts       []string
	LocalVolumes int
	Networks     []string
	Devices      []string
}

// Publisher is one port of a container, as docker compose's ps JSON has it.
type Publisher struct {
	URL           string `json:"URL"`
	TargetPort    uint32 `json:"TargetPort"`
	PublishedPort uint32 `json:"PublishedPort"`
	Protocol      string `json:"Protocol"`
}

// ContainerRow is one line of `ps`: the fields of docker compose's, with docker's
// names and value shapes, so `--format json` and templates read the same.
type ContainerRow struct {
	Command      string      `json:"Command"`
	Created      int64       `json:"Created"` // unix seconds
	CreatedAt    string      `json:"CreatedAt"`
	Devices      []string    `json:"Devices,omitempty"` // berth's: the CDI devices it was given
	ExitCode     int         `json:"ExitCode"`
	Health       string      `json:"Health"`
	ID           string      `json:"ID"`
	Image        string      `json:"Image"`
	Labels       string      `json:"Labels"`
	LocalVolumes string      `json:"LocalVolumes"`
	Mounts       string      `json:"Mounts"`
	Name         string      `json:"Name"`
	Names        string      `json:"Names"`
	Networks     string      `json:"Networks"`
	Ports        string      `json:"Ports"`
	Project      string      `json:"Project"`
	Publishers   []Publisher `json:"Publishers"`
	RunningFor   string      `json:"RunningFor"`
	Service      string      `json:"Service"`
	Size         string      `json:"Size"`
	State        string      `json:"State"`
	Status       string      `json:"Status"`

	labels map[string]string
}

// Label is the value of one of the container's labels: {{.Label "com.docker.compose.service"}}.
func (r ContainerRow) Label(name string) string { return r.labels[name] }

// NewContainerRow formats c at now; trunc cuts the ID, command and mount names as
// docker does unless --no-trunc.
func NewContainerRow(c ContainerInfo, now time.Time, trunc bool) ContainerRow {
	id, command := c.ID, c.Command
	mounts := slices.Clone(c.Mounts)
	if trunc {
		if len(id) > 12 {
			id = id[:12]
		}
		command = Ellipsis(command, 20)
		for i, m := range mounts {
			mounts[i] = Ellipsis(m, 15)
		}
	}
	labels := make([]string, 0, len(c.Labels))
	for k, v := range c.Labels {
		labels = append(labels, k+"="+v)
	}
	slices.Sort(labels)
	publishers := c.Publishers
	if publishers == nil {
		publishers = []Publisher{}
	}
	return ContainerRow{
		Command:   strconv.Quote(command),
		Created:   c.Created.Unix(),
		CreatedAt: time.Unix(c.Created.Unix(), 0).In(now.Location()).String(),
		Devices:   c.Devices, ExitCode: c.ExitCode, Health: c.Health, ID: id, Image: c.Image,
		Labels: strings.Join(labels, ","), LocalVolumes: strconv.Itoa(c.LocalVolumes),
		Mounts: strings.Join(mounts, ","), Name: c.Name, Names: c.Name,
		Networks: strings.Join(c.Networks, ","), Ports: Ports(c.Publishers), Project: c.Project,
		Publishers: publishers, RunningFor: RunningFor(c.Created, now), Service: c.Service,
		// Like docker compose, which does not ask the engine for sizes.
		Size:  units.HumanSizeWithPrecision(0, 3),
		State: c.State, Status: Status(c.ContainerState, now),
		labels: c.Labels,
	}
}

// Ports is the PORTS column as docker writes it: published ports as
// "0.0.0.0:8080->80/tcp", ports only exposed as "80/tcp", runs of consecutive
// ports that map one to one as one range "0.0.0.0:8000-8002->8000-8002/tcp".
func Ports(ps []Publisher) string {
	sorted := slices.Clone(ps)
	slices.SortFunc(sorted, func(a, b Publisher) int {
		return cmp.Or(cmp.Compare(a.TargetPort, b.TargetPort), cmp.Compare(a.PublishedPort, b.PublishedPort),
			cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.URL, b.URL))
	})
	type run struct {
		url, proto  string
		first, last uint32
	}
	var runs []*run
	byKey := map[string]*run{}
	var mapped []string // ports published on another number than their own
	for _, p := range sorted {
		if p.URL != "" && p.PublishedPort != p.TargetPort {
			mapped = append(mapped, fmt.Sprintf("%s->%d/%s", net.JoinHostPort(p.URL, strconv.Itoa(int(p.PublishedPort))), p.TargetPort, p.Protocol))
			continue
		}
		key := p.URL + "/" + p.Protocol
		if r := byKey[key]; r != nil && p.TargetPort == r.last+1 {
			r.last = p.TargetPort
			continue
		}
		r := &run{url: p.URL, proto: p.Protocol, first: p.TargetPort, last: p.TargetPort}
		byKey[key] = r
		runs = append(runs, r)
	}
	out := make([]string, 0, len(runs)+len(mapped))
	for _, r := range runs {
		span := strconv.Itoa(int(r.first))
		if r.last != r.first {
			span += "-" + strconv.Itoa(int(r.last))
		}
		if r.url != "" {
			host := r.url
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
			span = host + ":" + span + "->" + span
		}
		out = append(out, span+"/"+r.proto)
	}
	return strings.Join(append(out, mapped...), ", ")
}
