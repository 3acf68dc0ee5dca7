package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// TestEventsWindow: events --since replays what containerd's records keep (each
// container's create and its last task's exit) and says in one line that the rest is
// lost; --until ends the stream at that time, with exit 0; a bad time is refused.
func TestEventsWindow(t *testing.T) {
	s := newScenario(t)
	s.must("create")
	created := time.Now()
	type event struct {
		Action, Service string
		Attributes      map[string]string
	}
	parse := func(out string) []event {
		t.Helper()
		var evs []event
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" {
				continue
			}
			var e event
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("events --json line %q: %v", line, err)
			}
			evs = append(evs, e)
		}
		return evs
	}

	// A window wholly in the past: the replay, then the command ends.
	r := s.berth("events", "--json", "--since", "1h", "--until", "0s")
	evs := parse(r.stdout)
	if r.code != 0 || len(evs) != 1 || evs[0].Action != "create" || evs[0].Attributes["name"] != s.project+"-box-1" {
		t.Errorf("--since 1h --until 0s: exit %d, events %+v", r.code, evs)
	}
	if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); !strings.Contains(r.stderr, "no event history") || n != 0 {
		t.Errorf("the replay is not said in one line: %q", r.stderr)
	}
	// Since after the create: nothing to replay.
	if r := s.berth("events", "--json", "--since", created.Format(time.RFC3339Nano), "--until", "0s"); r.code != 0 || r.stdout != "" {
		t.Errorf("--since after the create: exit %d, %q", r.code, r.stdout)
	}

	// --until in the future: the stream runs until then and ends by itself. The
	// replay's notice comes once the stream is subscribed: start after it.
	until := time.Now().Add(5 * time.Second)
	cmd := s.command("events", "--json", "--since", created.Format(time.RFC3339Nano), "--until", until.Format(time.RFC3339Nano))
	var out strings.Builder
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
	defer kill.Stop()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "no event history") {
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	s.must("start")
	err = cmd.Wait()
	if err != nil || time.Now().Before(until) {
		t.Fatalf("events --until: %v, ended %s before the time", err, time.Until(until))
	}
	var actions []string
	for _, e := range parse(out.String()) {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); got != "start" {
		t.Errorf("events until %s: %s, want start", until, got)
	}

	// A task's exit is in containerd's records too: replayed as die, after the create.
	s.must("kill", "box")
	eventually(t, 10*time.Second, "box exits", func() error {
		if st := s.states()["box-1"]; st != "exited" {
			return fmt.Errorf("box is %q", st)
		}
		return nil
	})
	r = s.berth("events", "--json", "--since", "1h", "--until", "0s")
	actions = nil
	for _, e := range parse(r.stdout) {
		actions = append(actions, e.Action+":"+e.Attributes["exitCode"])
	}
	if got := strings.Join(actions, ","); r.code != 0 || got != "create:,die:137" {
		t.Errorf("replay after kill: exit %d, %s, want create:,die:137", r.code, got)
	}

	if r := s.berth("events", "--since", "yesterday"); r.code == 0 || !strings.Contains(r.stderr, "--since") {
		t.Errorf("a bad --since: exit %d, %q", r.code, r.stderr)
	}
}
