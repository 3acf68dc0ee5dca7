package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestEvents(t *testing.T) {
	s := newScenario(t)
	s.must("create")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		// Give events a moment to subscribe, then start the container, which exits 3.
		time.Sleep(time.Second)
		s.berth("start")
	}()
	out := followUntil(ctx, t, s, `"die"`, "events", "--json")
	var actions []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Action, Service string
			Attributes      map[string]string
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("events --json line %q: %v", line, err)
		}
		if e.Service != "box" || e.Attributes["name"] != s.project+"-box-1" {
			t.Errorf("event of another container: %q", line)
		}
		actions = append(actions, e.Action)
		if e.Action == "die" && e.Attributes["exitCode"] != "3" {
			t.Errorf("die without its exit code: %q", line)
		}
	}
	if got := strings.Join(actions, ","); got != "start,die" {
		t.Errorf("actions %s, want start,die", got)
	}
}
