package e2e

import (
	"strings"
	"testing"
)

// TestDryRun: `--dry-run up` prints what up would do, with the reasons, and changes
// nothing: before anything exists, when all is up to date, and when a service's
// configuration changed; the other verbs run on the state as it is and change
// nothing either.
func TestDryRun(t *testing.T) {
	s := newScenario(t)
	before := takeInventory(t)
	out := s.must("--dry-run", "up", "-d")
	for _, want := range []string{
		"create network " + s.project + "_default (missing)",
		"create volume " + s.project + "_data (missing)",
		"create container " + s.project + "-db-1 (missing)",
		"create container " + s.project + "-web-1 (missing)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry-run plan lacks %q:\n%s", want, out)
		}
	}
	if diff := before.diff(takeInventory(t)); diff != "" {
		t.Fatalf("--dry-run up changed the host:\n%s", diff)
	}
	if ps := s.ps(true); len(ps) != 0 {
		t.Fatalf("--dry-run up made containers: %v", ps)
	}

	s.must("up", "-d")
	ids := s.ids()
	if out := s.must("--dry-run", "up", "-d"); !strings.Contains(out, "nothing to do") {
		t.Errorf("dry-run of an up-to-date project: %q", out)
	}
	out = s.berthEnv([]string{"GREETING=changed"}, "--dry-run", "up", "-d").stdout
	if !strings.Contains(out, "recreate container "+s.project+"-web-1") || strings.Contains(out, "recreate container "+s.project+"-db-1") ||
		!strings.Contains(out, "keep container "+s.project+"-db-1 (up to date)") {
		t.Errorf("dry-run after web's environment changed: %q", out)
	}
	if got := s.ids(); got[s.project+"-web-1"] != ids[s.project+"-web-1"] {
		t.Errorf("--dry-run recreated web: %v, was %v", got, ids)
	}

	// down prints its plan: containers before the network they use.
	out = s.must("--dry-run", "down", "-v")
	for _, want := range []string{
		"remove container " + s.project + "-web-1 (down)",
		"remove network " + s.project + "_default (no container left uses it)\n  after remove container " + s.project + "-db-1, remove container " + s.project + "-web-1",
		"remove volume " + s.project + "_data",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry-run down lacks %q:\n%s", want, out)
		}
	}

	// The other verbs print their plans, run their course on the state as it is, and
	// change nothing.
	before = takeInventory(t)
	web := s.project + "-web-1"
	for _, v := range []struct {
		args []string
		plan string
	}{
		{[]string{"stop"}, "stop container " + web + " (running)"},
		{[]string{"pause"}, "pause container " + web + " (running)"},
		{[]string{"kill"}, "kill container " + web + " (SIGKILL to the running container)"},
		{[]string{"restart"}, "start container " + web + " (restart)\n  after stop container " + web},
		{[]string{"rm", "-fs"}, "remove container " + web + " (running, stopped first (-s))"},
		{[]string{"down", "-v"}, "remove container " + web + " (down)"},
		{[]string{"scale", "web=3"}, "create container " + s.project + "-web-3 (missing)"},
	} {
		r := s.berth(append([]string{"--dry-run"}, v.args...)...)
		if r.code != 0 || !strings.Contains(r.stderr, "DRY-RUN MODE") || !strings.Contains(r.stdout, v.plan) {
			t.Errorf("--dry-run %s: exit %d, %q; printed plan lacks %q:\n%s", v.args[0], r.code, r.stderr, v.plan, r.stdout)
		}
	}
	if diff := before.diff(takeInventory(t)); diff != "" {
		t.Errorf("dry runs changed the host:\n%s", diff)
	}
	for _, c := range s.ps(true) {
		if c.State != "running" {
			t.Errorf("after dry runs, %s is %s", c.Name, c.State)
		}
	}
	if got := s.ids(); len(got) != 2 || got[s.project+"-web-1"] != ids[s.project+"-web-1"] {
		t.Errorf("dry runs changed the containers: %v, were %v", got, ids)
	}
	if r := s.berth("--dry-run", "exec", "web", "true"); r.code == 0 || !strings.Contains(r.stderr, "--dry-run") {
		t.Errorf("exec took --dry-run: exit %d, %q", r.code, r.stderr)
	}
}
