package e2e

import (
	"slices"
	"strings"
	"testing"
)

// TestDownServices: `down SERVICE…` removes those services' containers and those of
// the services that depend on them, as docker compose; a network or volume goes
// only when no remaining container uses it.
func TestDownServices(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	nets := func() []string {
		var out []string
		for _, l := range strings.Split(s.must("network", "ls", "-q"), "\n") {
			if strings.HasPrefix(l, s.project+"_") {
				out = append(out, strings.TrimPrefix(l, s.project+"_"))
			}
		}
		slices.Sort(out)
		return out
	}
	vols := func() []string {
		var out []string
		for _, l := range strings.Split(s.must("volume", "ls", "-q"), "\n") {
			if strings.HasPrefix(l, s.project+"_") {
				out = append(out, strings.TrimPrefix(l, s.project+"_"))
			}
		}
		slices.Sort(out)
		return out
	}

	// web alone: db and cache stay, and so do both networks (db is on back, cache on front).
	s.must("down", "web")
	if got := s.services(); got != "cache,db" {
		t.Errorf("after down web, running %q, want cache,db", got)
	}
	if got := nets(); !slices.Equal(got, []string{"back", "front"}) {
		t.Errorf("after down web, networks %v, want back and front", got)
	}
	// db takes web (which depends on it) along; back has no user left, front has cache;
	// -v removes db's volume, not cache's.
	s.must("up", "-d")
	s.must("down", "-v", "db")
	if got := s.services(); got != "cache" {
		t.Errorf("after down db, running %q, want cache (web depends on db)", got)
	}
	if got := nets(); !slices.Equal(got, []string{"front"}) {
		t.Errorf("after down db, networks %v, want front only", got)
	}
	if got := vols(); !slices.Equal(got, []string{"cachedata"}) {
		t.Errorf("after down -v db, volumes %v, want cachedata only", got)
	}
	if r := s.berth("down", "nosuch"); r.code == 0 || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("down of an unknown service: exit %d, %q", r.code, r.stderr)
	}
	if got := s.services(); got != "cache" {
		t.Errorf("a refused down removed something: running %q", got)
	}
}

// TestSwarmKeys: a file with the swarm-only deploy keys docker compose ignores on one
// engine comes up, with one warning naming each key, and replicas still counts.
func TestSwarmKeys(t *testing.T) {
	s := newScenario(t)
	r := s.berth("up", "-d")
	if r.code != 0 {
		t.Fatalf("up: exit %d: %s", r.code, r.stderr)
	}
	for key, service := range map[string]string{
		"deploy.mode": "web", "deploy.endpoint_mode": "web", "deploy.labels": "web", "deploy.placement": "web",
		"deploy.update_config": "web", "deploy.rollback_config": "web", "deploy.restart_policy.delay": "web",
		"deploy.restart_policy.window": "web", "deploy.resources.reservations.cpus": "web",
	} {
		n := 0
		for _, l := range strings.Split(r.stderr, "\n") {
			if strings.Contains(l, `field "`+key+`" is ignored`) && strings.Contains(l, `service "`+service+`"`) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d warnings name %s of %s, want 1:\n%s", n, key, service, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, `service "worker": field "deploy.mode" is ignored`); n != 1 {
		t.Errorf("%d warnings for worker's mode: global, want 1:\n%s", n, r.stderr)
	}
	if got := s.services(); got != "web,web,worker" {
		t.Errorf("running %q, want two web replicas and one worker", got)
	}
}

// TestBridgeNetworkMode: network_mode: bridge, as docker compose files often say,
// puts the service on the project's default network.
func TestBridgeNetworkMode(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	if r := s.berth("exec", "-T", "app", "nslookup", "db"); r.code != 0 {
		t.Errorf("app (network_mode: bridge) does not resolve db on the default network: %s %s", r.stdout, r.stderr)
	}
	if r := s.berth("exec", "-T", "db", "ping", "-c", "1", "-W", "5", "app"); r.code != 0 {
		t.Errorf("db does not reach app: %s %s", r.stdout, r.stderr)
	}
	if out := s.must("network", "ls", "-q"); !strings.Contains(out, s.project+"_default") {
		t.Errorf("no default network: %s", out)
	}
}

// TestContainerEnv: what a process sees in its environment, as on Docker: its
// container's HOSTNAME (each replica its own, the file's over it), TERM=xterm when
// the container has a TTY, and a PATH.
func TestContainerEnv(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	env := func(args ...string) string {
		return strings.TrimSpace(s.must(append([]string{"exec", "-T"}, args...)...))
	}
	first := env("--index", "1", "web", "sh", "-c", `echo "$HOSTNAME $(hostname)"`)
	second := env("--index", "2", "web", "sh", "-c", `echo "$HOSTNAME $(hostname)"`)
	for _, got := range []string{first, second} {
		f := strings.Fields(got)
		if len(f) != 2 || f[0] != f[1] {
			t.Errorf("HOSTNAME and hostname differ: %q", got)
		}
	}
	if first == second {
		t.Errorf("both replicas have HOSTNAME %q", first)
	}
	if got := env("named", "sh", "-c", `echo "$HOSTNAME ${TERM:-none}"`); got != "custom-host xterm" {
		t.Errorf("hostname: and tty: true give %q, want custom-host xterm", got)
	}
	if got := env("overridden", "sh", "-c", `echo "$HOSTNAME ${TERM:-none}"`); got != "from-the-file none" {
		t.Errorf("the file's HOSTNAME and no TTY give %q, want from-the-file none", got)
	}
	if got := env("web", "sh", "-c", "echo $PATH"); !strings.Contains(got, "/bin") {
		t.Errorf("PATH %q", got)
	}
}
