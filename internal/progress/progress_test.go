package progress

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestPlain(t *testing.T) {
	var b bytes.Buffer
	w, err := New("plain", &b, true)
	if err != nil {
		t.Fatal(err)
	}
	w.Event(Event{Kind: "Container", Name: "p-web-1", Status: "Creating"})
	w.Event(Event{Kind: "Container", Name: "p-web-1", Status: "Started", Finished: true})
	if got, want := b.String(), " Container p-web-1  Creating\n Container p-web-1  Started\n"; got != want {
		t.Errorf("plain output %q, want %q", got, want)
	}
}

func TestTTYMarksFinalStates(t *testing.T) {
	var b bytes.Buffer
	w, _ := New("tty", &b, false)
	w.Event(Event{Kind: "Network", Name: "p_default", Status: "Created", Finished: true})
	w.Event(Event{Kind: "Container", Name: "p-db-1", Status: "Error", Text: "boom", Err: true})
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if !strings.HasPrefix(lines[0], " \u2714 Network p_default  Created") || !strings.HasPrefix(lines[1], " \u2718 Container p-db-1  Error boom") {
		t.Errorf("tty output:\n%s", b.String())
	}
}

func TestJSONAndQuiet(t *testing.T) {
	var b bytes.Buffer
	w, _ := New("json", &b, false)
	w.Event(Event{Kind: "Image", Name: "redis", Status: "Pulled"})
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || got["id"] != "Image redis" || got["status"] != "Pulled" {
		t.Errorf("json output %q: %v", b.String(), err)
	}
	b.Reset()
	q, _ := New("quiet", &b, true)
	q.Event(Event{Kind: "Image", Name: "redis", Status: "Pulled"})
	if b.Len() != 0 {
		t.Errorf("quiet wrote %q", b.String())
	}
	if _, err := New("fancy", &b, true); err == nil {
		t.Error("an unknown mode was accepted")
	}
}
