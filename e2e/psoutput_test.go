package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPsOutput: ps, in a table, as JSON and through a Go template, says what docker
// compose says of real containers: healthy, exited with a code, paused,
// restarting; the other listings take templates too, and version says its own as
// docker compose's.
func TestPsOutput(t *testing.T) {
	s := newScenario(t)
	// --progress json: docker compose's keys, a line per step.
	r := s.berth("--progress", "json", "up", "-d", "--wait", "db", "frozen", "web")
	if r.code != 0 {
		t.Fatalf("up: exit %d: %s", r.code, r.stderr)
	}
	steps := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var m struct{ ID, Text, Status string }
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("progress line %q: %v", line, err)
		}
		steps[m.ID+": "+m.Text+" "+m.Status] = true
	}
	for _, want := range []string{"Container " + s.project + "-web-1: Created Done", "Container " + s.project + "-web-1: Started Done",
		"Network " + s.project + "_default: Created Done"} {
		if !steps[want] {
			t.Errorf("progress lacks %q: %s", want, r.stderr)
		}
	}
	s.must("up", "-d", "failed")
	s.must("pause", "frozen")
	byService := func() map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, line := range strings.Split(strings.TrimSpace(s.must("ps", "-a", "--format", "json")), "\n") {
			var e map[string]any
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("ps json line %q: %v", line, err)
			}
			out[e["Service"].(string)] = e
		}
		return out
	}
	var ps map[string]map[string]any
	eventually(t, 30*time.Second, "failed exits", func() error {
		if ps = byService(); ps["failed"]["State"] != "exited" {
			return fmt.Errorf("failed: %v", ps["failed"])
		}
		return nil
	})
	for service, want := range map[string]struct {
		state, status, health string
		exit                  float64
	}{
		"db":     {"running", `^Up (Less than a second|\d+ seconds?) \(healthy\)$`, "healthy", 0},
		"failed": {"exited", `^Exited \(3\) (Less than a second|\d+ seconds?) ago$`, "", 3},
		"frozen": {"paused", `^Up (Less than a second|\d+ seconds?) \(Paused\)$`, "", 0},
		"web":    {"running", `^Up (Less than a second|\d+ seconds?)$`, "", 0},
	} {
		e := ps[service]
		if e["State"] != want.state || !regexp.MustCompile(want.status).MatchString(fmt.Sprint(e["Status"])) ||
			e["Health"] != want.health || e["ExitCode"] != want.exit {
			t.Errorf("%s: %v, want state %s, status %s, health %q, exit code %v", service, e, want.state, want.status, want.health, want.exit)
		}
		if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(fmt.Sprint(e["ID"])) || e["Name"] != e["Names"] ||
			e["Project"] != s.project || !regexp.MustCompile(`^(Less than a second|\d+ seconds?) ago$`).MatchString(fmt.Sprint(e["RunningFor"])) ||
			!regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+$`).MatchString(fmt.Sprint(e["CreatedAt"])) ||
			e["Size"] != "0B" || e["Networks"] != s.project+"_default" {
			t.Errorf("%s: the fields docker compose has: %v", service, e)
		}
	}
	if e := ps["db"]; !strings.Contains(fmt.Sprint(e["Labels"]), "com.docker.compose.service=db") {
		t.Errorf("db's labels: %v", e["Labels"])
	}
	if got := s.must("ps", "--no-trunc", "--format", "{{.Mounts}} {{.LocalVolumes}}", "db"); got != s.project+"_data 1\n" {
		t.Errorf("db's mounts: %q", got)
	}
	web := ps["web"]
	pubs, _ := json.Marshal(web["Publishers"])
	if web["Ports"] != "127.0.0.1:18131->80/tcp" || string(pubs) != `[{"Protocol":"tcp","PublishedPort":18131,"TargetPort":80,"URL":"127.0.0.1"}]` {
		t.Errorf("web's ports: %v %s", web["Ports"], pubs)
	}

	// Between its exit and containerd's restart, as docker says it.
	s.must("up", "-d", "crashing")
	eventually(t, 30*time.Second, "crashing shows as restarting", func() error {
		e := byService()["crashing"]
		if e["State"] != "restarting" || !regexp.MustCompile(`^Restarting \(1\) (Less than a second|\d+ seconds?) ago$`).MatchString(fmt.Sprint(e["Status"])) {
			return fmt.Errorf("crashing: %v %v", e["State"], e["Status"])
		}
		return nil
	})
	if got := s.must("ps", "--status", "restarting", "--format", "{{.Service}}"); got != "crashing\n" {
		t.Errorf("ps --status restarting: %q", got)
	}
	s.must("rm", "-sf", "crashing")

	table := s.must("ps", "-a")
	for _, want := range []string{`(?m)^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$`,
		`-db-1 .*\bUp (Less than a second|\d+ seconds?) \(healthy\)`, `-failed-1 .*\bExited \(3\) `, `-frozen-1 .*\(Paused\)`} {
		if !regexp.MustCompile(want).MatchString(table) {
			t.Errorf("ps table does not match %s:\n%s", want, table)
		}
	}
	if got, want := s.must("ps", "-a", "--format", "{{.Service}} {{.State}} {{.ExitCode}}"), "db running 0\nfailed exited 3\nfrozen paused 0\nweb running 0\n"; got != want {
		t.Errorf("ps template: %q, want %q", got, want)
	}
	if got := s.must("ps", "--format", `table {{.Service}}\t{{.Label "com.docker.compose.project"}}`, "web"); !regexp.MustCompile(`^SERVICE\s+PROJECT\nweb\s+` + s.project + `\n$`).MatchString(got) {
		t.Errorf("ps table template: %q", got)
	}
	if r := s.berth("ps", "--format", "{{.Name"); r.code == 0 || !strings.Contains(r.stderr, "--format") {
		t.Errorf("a broken template: exit %d %q", r.code, r.stderr)
	}
	if got := s.must("ls", "--format", "{{.Name}}: {{.Status}}", "--filter", "name="+s.project); got != s.project+": exited(1), paused(1), running(2)\n" {
		t.Errorf("ls template: %q", got)
	}
	if got := s.must("images", "--format", "{{.ContainerName}} {{.Tag}}", "web"); got != s.project+"-web-1 latest\n" {
		t.Errorf("images template: %q", got)
	}
	if got := s.must("stats", "--no-stream", "--format", "{{.Name}} {{.Container}}", "web"); got != s.project+"-web-1 "+s.project+"-web-1\n" {
		t.Errorf("stats template: %q", got)
	}
	var v map[string]string
	if out := s.must("version", "--format", "json"); json.Unmarshal([]byte(out), &v) != nil || len(v) != 1 || v["version"] == "" ||
		s.must("version", "--short") != strings.TrimPrefix(v["version"], "v")+"\n" {
		t.Errorf("version --format json: %q, --short: %q", out, s.must("version", "--short"))
	}
}
