// Package progress renders what the engine reports: typed events in, lines out.
// The engine never formats progress itself; it picks no renderer.
package progress

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/docker/go-units"
)

// Event is one step of one resource.
type Event struct {
	Kind     string // "Container", "Network", "Volume", "Image"
	Name     string
	Status   string // "Creating", "Created", "Started", "Pulling", "Stopped", …
	Text     string // detail, e.g. the error
	Err      bool
	Finished bool // the resource reached a final state for this command
	// Current and Total count bytes of a transfer under way (an image pull or push);
	// Total is 0 when nothing is being counted.
	Current, Total int64
}

// counting says whether the event reports bytes of a transfer under way.
func (e Event) counting() bool { return e.Total > 0 && !e.Finished && !e.Err }

// bytes is "1.2MB/5.0MB", docker's way of showing a transfer.
func (e Event) bytes() string {
	return units.HumanSize(float64(e.Current)) + "/" + units.HumanSize(float64(e.Total))
}

// Writer receives events; implementations are safe for concurrent use.
type Writer interface {
	Event(Event)
}

// New picks a renderer by docker compose's --progress names.
func New(mode string, w io.Writer, tty bool) (Writer, error) {
	switch mode {
	case "", "auto":
		if tty {
			return newLive(w), nil
		}
		return newPlain(w), nil
	case "tty":
		return newLive(w), nil
	case "plain":
		return newPlain(w), nil
	case "json":
		return &jsonWriter{enc: json.NewEncoder(w)}, nil
	case "quiet":
		return Quiet{}, nil
	}
	return nil, fmt.Errorf("unknown progress mode %q: use auto, tty, plain, json or quiet", mode)
}

// Quiet drops every event.
type Quiet struct{}

func (Quiet) Event(Event) {}

// plain prints one line per event, as docker compose's plain progress does; byte
// counts of a transfer at most once a second per resource, so a log stays readable,
// and the count that completes it.
type plain struct {
	mu     sync.Mutex
	w      io.Writer
	counts map[string]printed // each resource's last byte count printed
}

type printed struct {
	status         string
	current, total int64
	at             time.Time
}

const plainCountEvery = time.Second

func newPlain(w io.Writer) *plain { return &plain{w: w, counts: map[string]printed{}} }

func (p *plain) Event(e Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := e.Kind + " " + e.Name
	if e.counting() {
		// The count that completes a transfer always shows, once.
		last, complete := p.counts[key], e.Current >= e.Total
		if last.status == e.Status && (last.current == e.Current && last.total == e.Total ||
			!complete && time.Since(last.at) < plainCountEvery) {
			return
		}
		p.counts[key] = printed{e.Status, e.Current, e.Total, time.Now()}
	}
	line := fmt.Sprintf(" %s %s  %s", e.Kind, e.Name, e.Status)
	if e.counting() {
		line += " " + e.bytes()
	}
	if e.Text != "" {
		line += " " + e.Text
	}
	fmt.Fprintln(p.w, line)
}

type jsonWriter struct {
	mu     sync.Mutex
	enc    *json.Encoder
	dryRun bool
}

// DryRun marks the events of w as those of a --dry-run: JSON lines carry
// "dry-run": true, as docker compose's do. Other renderers are left as they are.
func DryRun(w Writer) Writer {
	if j, ok := w.(*jsonWriter); ok {
		return &jsonWriter{enc: j.enc, dryRun: true}
	}
	return w
}

// jsonMessage is one line of --progress json, with docker compose's keys: text is
// the step ("Created", "Pulling"), status is Working, Done or Error, details the
// rest; error is berth's own.
type jsonMessage struct {
	DryRun  bool   `json:"dry-run,omitempty"`
	ID      string `json:"id,omitempty"`
	Text    string `json:"text,omitempty"`
	Status  string `json:"status,omitempty"`
	Details string `json:"details,omitempty"`
	Error   bool   `json:"error,omitempty"`
	Current int64  `json:"current,omitempty"`
	Total   int64  `json:"total,omitempty"`
	Percent int    `json:"percent,omitempty"`
}

func (j *jsonWriter) Event(e Event) {
	m := jsonMessage{DryRun: j.dryRun, ID: e.Kind + " " + e.Name, Text: e.Status, Status: "Done", Details: e.Text, Error: e.Err,
		Current: e.Current, Total: e.Total}
	switch {
	case e.Err:
		m.Status = "Error"
	case !e.Finished && strings.HasSuffix(e.Status, "ing"):
		// A step under way is named as docker's are, Creating, Pulling; a step
		// done (Created) is Done though the resource has more to go through.
		m.Status = "Working"
	}
	if e.Total > 0 {
		m.Percent = int(min(e.Current, e.Total) * 100 / e.Total)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.enc.Encode(m)
}
