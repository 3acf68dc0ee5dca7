// Package progress renders what the engine reports: typed events in, lines out.
// The engine never formats progress itself; it picks no renderer.
package progress

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// Event is one step of one resource.
type Event struct {
	Kind     string // "Container", "Network", "Volume", "Image"
	Name     string
	Status   string // "Creating", "Created", "Started", "Pulling", "Stopped", …
	Text     string // detail, e.g. the error
	Err      bool
	Finished bool // the resource reached a final state for this command
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
		return &plain{w: w}, nil
	case "tty":
		return newLive(w), nil
	case "plain":
		return &plain{w: w}, nil
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

// plain prints one line per event, as docker compose's plain progress does.
type plain struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *plain) Event(e Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf(" %s %s  %s", e.Kind, e.Name, e.Status)
	if e.Text != "" {
		line += " " + e.Text
	}
	fmt.Fprintln(p.w, line)
}

type jsonWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (j *jsonWriter) Event(e Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.enc.Encode(struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Text   string `json:"text,omitempty"`
		Error  bool   `json:"error,omitempty"`
	}{e.Kind + " " + e.Name, e.Status, e.Text, e.Err})
}
