package format

import (
	"sort"
	"strings"
	"time"
)

// The listings of ls, images, stats and events, with docker compose's default
// columns and titles.
var (
	LsListing = Listing{
		Default: "table {{.Name}}\t{{.Status}}\t{{.ConfigFiles}}",
		Headers: map[string]string{"ConfigFiles": "CONFIG FILES"},
		Key:     "Name", JSONArray: true,
	}
	ImagesListing = Listing{
		Default: "table {{.ContainerName}}\t{{.Repository}}\t{{.Tag}}\t{{.ID}}",
		Headers: map[string]string{"ContainerName": "CONTAINER", "ID": "IMAGE ID"},
		Key:     "ID", JSONArray: true,
	}
	StatsListing = Listing{
		Default: "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}",
		Headers: map[string]string{"ID": "CONTAINER ID", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT",
			"MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS"},
	}
	// EventsListing prints a line per event as docker's events do; "json" an object.
	EventsListing = Listing{
		Default: `{{.Time.Local.Format "2006-01-02 15:04:05.000000"}} {{.Type}} {{.Action}} {{.ID}} ({{.Pairs}})`,
	}
)

// ProjectRow is one line of `ls`.
type ProjectRow struct {
	Name        string `json:"Name"`
	Status      string `json:"Status"` // "running(2), exited(1)"
	ConfigFiles string `json:"ConfigFiles"`
}

// ImageRow is one line of `images`: the image a container runs.
type ImageRow struct {
	ContainerName string `json:"ContainerName"`
	Repository    string `json:"Repository"`
	Tag           string `json:"Tag"`
	ID            string `json:"ID"`
}

// StatsRow is one line of `stats`: what a container uses, as docker stats writes
// it ("--" where it has no sample).
type StatsRow struct {
	BlockIO   string `json:"BlockIO"`
	CPUPerc   string `json:"CPUPerc"`
	Container string `json:"Container"`
	ID        string `json:"ID"`
	Name      string `json:"Name"`
	MemUsage  string `json:"MemUsage"`
	MemPerc   string `json:"MemPerc"`
	NetIO     string `json:"NetIO"`
	PIDs      string `json:"PIDs"`
}

// EventRow is one event of `events`, its JSON as docker compose's.
type EventRow struct {
	Action     string            `json:"action"` // create, start, die…
	Attributes map[string]string `json:"attributes"`
	ID         string            `json:"id"` // the container's
	Service    string            `json:"service"`
	Time       time.Time         `json:"time"` // in UTC
	Type       string            `json:"type"` // container
}

// Pairs are the attributes as the line shows them: "exitCode=0, image=…, name=…".
func (r EventRow) Pairs() string {
	kv := make([]string, 0, len(r.Attributes))
	for k, v := range r.Attributes {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ", ")
}
