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

func TestLiveRedrawsInPlace(t *testing.T) {
	var b bytes.Buffer
	w, _ := New("tty", &b, false)
	w.Event(Event{Kind: "Container", Name: "p-web-1", Status: "Creating"})
	w.Event(Event{Kind: "Container", Name: "p-web-1", Status: "Started", Finished: true})
	out := b.String()
	// The second drawing moves back over the two lines of the first.
	if !strings.Contains(out, "\x1b[2A") || !strings.Contains(out, "[+] Running 1/1") || !strings.Contains(out, "\u2714") {
		t.Errorf("live output %q", out)
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
