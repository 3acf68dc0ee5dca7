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

// TestMonochrome: NO_COLOR keeps the terminal view's marks and drops their colours.
func TestMonochrome(t *testing.T) {
	for _, mono := range []bool{false, true} {
		var b bytes.Buffer
		w, _ := New("tty", &b, false)
		if mono {
			w = Monochrome(w)
		}
		w.Event(Event{Kind: "Container", Name: "p-web-1", Status: "Started", Finished: true})
		if coloured := strings.Contains(b.String(), "\x1b[32m"); coloured == mono || !strings.Contains(b.String(), "\u2714") {
			t.Errorf("monochrome %v: %q", mono, b.String())
		}
	}
}

func TestJSONAndQuiet(t *testing.T) {
	var b bytes.Buffer
	w, _ := New("json", &b, false)
	// docker compose's keys: text is the step, status Working, Done or Error.
	w.Event(Event{Kind: "Image", Name: "redis", Status: "Pulling"})
	w.Event(Event{Kind: "Image", Name: "redis", Status: "Pulled", Finished: true})
	w.Event(Event{Kind: "Container", Name: "p-web-1", Status: "Created"})
	w.Event(Event{Kind: "Container", Name: "p-web-1", Status: "Error", Text: "no such image", Err: true, Finished: true})
	want := `{"id":"Image redis","text":"Pulling","status":"Working"}
{"id":"Image redis","text":"Pulled","status":"Done"}
{"id":"Container p-web-1","text":"Created","status":"Done"}
{"id":"Container p-web-1","text":"Error","status":"Error","details":"no such image","error":true}
`
	if b.String() != want {
		t.Errorf("json output\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	DryRun(w).Event(Event{Kind: "Container", Name: "p-web-1", Status: "Started", Finished: true})
	if want := `{"dry-run":true,"id":"Container p-web-1","text":"Started","status":"Done"}` + "\n"; b.String() != want {
		t.Errorf("json under --dry-run %q, want %q", b.String(), want)
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

func TestByteCounts(t *testing.T) {
	var b bytes.Buffer
	w, _ := New("plain", &b, false)
	for i := int64(1); i <= 5; i++ {
		w.Event(Event{Kind: "Image", Name: "redis", Status: "Downloading", Current: i * 1000, Total: 5000})
	}
	w.Event(Event{Kind: "Image", Name: "redis", Status: "Downloading", Current: 5000, Total: 5000})
	w.Event(Event{Kind: "Image", Name: "redis", Status: "Extracting", Current: 5000, Total: 5000})
	w.Event(Event{Kind: "Image", Name: "redis", Status: "Pulled", Finished: true, Current: 5000, Total: 5000})
	// Counts of one status come at most once a second, and the one that completes
	// the transfer once; a new status shows at once.
	want := " Image redis  Downloading 1kB/5kB\n Image redis  Downloading 5kB/5kB\n Image redis  Extracting 5kB/5kB\n Image redis  Pulled\n"
	if got := b.String(); got != want {
		t.Errorf("plain byte counts %q, want %q", got, want)
	}

	b.Reset()
	w, _ = New("tty", &b, false)
	w.Event(Event{Kind: "Image", Name: "redis", Status: "Downloading", Current: 2500, Total: 5000})
	if out := b.String(); !strings.Contains(out, "[==========>         ] 2.5kB/5kB") {
		t.Errorf("live byte counts %q", out)
	}

	b.Reset()
	w, _ = New("json", &b, false)
	w.Event(Event{Kind: "Image", Name: "redis", Status: "Downloading", Current: 2500, Total: 5000})
	var got struct{ Current, Total, Percent int64 }
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || got.Current != 2500 || got.Total != 5000 || got.Percent != 50 {
		t.Errorf("json byte counts %q: %v", b.String(), err)
	}
}

func TestBar(t *testing.T) {
	for _, c := range []struct {
		current, total int64
		want           string
	}{
		{0, 10, "[>                   ]"},
		{5, 10, "[==========>         ]"},
		{10, 10, "[====================]"},
		{12, 10, "[====================]"},
	} {
		if got := bar(c.current, c.total); got != c.want {
			t.Errorf("bar(%d, %d) = %q, want %q", c.current, c.total, got, c.want)
		}
	}
}
